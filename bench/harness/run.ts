/**
 * Runs the suite: for each case, every method once and the agreement check (nothing is timed
 * unless every method agrees), then the timings, then the memory each method keeps
 * (last, after every case is timed). A peer library that throws on a workload (a missing op, a crash) is reported as unavailable with its error,
 * never dropped; tsgrad or the hand-written code throwing is a failure of the suite.
 */
import { checkAgreement, type Agreement } from "./agreement.js";
import { measure, type MeasureOptions } from "./measure.js";
import type { Progress } from "./progress.js";
import { isAvailable, type Case, type CaseResult, type MemoryUse, type Method, type MethodEntry, type MethodResult, type Params, type Peers, type Workload } from "./types.js";
import { formatTime, formatBytes } from "../report/format.js";

const PEER_LIBRARIES = new Set(["TF.js", "jax-js"]);

/** Runs each peer method once; one that throws becomes unavailable, with the error as the reason. */
function dropCrashingPeers(c: Case): Case {
  const methods = c.methods.map((m): MethodEntry => {
    if (!isAvailable(m) || !PEER_LIBRARIES.has(m.library)) return m;
    try {
      m.run();
      return m;
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 160);
      return { id: m.id, label: m.label, library: m.library, computes: m.computes, unavailable: `throws: ${message}` };
    }
  });
  return { ...c, methods };
}

export function countMethods(cases: readonly Case[]): number {
  return cases.reduce((n, c) => n + c.methods.filter(isAvailable).length, 0);
}

export interface TimedCase {
  readonly result: CaseResult;
  /**
   * Measures the memory each method keeps, then frees the case. Observing tsgrad's stacks wraps
   * the runtime's shared stack objects, which changes their shape for V8 and would slow every
   * generated function timed afterwards: so the suite calls this only after all timing is done.
   */
  readonly measureMemory: () => Promise<CaseResult>;
}

export async function runCase(raw: Case, options: MeasureOptions, progress: Progress): Promise<TimedCase> {
  const started = performance.now();
  const c = dropCrashingPeers(raw);
  const agreements = checkAgreement(c);
  const checkedMs = performance.now() - started;
  const worst = [...agreements.values()].filter((a) => a.id !== a.reference).sort((a, b) => b.difference - a.difference);
  progress.note(
    `${c.title}, ${c.size}: ${agreements.size} methods agree` +
      (worst.length ? ` (largest relative difference ${worst[0]!.difference.toExponential(1)}, ${worst[0]!.id} vs ${worst[0]!.reference})` : "") +
      ` [first calls, jit compilation included: ${formatTime(checkedMs)}]`,
  );
  const results: MethodResult[] = [];
  for (const m of c.methods) {
    if (!isAvailable(m)) {
      results.push({ id: m.id, label: m.label, library: m.library, computes: m.computes, unavailable: m.unavailable });
      continue;
    }
    const what = `${c.title}, ${c.size}, ${m.label}`;
    progress.start(what);
    const timing = await measure(m.run, options);
    progress.finish(what, `${formatTime(timing.medianMs)} (${timing.samples} samples)`);
    results.push(base(m, agreements.get(m.id), timing));
  }
  const memory = c.methods.filter(isAvailable).filter((m) => m.memory !== undefined);
  return {
    result: { workload: c.workload, title: c.title, kind: c.kind, size: c.size, headline: c.headline, methods: results },
    measureMemory: async () => {
      const withMemory = new Map<string, MemoryUse>();
      for (const m of memory) {
        const use = await m.memory!();
        withMemory.set(m.id, use);
        progress.note(`memory, ${c.title}, ${c.size}, ${m.label}: ${formatBytes(use.bytes)} (${use.what})`);
      }
      c.dispose?.();
      return { workload: c.workload, title: c.title, kind: c.kind, size: c.size, headline: c.headline, methods: results.map((r) => (withMemory.has(r.id) ? { ...r, memory: withMemory.get(r.id)! } : r)) };
    },
  };
}

function base(m: Method, agreement: Agreement | undefined, timing: MethodResult["timing"]): MethodResult {
  return {
    id: m.id,
    label: m.label,
    library: m.library,
    computes: m.computes,
    ...(m.baseline !== undefined ? { baseline: m.baseline } : {}),
    ...(timing ? { timing } : {}),
    ...(agreement ? { agreement: { difference: agreement.difference, tolerance: agreement.tolerance, reference: agreement.reference } } : {}),
    ...(m.note !== undefined ? { note: m.note } : {}),
  };
}

/** Parameters of a workload with overrides ("rosenbrock.n=10,1000") applied. */
export function paramsOf(w: Workload, quick: boolean, overrides: readonly string[]): Params {
  const params: Record<string, number | readonly number[]> = { ...(quick ? w.quickParams : w.params) };
  for (const o of overrides) {
    const m = /^([\w-]+)\.(\w+)=([\d.,e+-]+)$/.exec(o);
    if (!m) throw new Error(`--param ${o}: expected workload.name=value (e.g. rosenbrock.n=10,1000)`);
    if (m[1] !== w.id) continue;
    if (!(m[2]! in params)) throw new Error(`--param ${o}: ${w.id} has no parameter ${m[2]} (it has ${Object.keys(params).join(", ")})`);
    const values = m[3]!.split(",").map(Number);
    if (values.some((v) => !Number.isFinite(v))) throw new Error(`--param ${o}: not a number`);
    params[m[2]!] = Array.isArray(params[m[2]!]) ? values : values[0]!;
  }
  return params;
}

export type { Peers };
