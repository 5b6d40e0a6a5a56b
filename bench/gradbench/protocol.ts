/**
 * GradBench's protocol, tool side: one JSON message per line in, one JSON response per line out.
 * The eval sends `start`, `define` (a module), many `evaluate` (module, function, input) and
 * `analysis` (its verdict on an earlier answer); every message gets a response with its `id`.
 *
 * `createTool` is the whole protocol as a function from message to response, so the tests drive
 * it in-process and main.ts only moves lines between it and stdin/stdout.
 */
import { fail, isRecord, type Runs, runsOf } from "./input.ts";

export interface Timing {
  readonly name: string;
  readonly nanoseconds: number;
}

/** One function of an eval module: parse, compute (timed), answer. */
export interface EvalFunction<Prepared, Result> {
  /** Turns the message's input into what `compute` reads; throws on bad input. Not timed. */
  readonly prepare: (input: unknown) => Prepared;
  /** The work the harness times, repeated `min_runs` times and for `min_seconds`. */
  readonly compute: (prepared: Prepared) => Result;
  /** The answer in the JSON shape the eval's README gives. Not timed. */
  readonly answer: (result: Result, prepared: Prepared) => unknown;
}

/** The type-erased form the registry holds: each function keeps its own types inside. */
export interface AnyEvalFunction {
  readonly run: (input: unknown, runs: Runs) => { output: unknown; timings: Timing[] };
}

export interface EvalModule {
  readonly name: string;
  readonly functions: Readonly<Record<string, AnyEvalFunction>>;
}

/** Wraps a typed function so the registry can hold it, with the timing loop in one place. */
export function evalFunction<Prepared, Result>(f: EvalFunction<Prepared, Result>): AnyEvalFunction {
  return {
    run(input, runs) {
      const prepared = f.prepare(input);
      const { result, timings } = measure(() => f.compute(prepared), runs);
      return { output: f.answer(result, prepared), timings };
    },
  };
}

/**
 * Runs `work` at least `minRuns` times and until the runs add up to `minSeconds`, as GradBench's
 * own tools do, timing each run on its own with the monotonic clock.
 */
export function measure<R>(work: () => R, runs: Runs): { result: R; timings: Timing[] } {
  const timings: Timing[] = [];
  let elapsed = 0n;
  const minNanos = BigInt(Math.ceil(runs.minSeconds * 1e9));
  let result: R;
  do {
    const start = process.hrtime.bigint();
    result = work();
    const took = process.hrtime.bigint() - start;
    timings.push({ name: "evaluate", nanoseconds: Number(took) });
    elapsed += took;
  } while (timings.length < runs.minRuns || elapsed < minNanos);
  return { result, timings };
}

export type Response = { id: number } & Record<string, unknown>;

export interface Tool {
  /** Answers one message (already parsed from its JSON line). */
  handle(message: unknown): Response;
}

export const TOOL_NAME = "tsgrad";

export function createTool(modules: readonly EvalModule[]): Tool {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const defined = new Set<string>();

  function define(id: number, name: unknown): Response {
    const module = typeof name === "string" ? byName.get(name) : undefined;
    if (!module) return { id, success: false, error: `tsgrad has no module ${JSON.stringify(name)}; it has ${[...byName.keys()].join(", ")}` };
    defined.add(module.name);
    return { id, success: true };
  }

  function evaluate(id: number, message: Record<string, unknown>): Response {
    const name = message.module;
    if (typeof name !== "string" || !defined.has(name))
      return { id, success: false, error: `module ${JSON.stringify(name)} was not defined first` };
    const fn = byName.get(name)!.functions[String(message.function)];
    if (!fn) {
      const known = Object.keys(byName.get(name)!.functions).join(", ");
      return { id, success: false, error: `module ${name} has no function ${JSON.stringify(message.function)}; it has ${known}` };
    }
    try {
      const { output, timings } = fn.run(message.input, runsOf(message.input));
      return { id, success: true, output, timings };
    } catch (e) {
      return { id, success: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  return {
    handle(message) {
      if (!isRecord(message) || typeof message.id !== "number") fail("a message must be an object with a numeric id");
      const id = message.id;
      switch (message.kind) {
        case "start":
          return { id, tool: TOOL_NAME };
        case "define":
          return define(id, message.module);
        case "evaluate":
          return evaluate(id, message);
        default:
          // "analysis" and any kind added later: acknowledge.
          return { id };
      }
    },
  };
}
