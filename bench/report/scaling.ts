/**
 * The compile-time scaling report: a table per shape and a log-log chart of the transformer's
 * time against the number of statements, one line per shape, with the fitted exponent in the
 * legend. Scales and ticks from d3-scale, lines from d3-shape; the SVG is written as text.
 */
import { scaleLog } from "d3-scale";
import { line } from "d3-shape";
import type { CompileScaling } from "../compile/scaling.js";

const SHAPE_NAMES: Readonly<Record<string, string>> = {
  straight: "straight-line code",
  control: "loops and branches",
  calls: "a chain of helper calls",
  many: "many functions, each differentiated",
};
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

const row = (cells: readonly (string | number)[]): string => `| ${cells.join(" | ")} |`;

export function scalingMarkdown(s: CompileScaling): string {
  const sizes = s.series[0]?.points.map((p) => p.statements) ?? [];
  const lines = [
    row(["shape", ...s.series[0]!.points.map((_, i) => `~${sizes[i]} stmts`), "fitted exponent"]),
    row(["---", ...sizes.map(() => "---:"), "---:"]),
  ];
  for (const series of s.series)
    lines.push(row([SHAPE_NAMES[series.shape] ?? series.shape, ...series.points.map((p) => formatMs(p.transformMs)), series.exponent.toFixed(2)]));
  const out = [
    "Transformer CPU time (its own: the file is type-checked first; CPU time, which other work on a shared machine inflates less than wall-clock time) against the size of the code; the",
    "exponent k of time ~ n^k is fitted on the sizes of 1,000 statements and more.",
    "",
    lines.join("\n"),
  ];
  if (s.vite)
    out.push(
      "",
      `Vite plugin, ${s.vite.files}-file project: first transform of every module ${formatMs(s.vite.coldMs)}, ` +
        `transform of an edited module ${formatMs(s.vite.rebuildMs)} (median of ${s.vite.edits} edits).`,
    );
  return out.join("\n");
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

const escape = (t: string): string => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function scalingSvg(s: CompileScaling, caption: string): string {
  const width = 640;
  const height = 420;
  const margin = { top: 40, right: 20, bottom: 70, left: 70 };
  const points = s.series.flatMap((x) => x.points);
  const x = scaleLog()
    .domain([Math.min(...points.map((p) => p.statements)), Math.max(...points.map((p) => p.statements))])
    .range([margin.left, width - margin.right])
    .nice();
  const y = scaleLog()
    .domain([Math.max(0.1, Math.min(...points.map((p) => p.transformMs))), Math.max(...points.map((p) => p.transformMs))])
    .range([height - margin.bottom, margin.top])
    .nice();
  const path = line<{ statements: number; transformMs: number }>()
    .x((p) => x(p.statements))
    .y((p) => y(Math.max(0.1, p.transformMs)));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${margin.left}" y="20" font-size="13">tsgrad transformer CPU time against code size (log-log)</text>`);
  for (const t of x.ticks(8).filter((v) => Number.isInteger(Math.log10(v)) || x.ticks(8).length < 12)) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#eee"/>`);
    parts.push(`<text x="${x(t)}" y="${height - margin.bottom + 14}" text-anchor="middle">${x.tickFormat(8, "~s")(t)}</text>`);
  }
  for (const t of y.ticks(6)) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y(t) + 4}" text-anchor="end">${y.tickFormat(6, "~s")(t)}</text>`);
  }
  parts.push(`<text x="${(margin.left + width - margin.right) / 2}" y="${height - margin.bottom + 32}" text-anchor="middle">statements in the differentiated code</text>`);
  parts.push(`<text transform="translate(18 ${(margin.top + height - margin.bottom) / 2}) rotate(-90)" text-anchor="middle">transformer CPU time (ms)</text>`);
  s.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]!;
    parts.push(`<path d="${path([...series.points])}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of series.points) parts.push(`<circle cx="${x(p.statements)}" cy="${y(Math.max(0.1, p.transformMs))}" r="3" fill="${color}"/>`);
    const ly = margin.top + 14 * i;
    parts.push(`<line x1="${margin.left + 10}" x2="${margin.left + 30}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${margin.left + 36}" y="${ly + 4}">${escape(SHAPE_NAMES[series.shape] ?? series.shape)} (exponent ${series.exponent.toFixed(2)})</text>`);
  });
  parts.push(`<text x="${margin.left}" y="${height - 12}" fill="#555">${escape(caption)}</text>`);
  parts.push(`</svg>`);
  return parts.join("\n");
}
