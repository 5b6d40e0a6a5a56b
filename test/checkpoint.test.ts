/**
 * Binomial checkpointing of long loops (`// @tsgrad checkpoint c`, passes/reverse/checkpoint.ts):
 * gradients equal central finite differences and the plain sweep for many (n, c), including
 * c = 1, c >= n, n = 0 and 1, and for several stretches (the schedule's unit: 1 iteration, a few,
 * the default); the stack holds one stretch's tape whatever n is, and snapshots at most c + 1
 * states; what cannot be checkpointed is refused when asked for (TSG1021) and left to the plain
 * sweep when not.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHECKPOINT_DEFAULT_STRETCH, checkpointMemoryPeak, resetCheckpointMemory, setCheckpointStretch, stack } from "tsgrad/internal";
import { compileSource, importSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";

const BUDGETS = [1, 2, 3, 50] as const;
/** Stretches: the classic schedule (one iteration taped at a time), a few, and the default. */
const STRETCHES = [1, 4, CHECKPOINT_DEFAULT_STRETCH] as const;

/** Runs `f` with the schedule over stretches of `iterations`, then restores the setting. */
function withStretch<T>(iterations: number, f: () => T): T {
  const previous = setCheckpointStretch(iterations);
  try {
    return f();
  } finally {
    setCheckpointStretch(previous);
  }
}

/** An explicit Euler integrator of a small nonlinear system, and an RNN-like loop over arrays written in place. */
function program(annotation: string, suffix: string): string {
  return `
export function ode${suffix}(p: number[], steps: number): number {
  let x = 1;
  let y = 0.5;
  const h = 0.01;
  ${annotation}
  for (let k = 0; k < steps; k++) {
    const dx = p[0] * x - x * y;
    const dy = x * y - p[1] * y + Math.sin(x);
    x = x + h * dx;
    y = y + h * dy;
  }
  return x * x + y;
}

export function rnn${suffix}(W: Float64Array, U: Float64Array, xs: Float64Array, T: number): number {
  const H = 3;
  const h = new Float64Array(H);
  const next = new Float64Array(H);
  let loss = 0;
  ${annotation}
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < H; i++) {
      let s = U[i] * xs[t];
      for (let j = 0; j < H; j++) s += W[i * H + j] * h[j];
      next[i] = Math.tanh(s);
    }
    for (let i = 0; i < H; i++) h[i] = next[i];
    if (h[0] > 0) loss += h[0] * h[1];
    else loss -= h[2];
  }
  return loss + h[0] * h[0];
}

export function carried${suffix}(x: number[], T: number): number {
  const buf = new Float64Array(3);
  let acc = 0;
  ${annotation}
  for (let t = 0; t < T; t++) {
    // writes buf[0] and buf[1] only: buf[2] is carried from one iteration to the next
    for (let i = 0; i < 2; i++) buf[i] = Math.sin(x[0] * (t + 1) + i);
    buf[2] = buf[2] * 0.5 + buf[0] * buf[1] * x[1];
    acc += buf[2] * buf[2];
  }
  return acc;
}
`;
}

const source = `import { grad, valueAndGrad } from "tsgrad";
${program("// @tsgrad checkpoint off", "Plain")}
export const odePlainGrad = grad(odePlain, { wrt: [0] });
export const rnnPlainGrad = grad(rnnPlain, { wrt: [0, 1, 2] });
export const carriedPlainGrad = grad(carriedPlain, { wrt: [0] });
${BUDGETS.map(
  (c) => `${program(`// @tsgrad checkpoint ${c}`, `C${c}`)}
export const odeC${c}Grad = grad(odeC${c}, { wrt: [0] });
export const odeC${c}ValueAndGrad = valueAndGrad(odeC${c}, { wrt: [0] });
export const rnnC${c}Grad = grad(rnnC${c}, { wrt: [0, 1, 2] });
export const carriedC${c}Grad = grad(carriedC${c}, { wrt: [0] });
`,
).join("\n")}`;

type Fn = (...args: never[]) => unknown;
let mod: Record<string, Fn> | undefined;
async function load(): Promise<Record<string, Fn>> {
  mod ??= await importSource<Record<string, Fn>>(source);
  return mod;
}

const P = [1.3, 0.7];
function rnnInputs(T: number): [Float64Array, Float64Array, Float64Array] {
  const W = Float64Array.from({ length: 9 }, (_, i) => 0.4 * Math.sin(1 + 2.3 * i));
  const U = Float64Array.from([0.9, -0.6, 0.5]);
  const xs = Float64Array.from({ length: Math.max(T, 1) }, (_, t) => Math.cos(0.7 * t));
  return [W, U, xs];
}

describe("checkpointed loops: gradients", () => {
  it("the ODE's gradient equals finite differences and the plain sweep, for many (n, c)", async () => {
    const m = await load();
    for (const n of [0, 1, 2, 3, 5, 17, 60, 300]) {
      const plain = (m.odePlainGrad as (p: number[], n: number) => number[])(P, n);
      const fd = numericGradient(m.odePlain as never, [P, n], 0);
      expectClose(plain, fd, 1e-6, `plain n=${n}`);
      for (const stretch of STRETCHES)
        for (const c of BUDGETS) {
          const before = stack.size;
          const g = withStretch(stretch, () => (m[`odeC${c}Grad`] as (p: number[], n: number) => number[])(P, n));
          expect(stack.size).toBe(before);
          // the same operations in the same order as the plain sweep: the same bits
          expect(g).toEqual(plain);
          expectClose(g, fd, 1e-6, `fd n=${n} c=${c} stretch=${stretch}`);
        }
    }
  });

  it("valueAndGrad's value is the primal's, bit for bit", async () => {
    const m = await load();
    for (const n of [0, 1, 9]) {
      const r = (m.odeC3ValueAndGrad as (p: number[], n: number) => { value: number; grad: number[] })(P, n);
      expect(r.value).toBe((m.odeC3 as (p: number[], n: number) => number)(P, n));
    }
  });

  it("the RNN's gradient (arrays written in place, a branch, nested loops) equals finite differences and the plain sweep", async () => {
    const m = await load();
    for (const T of [0, 1, 2, 7, 25, 150]) {
      const args = rnnInputs(T);
      const plain = (m.rnnPlainGrad as (...a: unknown[]) => Float64Array[])(...args, T);
      for (let which = 0; which < 3; which++)
        expectClose(plain[which], numericGradient(m.rnnPlain as never, [...args, T], which), 1e-6, `plain T=${T}`);
      for (const stretch of STRETCHES)
        for (const c of BUDGETS) {
          const g = withStretch(stretch, () => (m[`rnnC${c}Grad`] as (...a: unknown[]) => Float64Array[])(...args, T));
          expect(g).toEqual(plain);
        }
    }
  });

  it("a loop counting down, its counter read by the body: equal to the plain sweep across stretches", async () => {
    const down = (annotation: string, name: string) => `
export function ${name}(x: number, w: number[]): number {
  let y = x;
  ${annotation}
  for (let k = w.length - 1; k >= 0; k--) y = y + 0.05 * Math.sin(y * w[k] + k);
  return y * y;
}
export const ${name}Grad = grad(${name}, { wrt: [0] });`;
    const m = await importSource<Record<string, (x: number, w: number[]) => number>>(
      `import { grad } from "tsgrad";\n${down("// @tsgrad checkpoint off", "plain")}\n${down("// @tsgrad checkpoint 2", "checkpointed")}`,
    );
    for (const n of [0, 1, 2, 7, 40]) {
      const w = Array.from({ length: n }, (_, i) => 1 + Math.cos(i));
      const plain = m.plainGrad!(0.4, w);
      expect(plain).toBeCloseTo(((m.plain!(0.4 + 1e-6, w) as number) - (m.plain!(0.4 - 1e-6, w) as number)) / 2e-6, 6);
      for (const stretch of [1, 3, CHECKPOINT_DEFAULT_STRETCH]) expect(withStretch(stretch, () => m.checkpointedGrad!(0.4, w))).toBe(plain);
    }
  });

  it("random (n, c): checkpointed equals the plain sweep", async () => {
    const m = await load();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom(...BUDGETS),
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0.2, max: 1.5, noNaN: true }),
        (n, c, stretch, a) => {
          const p = [a, 1.1 - a / 3];
          const g = withStretch(stretch, () => (m[`odeC${c}Grad`] as (p: number[], n: number) => number[])(p, n));
          expect(g).toEqual((m.odePlainGrad as (p: number[], n: number) => number[])(p, n));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("checkpointed loops: memory", () => {
  /** The most stack entries one call holds. */
  function peakOf(call: () => unknown): number {
    stack.resetPeak();
    const base = stack.size;
    call();
    expect(stack.size).toBe(base);
    return stack.peak - base;
  }

  it("the stack holds one stretch whatever the trip count; the plain sweep's grows with it", async () => {
    const m = await load();
    const ode = (name: string, n: number) => () => (m[name] as (p: number[], n: number) => number[])(P, n);
    const rnn = (name: string, T: number) => () => (m[name] as (...a: unknown[]) => unknown)(...rnnInputs(T), T);
    // one iteration's tape (the classic schedule), then whole stretches of it
    const odeStep = withStretch(1, () => peakOf(ode("odeC3Grad", 10)));
    const rnnStep = withStretch(1, () => peakOf(rnn("rnnC2Grad", 5)));
    expect(odeStep).toBeLessThanOrEqual(4);
    for (const stretch of STRETCHES) {
      withStretch(stretch, () => {
        const small = peakOf(ode("odeC3Grad", 2 * stretch));
        expect(peakOf(ode("odeC3Grad", 3000))).toBe(small);
        expect(small).toBeLessThanOrEqual(stretch * odeStep);
        const rnnSmall = peakOf(rnn("rnnC2Grad", 2 * stretch));
        expect(peakOf(rnn("rnnC2Grad", 1000))).toBe(rnnSmall);
        expect(rnnSmall).toBeLessThanOrEqual(stretch * rnnStep);
      });
    }
    expect(peakOf(ode("odePlainGrad", 3000))).toBeGreaterThanOrEqual(3000);
    expect(peakOf(rnn("rnnPlainGrad", 1000))).toBeGreaterThan(100 * rnnStep);
  });

  /** The most bytes of snapshots one call holds. */
  function snapshotPeakOf(call: () => unknown): number {
    resetCheckpointMemory();
    const before = checkpointMemoryPeak();
    call();
    return checkpointMemoryPeak() - before;
  }

  it("snapshots hold at most c + 1 states of the loop-carried variables, scratch arrays left out", async () => {
    const m = await load();
    for (const c of [1, 3, 50]) {
      const peak = withStretch(1, () => snapshotPeakOf(() => (m[`rnnC${c}Grad`] as (...a: unknown[]) => unknown)(...rnnInputs(500), 500)));
      // the RNN's state: loss, t and h (3 numbers); \`next\` is written whole before it is read, each step
      const perState = (2 + 3) * 8;
      expect(peak).toBeLessThanOrEqual((c + 1) * perState);
      expect(peak).toBeGreaterThanOrEqual(Math.min(c, 2) * perState);
    }
  });

  it("an array written only in part before it is read is kept in the snapshots, and the gradient is right", async () => {
    const m = await load();
    const x = [0.7, 1.3];
    for (const T of [0, 1, 5, 40]) {
      const plain = (m.carriedPlainGrad as (x: number[], T: number) => number[])(x, T);
      expectClose(plain, numericGradient(m.carriedPlain as never, [x, T], 0), 1e-6, `plain T=${T}`);
      for (const stretch of [1, 3])
        for (const c of BUDGETS) {
          const run = () => (m[`carriedC${c}Grad`] as (x: number[], T: number) => number[])(x, T);
          expect(withStretch(stretch, run)).toEqual(plain);
          // acc, t and buf's 3 elements in every state
          if (T === 40 && stretch === 1)
            expect(withStretch(stretch, () => snapshotPeakOf(run))).toBeGreaterThanOrEqual(Math.min(c, 2) * (2 + 3) * 8);
        }
    }
  });
});

describe("checkpointed loops: what is refused, what is chosen", () => {
  const wrap = (body: string, params = "x: number, n: number") => `import { grad } from "tsgrad";
function f(${params}): number {
${body}
}
export const g = grad(f, { wrt: [0] });
`;

  it("a loop whose trip count is not known before it runs is refused when asked for", () => {
    const c = compileSource(
      wrap(`  let y = x;
  // @tsgrad checkpoint 4
  while (y < n) y = y * 1.5 + 0.1;
  return y;`),
    );
    expect(c.messages.join("\n")).toMatch(/TSG1021 5:3 .*cannot be checkpointed: its trip count is not known before it runs/);
  });

  it("a loop that gives an array a new one, or sits inside another loop, is refused when asked for", () => {
    const rebinding = compileSource(
      wrap(
        `  let v = [x, x];
  // @tsgrad checkpoint 4
  for (let k = 0; k < n; k++) {
    const w = [v[1], v[0] * 0.5];
    v = w;
  }
  return v[0];`,
      ),
    );
    expect(rebinding.messages.join("\n")).toMatch(/TSG1021 .*gives `v` a new array/);
    const nested = compileSource(
      wrap(`  let y = x;
  for (let j = 0; j < 2; j++) {
    // @tsgrad checkpoint 4
    for (let k = 0; k < n; k++) y = Math.sin(y);
  }
  return y;`),
    );
    expect(nested.messages.join("\n")).toMatch(/TSG1021 .*inside another loop/);
  });

  it("a loop inside a branch (after an early return) is checkpointed: its counter and schedule are hoisted", async () => {
    const source = wrap(`  if (n < 0) return 0;
  let y = x;
  let z = 0;
  // @tsgrad checkpoint 3
  for (let k = 0; k < n; k++) {
    z = z + y * 0.01 * k;
    y = Math.sin(y) + 0.1 * z;
  }
  return y * z;`);
    const c = compileSource(source);
    expect(c.messages).toEqual([]);
    expect(c.js).toContain("checkpointReverse");
    const m = await importSource<{ g: (x: number, n: number) => number }>(source);
    const f = (x: number, n: number) => {
      if (n < 0) return 0;
      let y = x;
      let z = 0;
      for (let k = 0; k < n; k++) {
        z = z + y * 0.01 * k;
        y = Math.sin(y) + 0.1 * z;
      }
      return y * z;
    };
    for (const n of [-1, 0, 1, 2, 9, 30]) expect(m.g(0.7, n)).toBeCloseTo((f(0.7 + 1e-6, n) - f(0.7 - 1e-6, n)) / 2e-6, 6);
  });

  it("a malformed annotation is refused with the forms it accepts", () => {
    const c = compileSource(
      wrap(`  let y = x;
  // @tsgrad checkpoint lots
  for (let k = 0; k < n; k++) y = Math.sin(y);
  return y;`),
    );
    expect(c.messages.join("\n")).toMatch(/TSG1021 .*budget must be a whole number of snapshots >= 1/);
  });

  it("a second derivative through a checkpointed loop is refused, not wrong", () => {
    const c = compileSource(`import { hvp } from "tsgrad";
function f(x: number, n: number): number {
  let y = x;
  // @tsgrad checkpoint 4
  for (let k = 0; k < n; k++) y = Math.sin(y) * y;
  return y;
}
export const h = hvp(f, { wrt: [0] });
`);
    expect(c.messages.join("\n")).toMatch(/TSG1021 .*cannot be differentiated again/);
  });

  it("unasked, a loop of a constant trip count >= 100000 is checkpointed; a shorter or unknown one is not", async () => {
    const body = (trips: string) =>
      wrap(`  let y = x;
  for (let k = 0; k < ${trips}; k++) y = y + 1e-6 * Math.sin(y);
  return y;`);
    const long = compileSource(body("100000"));
    expect(long.messages).toEqual([]);
    expect(long.js).toContain("checkpointReverse");
    for (const trips of ["99999", "n"]) {
      const c = compileSource(body(trips));
      expect(c.messages).toEqual([]);
      expect(c.js).not.toContain("checkpointReverse");
    }
    const m = await importSource<{ g: (x: number, n: number) => number }>(body("100000"));
    stack.resetPeak();
    const before = stack.size;
    const g = m.g(0.3, 0);
    // one stretch of one saved value per iteration, not 100000
    expect(stack.peak - before).toBeLessThanOrEqual(2 * CHECKPOINT_DEFAULT_STRETCH);
    // d/dx of 100000 steps of y + 1e-6 sin y, by central differences of the same recurrence
    const run = (x: number) => {
      let y = x;
      for (let k = 0; k < 100000; k++) y = y + 1e-6 * Math.sin(y);
      return y;
    };
    expect(g).toBeCloseTo((run(0.3 + 1e-6) - run(0.3 - 1e-6)) / 2e-6, 6);
  });

  it("`@tsgrad checkpoint off` keeps the plain sweep even for a long constant trip count", () => {
    const c = compileSource(
      wrap(`  let y = x;
  // @tsgrad checkpoint off
  for (let k = 0; k < 100000; k++) y = y + 1e-6 * Math.sin(y);
  return y;`),
    );
    expect(c.messages).toEqual([]);
    expect(c.js).not.toContain("checkpointReverse");
  });
});
