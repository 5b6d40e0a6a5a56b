/**
 * The chart: two dot plots on log-scale axes, one row per workload and size. Left: each method's
 * time over tsgrad's for the same derivative (tsgrad = 1). Right: each derivative's time over its
 * baseline (the function alone; the gradient, for the Hessian-vector product). Plain SVG text, no
 * browser or canvas needed.
 */
import { caseRatios, SIDE_NAMES, type CaseRatios, type Side } from "./ratios.js";
import type { CaseResult } from "../harness/types.js";

const COLORS: Readonly<Record<Side, string>> = {
  tsgrad: "#1f77b4",
  hand: "#2ca02c",
  tape: "#d62728",
  jax: "#9467bd",
  fd: "#7f7f7f",
};
const SHAPES: Readonly<Record<Side, "circle" | "square" | "diamond" | "triangle" | "cross">> = {
  tsgrad: "circle",
  hand: "square",
  tape: "diamond",
  jax: "triangle",
  fd: "cross",
};

const ROW = 22;
const PANEL_WIDTH = 330;
const GAP = 40;
const TOP = 70;
const BOTTOM = 60;

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Powers of ten that cover the values (and 1). */
function logDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.min(1, ...positive);
  const hi = Math.max(1, ...positive);
  return [Math.floor(Math.log10(lo)), Math.ceil(Math.log10(hi) + 1e-9)];
}

function tickLabel(power: number): string {
  const v = 10 ** power;
  if (power >= 6) return `10^${power}`;
  if (power >= 3) return `${v / 1000}k`;
  if (power >= 0) return String(v);
  return String(Number(v.toPrecision(1)));
}

function marker(shape: (typeof SHAPES)[Side], x: number, y: number, color: string): string {
  const r = 5;
  switch (shape) {
    case "circle":
      return `<circle cx="${x.toFixed(1)}" cy="${y}" r="${r}" fill="${color}"/>`;
    case "square":
      return `<rect x="${(x - r + 1).toFixed(1)}" y="${y - r + 1}" width="${2 * r - 2}" height="${2 * r - 2}" fill="${color}"/>`;
    case "diamond":
      return `<path d="M${x.toFixed(1)},${y - r - 1}l${r + 1},${r + 1}l${-r - 1},${r + 1}l${-r - 1},${-r - 1}z" fill="${color}"/>`;
    case "triangle":
      return `<path d="M${x.toFixed(1)},${y - r}l${r},${2 * r - 1}h${-2 * r}z" fill="${color}"/>`;
    case "cross":
      return `<path d="M${(x - r).toFixed(1)},${y - r}l${2 * r},${2 * r}M${(x - r).toFixed(1)},${y + r}l${2 * r},${-2 * r}" stroke="${color}" stroke-width="2"/>`;
  }
}

interface Panel {
  readonly title: string;
  readonly sides: readonly Side[];
  readonly value: (r: CaseRatios, side: Side) => number | undefined;
}

function panel(p: Panel, rows: readonly CaseRatios[], x0: number): string {
  const values = rows.flatMap((r) => p.sides.map((s) => p.value(r, s))).filter((v): v is number => v !== undefined);
  const [lo, hi] = logDomain(values);
  const scale = (v: number) => x0 + ((Math.log10(v) - lo) / (hi - lo)) * PANEL_WIDTH;
  const height = rows.length * ROW;
  const parts: string[] = [`<text x="${x0 + PANEL_WIDTH / 2}" y="${TOP - 30}" text-anchor="middle" font-weight="bold">${escape(p.title)}</text>`];
  for (let k = lo; k <= hi; k++) {
    const x = scale(10 ** k);
    parts.push(`<line x1="${x.toFixed(1)}" y1="${TOP - 10}" x2="${x.toFixed(1)}" y2="${TOP + height}" stroke="${k === 0 ? "#444" : "#ddd"}"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${TOP + height + 16}" text-anchor="middle" fill="#444">${tickLabel(k)}</text>`);
  }
  rows.forEach((r, i) => {
    const y = TOP + i * ROW + ROW / 2;
    for (const side of p.sides) {
      const v = p.value(r, side);
      if (v !== undefined && v > 0) parts.push(marker(SHAPES[side], scale(v), y, COLORS[side]));
    }
  });
  parts.push(`<text x="${x0 + PANEL_WIDTH / 2}" y="${TOP + height + 36}" text-anchor="middle" fill="#444">log scale</text>`);
  return parts.join("\n");
}

const labelOf = (r: CaseRatios): string => `${r.title}${r.baseline !== "f" ? ` (${r.computes})` : ""}, ${r.size}`;

export function svgChart(cases: readonly CaseResult[], caption: string): string {
  const rows = cases.map(caseRatios);
  // about 6.5 pixels per character at 12 px
  const LABEL_WIDTH = Math.ceil(Math.max(200, ...rows.map((r) => labelOf(r).length * 6.5)) + 20);
  const height = TOP + rows.length * ROW + BOTTOM + 30;
  const width = LABEL_WIDTH + 2 * PANEL_WIDTH + GAP + 20;
  const left: Panel = {
    title: "time / tsgrad's time (tsgrad = 1, the dark line)",
    sides: ["hand", "tape", "jax", "fd"],
    value: (r, s) => (s === "tsgrad" ? 1 : r.overTsgrad[s]),
  };
  const right: Panel = {
    title: "derivative time / baseline time",
    sides: ["tsgrad", "hand", "tape", "jax"],
    value: (r, s) => r.overBaseline[s],
  };
  const labels = rows.map((r, i) => {
    const y = TOP + i * ROW + ROW / 2 + 4;
    const stripe = i % 2 ? "" : `<rect x="0" y="${TOP + i * ROW}" width="${width}" height="${ROW}" fill="#f6f6f6"/>`;
    const text = labelOf(r);
    return `${stripe}<text x="${LABEL_WIDTH - 10}" y="${y}" text-anchor="end">${escape(text)}</text>`;
  });
  const legendSides: Side[] = ["tsgrad", "hand", "tape", "jax", "fd"];
  const legend = legendSides
    .map((s, i) => {
      const x = 20 + i * 150;
      return `${marker(SHAPES[s], x, 18, COLORS[s])}<text x="${x + 10}" y="22">${escape(SIDE_NAMES[s])}</text>`;
    })
    .join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...labels,
    legend,
    panel(left, rows, LABEL_WIDTH),
    panel(right, rows, LABEL_WIDTH + PANEL_WIDTH + GAP),
    `<text x="20" y="${height - 10}" fill="#444">${escape(caption)}</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
