/**
 * Reading the evals' JSON inputs into typed data, with an error that names the field when the
 * input does not have the shape the eval's README promises.
 */

export function fail(message: string): never {
  throw new Error(message);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function record(v: unknown, what = "input"): Record<string, unknown> {
  return isRecord(v) ? v : fail(`${what} must be an object`);
}

export function number(v: unknown, what: string): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fail(`${what} must be a finite number, got ${JSON.stringify(v)}`);
}

export function integer(v: unknown, what: string, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(`${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/** An array of numbers as a Float64Array, optionally of a given length. */
export function vector(v: unknown, what: string, length?: number): Float64Array {
  if (!Array.isArray(v)) fail(`${what} must be an array of numbers`);
  if (length !== undefined && v.length !== length) fail(`${what} must have ${length} elements, got ${v.length}`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = number(v[i], `${what}[${i}]`);
  return out;
}

/** An array of integers (indices), each at least `min` (0 unless told) and below `below`. */
export function indices(v: unknown, what: string, range: { min?: number; below?: number } = {}): number[] {
  if (!Array.isArray(v)) fail(`${what} must be an array of integers`);
  return v.map((x, i) => {
    const k = integer(x, `${what}[${i}]`, range.min ?? 0);
    if (range.below !== undefined && k >= range.below) fail(`${what}[${i}] = ${k} must be below ${range.below}`);
    return k;
  });
}

/** Rows of equal length, flattened row by row into one Float64Array. */
export function rows(v: unknown, what: string, shape: { rows?: number; cols?: number } = {}): { data: Float64Array; rows: number; cols: number } {
  if (!Array.isArray(v)) fail(`${what} must be an array of rows`);
  if (shape.rows !== undefined && v.length !== shape.rows) fail(`${what} must have ${shape.rows} rows, got ${v.length}`);
  const first: unknown = v[0];
  const cols = shape.cols ?? (Array.isArray(first) ? first.length : 0);
  const data = new Float64Array(v.length * cols);
  for (let i = 0; i < v.length; i++) data.set(vector(v[i], `${what}[${i}]`, cols), i * cols);
  return { data, rows: v.length, cols };
}

/** Flat row-major data back into rows, for answers shaped as double[][]. */
export function toRows(data: ArrayLike<number>, rowCount: number, cols: number): number[][] {
  return Array.from({ length: rowCount }, (_, i) => Array.from({ length: cols }, (_, j) => data[i * cols + j]!));
}

/** How many times and for how long to repeat the timed work (GradBench's `Runs`). */
export interface Runs {
  readonly minRuns: number;
  readonly minSeconds: number;
}

/** The input's `min_runs` and `min_seconds`; inputs without them (hello's) run once. */
export function runsOf(input: unknown): Runs {
  if (!isRecord(input)) return { minRuns: 1, minSeconds: 0 };
  return {
    minRuns: input.min_runs === undefined ? 1 : integer(input.min_runs, "min_runs", 1),
    minSeconds: input.min_seconds === undefined ? 0 : number(input.min_seconds, "min_seconds"),
  };
}
