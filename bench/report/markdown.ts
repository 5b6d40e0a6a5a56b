/** The Markdown report: machine, summary of ratios, targets, one table per workload, compile cost. */
import type { CaseResult, MethodResult } from "../harness/types.js";
import type { CompileCost } from "../compile/cost.js";
import { formatBytes, formatRatio, formatTime } from "./format.js";
import { caseRatios, overBaseline, overTsgrad, SIDE_NAMES, targets, type CaseRatios, type Side, type TargetStanding } from "./ratios.js";

export interface RunInfo {
  readonly machine: string;
  readonly date: string;
  readonly quick: boolean;
  readonly versions: Readonly<Record<string, string>>;
}

const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;

function summaryTable(ratios: readonly CaseRatios[]): string {
  const sides: Side[] = ["tsgrad", "hand", "tape", "jax"];
  const head = [
    "workload",
    "size",
    ...sides.map((s) => `${SIDE_NAMES[s]}: time / baseline`),
    "TF.js / tsgrad",
    "jax-js / tsgrad",
    "tsgrad / hand-written",
    "differences / tsgrad",
  ];
  const lines = [row(head), row(head.map((_, i) => (i < 2 ? "---" : "---:")))];
  for (const r of ratios) {
    const tsgradOverHand = r.overTsgrad.hand ? 1 / r.overTsgrad.hand : undefined;
    const cell = (side: Side, v: number | undefined) => (v !== undefined ? formatRatio(v) : r.missing[side] ? "n/a" : "");
    lines.push(
      row([
        `${r.title}${r.baseline !== "f" ? ` (${r.computes}; baseline: ${r.baseline})` : ""}`,
        r.size,
        ...sides.map((s) => cell(s, r.overBaseline[s])),
        cell("tape", r.overTsgrad.tape),
        cell("jax", r.overTsgrad.jax),
        formatRatio(tsgradOverHand),
        cell("fd", r.overTsgrad.fd),
      ]),
    );
  }
  return lines.join("\n");
}

function targetTable(ts: readonly TargetStanding[]): string {
  const lines = [row(["target", "met", "where it stands"]), row(["---", "---", "---"])];
  for (const t of ts) {
    const verdict = t.met === undefined ? "not measured" : t.met ? "yes" : "no";
    const detail = t.cases
      .map((c) => `${c.where}: ${c.value === undefined ? (c.note ? `n/a (${c.note})` : "n/a") : formatRatio(c.value)}${c.met === false ? " (missed)" : ""}`)
      .join("; ");
    lines.push(row([t.target, verdict, detail]));
  }
  return lines.join("\n");
}

function methodRow(c: CaseResult, m: MethodResult): string {
  if (m.unavailable) return row([c.size, m.label, "unavailable", "", "", "", "", "", "", m.unavailable.replace(/\|/g, "\\|")]);
  const t = m.timing!;
  const baseline = m.baseline ? c.methods.find((b) => b.id === m.baseline) : undefined;
  const ob = overBaseline(c, m);
  const ot = overTsgrad(c, m);
  const agreement = m.agreement && m.agreement.reference !== m.id ? m.agreement.difference.toExponential(1) : m.agreement ? "reference" : "";
  return row([
    c.size,
    m.label,
    formatTime(t.medianMs),
    formatTime(t.p75Ms),
    `${t.rme.toFixed(1)}%`,
    String(t.samples),
    ob !== undefined && baseline ? `${formatRatio(ob)} × ${baseline.label}` : "",
    ot !== undefined ? formatRatio(ot) : "",
    m.memory ? formatBytes(m.memory.bytes) : "",
    agreement,
  ]);
}

function workloadTables(cases: readonly CaseResult[]): string {
  const out: string[] = [];
  const titles = [...new Set(cases.map((c) => c.title))];
  for (const title of titles) {
    out.push(`### ${title}`, "");
    const head = ["size", "method", "median", "p75", "±", "samples", "time / baseline", "time / tsgrad", "reverse-sweep memory", "agreement"];
    out.push(row(head), row(["---:", "---", "---:", "---:", "---:", "---:", "---", "---:", "---:", "---:"]));
    for (const c of cases.filter((x) => x.title === title)) for (const m of c.methods) out.push(methodRow(c, m));
    out.push("");
  }
  return out.join("\n");
}

function compileSection(cost: CompileCost): string {
  const lines = [
    `In memory over the ${cost.files} files of examples/ (${cost.generated} generated functions), median of ${cost.repeats}:`,
    "",
    row(["step", "median"]),
    row(["---", "---:"]),
    row(["build the ts.Program (parse, bind)", formatTime(cost.programMs)]),
    row(["emit without the transformer", formatTime(cost.emitPlainMs)]),
    row(["emit with the transformer", formatTime(cost.emitTransformedMs)]),
    row(["transformer's share, per generated function", formatTime(cost.perFunctionMs)]),
  ];
  if (cost.tsc)
    lines.push(
      "",
      `Command line over the same files (type check and emit, a fresh process each, median of ${cost.tsc.repeats}): ` +
        `tsc ${formatTime(cost.tsc.plainMs)}, tspc with the tsgrad plugin ${formatTime(cost.tsc.pluginMs)} ` +
        `(${formatRatio(cost.tsc.pluginMs / cost.tsc.plainMs)} ×).`,
    );
  return lines.join("\n");
}

export function markdownReport(cases: readonly CaseResult[], cost: CompileCost | undefined, info: RunInfo): string {
  const ratios = cases.map(caseRatios);
  return [
    `Machine: ${info.machine}. ${info.date}.${info.quick ? " Quick mode: one call per method at small sizes; the times mean nothing." : ""}`,
    "",
    `Versions: ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    "",
    "### Ratios that matter",
    "",
    "time / baseline: a derivative's median time over its own library's function alone (for the Hessian-vector product: over its own gradient). " +
      "TF.js / tsgrad and the like: time over tsgrad's for the same derivative. n/a: the method is unavailable (see its workload's table).",
    "",
    summaryTable(ratios),
    "",
    "### Targets",
    "",
    targetTable(targets(ratios)),
    "",
    "### Every method",
    "",
    "Medians per call; p75; ± is the relative margin of error of the mean; agreement is the largest difference from the reference, relative to the reference's largest entry. " +
      "TF.js times include tf.tidy and reading the result with dataSync(); jax-js times include dataSync().",
    "",
    workloadTables(cases),
    ...(cost ? ["### Compile-time cost", "", compileSection(cost), ""] : []),
  ].join("\n");
}
