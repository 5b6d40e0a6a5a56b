/**
 * One check for a differentiated function at a point, used by every construct test:
 *   - grad against central finite differences, per parameter;
 *   - valueAndGrad: the value is f's value and the gradient is grad's;
 *   - jvp along random directions against finite differences of f, and against the gradient
 *     (the dot-product test <grad f, u> = jvp(f)(x, u), forward against reverse);
 *   - every call leaves its arguments as it found them (the caller's own values, compared with a
 *     snapshot), and the shared stacks of the reverse sweep too.
 */
import { expect } from "vitest";
import { refStack, stack } from "tsgrad/internal";
import { clone, dot, expectClose, flat, numericDirectional, numericGradient, rng, scalarPaths, setAt } from "./numeric.js";

type AnyFn = (...args: never[]) => unknown;

export interface Derivatives {
  readonly grad: AnyFn;
  readonly jvp?: AnyFn;
  readonly valueAndGrad?: AnyFn;
}

export interface VerifyOptions {
  /** Positions of the differentiated parameters (default: every numeric/array/record one). */
  readonly params?: readonly number[];
  /** Tolerance against finite differences (scaled by max(1, |value|)). */
  readonly fdTol?: number;
  /** Tolerance between forward and reverse mode. */
  readonly modeTol?: number;
  readonly seed?: number;
}

function isDifferentiableValue(v: unknown): boolean {
  return typeof v === "number" || v instanceof Float64Array || (Array.isArray(v) && scalarPaths(v).length > 0) || (typeof v === "object" && v !== null && scalarPaths(v).length > 0);
}

/** A random direction shaped like `v`. */
export function randomLike(v: unknown, next: () => number): unknown {
  let out = clone(v);
  for (const p of scalarPaths(v)) out = setAt(out, p, 2 * next() - 1);
  if (typeof v === "number") return 2 * next() - 1;
  return out;
}

/** The arguments a call was given are as they were before it, bit for bit (NaN and -0 included). */
function expectUnchanged(args: readonly unknown[], snapshot: readonly unknown[]): void {
  args.forEach((a, i) => {
    if (!isDifferentiableValue(a)) return;
    const now = flat(a);
    const then = flat(snapshot[i]);
    expect(now.length, `argument ${i} keeps its length`).toBe(then.length);
    now.forEach((x, k) => {
      if (!Object.is(x, then[k])) expect.fail(`the call changed its argument ${i} (entry ${k}: ${then[k]} became ${x}): inputs must be left unchanged`);
    });
  });
}

export function verifyDerivatives(f: AnyFn, d: Derivatives, args: readonly unknown[], options: VerifyOptions = {}): void {
  const fdTol = options.fdTol ?? 1e-5;
  const modeTol = options.modeTol ?? 1e-9;
  const params = options.params ?? args.flatMap((a, i) => (isDifferentiableValue(a) ? [i] : []));
  // Every call gets the caller's own arguments (not copies) and must leave them as they were,
  // compared bit for bit with a snapshot; every generated function pops exactly what it pushed:
  // the shared stacks end as they began.
  const call = (fn: AnyFn, xs: readonly unknown[]) => {
    const snapshot = xs.map(clone);
    const before = [stack.size, refStack.size];
    const result = (fn as (...a: unknown[]) => unknown)(...xs);
    expect([stack.size, refStack.size], "the reverse sweep's stacks are balanced").toEqual(before);
    expectUnchanged(xs, snapshot);
    return result;
  };

  const g = call(d.grad, args);
  const grads = params.length === 1 ? [g] : (g as unknown[]);
  expect(grads.length, "one gradient per differentiated parameter").toBe(params.length);
  params.forEach((p, k) => {
    const fd = numericGradient(f as (...a: never[]) => number, args.map(clone), p);
    expectClose(grads[k], fd, fdTol, `grad vs finite differences, parameter ${p}`);
  });

  if (d.valueAndGrad) {
    const vg = call(d.valueAndGrad, args) as { value: number; grad: unknown };
    expectClose(vg.value, call(f, args), 0, "valueAndGrad value (bit for bit)");
    expectClose(vg.grad, g, 1e-12, "valueAndGrad gradient");
  }

  if (d.jvp) {
    const next = rng(options.seed ?? 7);
    for (let trial = 0; trial < 3; trial++) {
      const dirs = params.map((p) => randomLike(args[p], next));
      const r = call(d.jvp, [...args, ...dirs]) as { value: unknown; tangent: number };
      expectClose(r.value, call(f, args), 0, "jvp value (bit for bit)");
      const dirArgs: unknown[] = args.map(() => undefined);
      params.forEach((p, k) => (dirArgs[p] = dirs[k]));
      const fd = numericDirectional(f as (...a: never[]) => number, args.map(clone), dirArgs);
      expectClose(r.tangent, fd, fdTol, "jvp vs finite differences");
      // dot-product test: forward mode against reverse mode
      const reverse = params.reduce((s, _, k) => s + dot(grads[k], dirs[k]), 0);
      expectClose(r.tangent, reverse, modeTol, "jvp vs grad (dot-product test)");
    }
  }
}
