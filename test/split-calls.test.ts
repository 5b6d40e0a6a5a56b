/**
 * Recursive functions differentiated in split mode (passes/split-calls.ts): each level's forward
 * sweep runs once (`h_forward` saves what its reverse reads on the shared stacks, `h_reverse`
 * pops it), instead of each level recomputing the levels below it. References are central
 * differences and closed forms of the plain functions; every case also checks that the shared
 * stacks are left as they were found (a split half that pushed more than its reverse popped would
 * corrupt the next derivative).
 */
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jacobian, jvp, setTapeBudget, valueAndGrad, vjp } from "tsgrad";
import { refStack, stack } from "tsgrad/internal";
import { compileSource } from "./support/compile.js";
import { expectClose } from "./support/numeric.js";

/** Central differences of f along each coordinate of x. */
function differences(f: (x: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const at = (d: number) => f(x.map((v, j) => (j === i ? v + d : v)));
    return (at(h) - at(-h)) / (2 * h);
  });
}

/** The stacks' sizes around `run`: unchanged when every push was popped. */
function balanced<T>(run: () => T): T {
  const before = [stack.size, refStack.size];
  const out = run();
  expect([stack.size, refStack.size], "the shared stacks are left as they were").toEqual(before);
  return out;
}

/** Expansion by minors along the first row; `cols` lists the columns still free. */
function minor(a: number[], n: number, row: number, cols: number[]): number {
  if (cols.length === 1) return a[row * n + cols[0]!]!;
  let det = 0;
  let sign = 1;
  for (let k = 0; k < cols.length; k++) {
    const rest = cols.filter((_, i) => i !== k);
    det += sign * a[row * n + cols[k]!]! * minor(a, n, row + 1, rest);
    sign = -sign;
  }
  return det;
}
function det4(a: number[]): number {
  return minor(a, 4, 0, [0, 1, 2, 3]);
}

/** A recursion whose number parameter is reassigned before the call, with a local array it reads back. */
function decay(x: number, depth: number, rate: number): number {
  if (depth === 0) return Math.sin(x);
  const parts = [x * rate, Math.cos(x)];
  rate = rate * 0.9;
  const below = decay(x * rate + parts[1]!, depth - 1, rate);
  return parts[0]! * below + Math.exp(-below * below) + parts[1]!;
}
function decayOf(p: number[]): number {
  return decay(p[0]!, 6, p[1]!);
}

/** Two recursive calls per level (a tree of 2^depth leaves), one inside a branch. */
function tree(x: number, y: number, depth: number): number {
  if (depth === 0) return x * y;
  const left = tree(Math.sin(x) + y, x * 0.5, depth - 1);
  let right = 0;
  if (left > 0) right = tree(y, left * 0.3, depth - 1);
  return left * Math.cos(y) + right * right;
}
function treeOf(p: number[]): number {
  return tree(p[0]!, p[1]!, 5);
}

/** A recursive call per element inside a loop, which itself loops. */
function sumPowers(xs: number[], k: number): number {
  if (k === 0) return 1;
  let s = 0;
  for (const x of xs) s += x * sumPowers(xs, k - 1) * 0.25;
  return s;
}
function sumPowersOf(xs: number[]): number {
  return sumPowers(xs, 3);
}

function both(q: number[]): number[] {
  return [treeOf(q), decayOf(q)];
}

describe("split mode for recursive functions", () => {
  it("det by expansion (4 x 4): the gradient is the cofactor matrix, by differences", () => {
    const a = [2, -1, 0.5, 3, 1, 4, -2, 0.25, -0.5, 1.5, 3, -1, 2.5, 0, 1, -3];
    const g = balanced(() => grad(det4)(a));
    expectClose(g, differences(det4, a), 1e-6);
    const vg = balanced(() => valueAndGrad(det4)(a));
    expectClose(vg.value, det4(a), 1e-12);
    expectClose(vg.grad, g, 1e-12);
  });
  it("a reassigned number parameter and a local array read back: grad is differences", () => {
    for (const p of [
      [0.4, 1.1],
      [-1.2, 0.7],
    ]) {
      const g = balanced(() => grad(decayOf)(p));
      expectClose(g, differences(decayOf, p), 1e-6);
    }
  });
  it("two recursive calls per level, one under a branch: grad is differences", () => {
    for (const p of [
      [0.3, 0.8],
      [1.1, -0.4],
      [-0.7, 0.2],
    ]) {
      const g = balanced(() => grad(treeOf)(p));
      expectClose(g, differences(treeOf, p), 1e-5);
    }
  });
  it("a recursive call per element inside a loop: grad is the closed form 3 (S/4)² / 4 · ... by differences", () => {
    const xs = [0.5, -1.5, 2, 0.25];
    const g = balanced(() => grad(sumPowersOf)(xs));
    // sumPowers(xs, 3) = (S/4)^3 with S = sum xs: the gradient is 3 (S/4)² / 4 in every entry
    const s = xs.reduce((a, b) => a + b, 0) / 4;
    expectClose(sumPowersOf(xs), s ** 3, 1e-12);
    expectClose(g, xs.map(() => (3 * s * s) / 4), 1e-12);
  });
  it("vjp and jacobian (reverse mode) of a recursive function agree with jvp (forward mode): the dot-product test", () => {
    const p = [0.6, 0.9];
    const u = [0.3, -1.1];
    const { value, pullback: pull } = balanced(() => vjp(treeOf)(p));
    expectClose(value, treeOf(p), 1e-12);
    const ju = jvp(treeOf)(p, u).tangent;
    expectClose(balanced(() => pull(1)).reduce((acc: number, g: number, i: number) => acc + g * u[i]!, 0), ju, 1e-10);
    const J = balanced(() => jacobian(both, { mode: "reverse" })(p));
    expectClose(J[0]!, differences(treeOf, p), 1e-5);
    expectClose(J[1]!, differences(decayOf, p), 1e-5);
  });
  it("past the tape budget, calls recompute in joint mode: the same gradients, and the stacks' peak falls with the budget", () => {
    const a = [2, -1, 0.5, 3, 1, 4, -2, 0.25, -0.5, 1.5, 3, -1, 2.5, 0, 1, -3];
    const p = [0.3, 0.8];
    const fullDet = grad(det4)(a);
    const fullTree = grad(treeOf)(p);
    const peaks: number[] = [];
    for (const budget of [1 << 24, 60, 12, 0]) {
      const previous = setTapeBudget(budget);
      try {
        stack.resetPeak();
        expectClose(balanced(() => grad(det4)(a)), fullDet, 1e-12);
        peaks.push(stack.peak);
        expectClose(balanced(() => grad(treeOf)(p)), fullTree, 1e-12);
        expectClose(balanced(() => grad(decayOf)([0.4, 1.1])), differences(decayOf, [0.4, 1.1]), 1e-6);
      } finally {
        setTapeBudget(previous);
      }
    }
    // all split, part split, all joint: each smaller budget holds fewer values at once
    expect(peaks[1]!).toBeLessThan(peaks[0]!);
    expect(peaks[3]!).toBeLessThan(peaks[1]!);
  });
  it("second order through the recursion (joint mode there): hvp and hessian are differences of the gradient", () => {
    const p = [0.4, 1.1];
    const H = balanced(() => hessian(decayOf)(p));
    for (let i = 0; i < 2; i++) expectClose(H[i]!, differences((q) => grad(decayOf)(q)[i]!, p, 1e-5), 1e-5);
    expectClose(balanced(() => hvp(decayOf)(p, [1, -2])), [H[0]![0]! - 2 * H[0]![1]!, H[1]![0]! - 2 * H[1]![1]!], 1e-10);
  });
});

describe("generated code", () => {
  const source = `import { grad } from "tsgrad";
function minor(a: Float64Array, n: number, row: number, used: number): number {
  if (row === n - 1) {
    let last = 0;
    for (let j = 0; j < n; j++) if ((used & (1 << j)) === 0) last = j;
    return a[row * n + last]!;
  }
  let det = 0;
  let sign = 1;
  for (let j = 0; j < n; j++)
    if ((used & (1 << j)) === 0) {
      det += sign * a[row * n + j]! * minor(a, n, row + 1, used | (1 << j));
      sign = -sign;
    }
  return det;
}
function det(a: Float64Array, n: number): number {
  return minor(a, n, 0, 0);
}
export const g = grad(det, { wrt: [0] });
`;
  it("each level's forward sweep runs once where the stacks have room: the gradient calls the halves, the joint pullback past the budget", () => {
    const { js, messages } = compileSource(source);
    expect(messages).toEqual([]);
    /** A generated function's code lines (its comments name the source line, which calls `minor`). */
    const code = (name: string) =>
      new RegExp(`function ${name}\\([^]*?\\n}`)
        .exec(js ?? "")![0]
        .split("\n")
        .filter((line) => !line.trim().startsWith("//"))
        .join("\n");
    const gradient = code("det_grad");
    expect(gradient).toContain("roomOnTape()");
    expect(gradient).toMatch(/if \(room\) \{\s*\w+ = minor_forward\(/);
    expect(gradient).toMatch(/if \(taped\) \{\s*minor_reverse\([^]*\}\s*else\s*\{\s*minor_adjoint\(/);
    const forward = code("minor_forward");
    // each level's forward calls the next level's, and keeps what its reverse reads
    expect(forward).toMatch(/\n[^\n]*minor_forward\(/);
    expect(forward).toContain(".push(");
    const reverse = code("minor_reverse");
    expect(reverse).toContain(".pop()");
    expect(reverse).toMatch(/\n[^\n]*minor_reverse\(/);
    expect(reverse).not.toContain("minor_forward(");
  });
});
