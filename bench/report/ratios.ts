/**
 * The ratios that matter, computed from one run's medians: each derivative's time over its
 * baseline's (the function alone; the gradient, for a Hessian-vector product), each peer's time
 * over tsgrad's, tsgrad's over the hand-written code's; and where each target stands.
 */
import type { CaseResult, Headline, MethodResult } from "../harness/types.js";

export type Side = keyof Headline;

export const SIDES: readonly Side[] = ["tsgrad", "hand", "tape", "jax", "fd"];

export const SIDE_NAMES: Readonly<Record<Side, string>> = {
  tsgrad: "tsgrad",
  hand: "hand-written",
  tape: "TF.js",
  jax: "jax-js",
  fd: "finite differences",
};

function byId(c: CaseResult, id: string | undefined): MethodResult | undefined {
  return id === undefined ? undefined : c.methods.find((m) => m.id === id);
}

const median = (m: MethodResult | undefined): number | undefined => m?.timing?.medianMs;

/** time(method) / time(its baseline), or undefined. */
export function overBaseline(c: CaseResult, m: MethodResult): number | undefined {
  const t = median(m);
  const b = median(byId(c, m.baseline));
  return t !== undefined && b !== undefined && b > 0 ? t / b : undefined;
}

/** time(method) / time(tsgrad's headline method). */
export function overTsgrad(c: CaseResult, m: MethodResult): number | undefined {
  const t = median(m);
  const s = median(byId(c, c.headline.tsgrad));
  return t !== undefined && s !== undefined && s > 0 && m.computes === byId(c, c.headline.tsgrad)?.computes ? t / s : undefined;
}

export interface CaseRatios {
  readonly workload: string;
  readonly title: string;
  readonly kind: CaseResult["kind"];
  readonly size: string;
  /** What the headline methods compute, and what their baseline is. */
  readonly computes: string;
  readonly baseline: string;
  /** time / time(baseline) per side. */
  readonly overBaseline: Partial<Record<Side, number>>;
  /** time / time(tsgrad) per side. */
  readonly overTsgrad: Partial<Record<Side, number>>;
  /** Why a side has no number (unavailable methods). */
  readonly missing: Partial<Record<Side, string>>;
}

export function caseRatios(c: CaseResult): CaseRatios {
  const ob: Partial<Record<Side, number>> = {};
  const ot: Partial<Record<Side, number>> = {};
  const missing: Partial<Record<Side, string>> = {};
  const tsgrad = byId(c, c.headline.tsgrad)!;
  for (const side of SIDES) {
    const m = byId(c, c.headline[side]);
    if (!m) continue;
    if (m.unavailable) {
      missing[side] = m.unavailable;
      continue;
    }
    const a = overBaseline(c, m);
    if (a !== undefined) ob[side] = a;
    const b = overTsgrad(c, m);
    if (b !== undefined) ot[side] = b;
  }
  const baseline = byId(c, tsgrad.baseline);
  return {
    workload: c.workload,
    title: c.title,
    kind: c.kind,
    size: c.size,
    computes: tsgrad.computes,
    baseline: baseline?.computes ?? "f",
    overBaseline: ob,
    overTsgrad: ot,
    missing,
  };
}

export interface TargetStanding {
  readonly target: string;
  readonly met: boolean | undefined;
  /** Each case's value against the bound. */
  readonly cases: readonly { readonly where: string; readonly value: number | undefined; readonly met: boolean | undefined; readonly note?: string }[];
}

const where = (r: CaseRatios) => `${r.title}, ${r.size}`;

function standing(target: string, rows: readonly CaseRatios[], value: (r: CaseRatios) => number | undefined, ok: (v: number) => boolean, note?: (r: CaseRatios) => string | undefined): TargetStanding {
  const cases = rows.map((r) => {
    const v = value(r);
    const n = note?.(r);
    return { where: where(r), value: v, met: v === undefined ? undefined : ok(v), ...(n ? { note: n } : {}) };
  });
  const judged = cases.filter((c) => c.met !== undefined);
  return { target, met: judged.length === 0 ? undefined : judged.every((c) => c.met), cases };
}

/** Where each of the targets stands, case by case. */
export function targets(all: readonly CaseRatios[]): TargetStanding[] {
  const scalar = all.filter((r) => r.kind === "scalar");
  const secondOrder = all.filter((r) => r.kind === "second order");
  return [
    standing("time(tsgrad gradient) / time(function) <= 3 on every scalar workload", scalar, (r) => r.overBaseline.tsgrad, (v) => v <= 3),
    standing("tsgrad within 1.3x of the hand-written derivative on every workload", all, (r) => (r.overTsgrad.hand ? 1 / r.overTsgrad.hand : undefined), (v) => v <= 1.3),
    standing("TF.js's tape slower than tsgrad on every workload", all, (r) => r.overTsgrad.tape, (v) => v > 1, (r) => r.missing.tape),
    standing("TF.js's tape at least 50x slower than tsgrad on the scalar workloads", scalar, (r) => r.overTsgrad.tape, (v) => v >= 50, (r) => r.missing.tape),
    standing("jax-js's jit slower than tsgrad on every workload", all, (r) => r.overTsgrad.jax, (v) => v > 1, (r) => r.missing.jax),
    standing("Hessian-vector product at most 4x the gradient's time", secondOrder, (r) => r.overBaseline.tsgrad, (v) => v <= 4),
  ];
}
