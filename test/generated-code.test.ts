/**
 * What the generated code is like, not only what it computes: the analyses that keep it close to
 * what a person would write must be in effect. Each case compiles a small module and reads the
 * emitted JavaScript of one generated function.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "./support/compile.js";

/** The emitted text of the generated function `name` (up to the next top-level function). */
function generated(source: string, name: string): string {
  const c = compileSource(source);
  expect(c.messages, c.messages.join("\n")).toEqual([]);
  const js = c.js!;
  const start = js.indexOf(`function ${name}(`);
  expect(start, `${name} in\n${js}`).toBeGreaterThanOrEqual(0);
  const next = js.indexOf("\nfunction ", start + 1);
  return js.slice(start, next < 0 ? undefined : next);
}

const rosen = `
export function rosen(x: number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
  }
  return s;
}`;

describe("generated code", () => {
  it("Rosenbrock's gradient stores nothing and counts no trips: one reverse loop", () => {
    const code = generated(`import { grad } from "tsgrad";${rosen}\nexport const g = grad(rosen);\n`, "rosen_grad");
    expect(code).not.toMatch(/stack|trips|push\(/);
    expect(code.match(/for \(/g)).toHaveLength(1);
    expect(code).toContain("i >= 0; i--");
  });

  it("a Newton iteration stores only the overwritten iterate", () => {
    const code = generated(
      `import { grad } from "tsgrad";
export function root(a: number): number {
  let y = a;
  while (Math.abs(y * y - a) > 1e-12) y = 0.5 * (y + a / y);
  return y;
}
export const g = grad(root);\n`,
      "root_grad",
    );
    expect(code.match(/stack\.push\(/g)).toHaveLength(1);
    expect(code).toContain("stack.push(y)");
  });

  it("an accumulator's overwritten values are not stored when nothing reads them back; counted loops keep no trip counts", () => {
    const code = generated(
      `import { grad } from "tsgrad";
export function mse(w: Float64Array, b: number, x: Float64Array, y: Float64Array): number {
  const d = w.length;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    let p = b;
    for (let j = 0; j < d; j++) p += w[j]! * x[i * d + j]!;
    const r = p - y[i]!;
    s += r * r;
  }
  return s / y.length;
}
export const g = grad(mse, { wrt: [0, 1] });\n`,
      "mse_grad",
    );
    // p's value at the end of each row is read back (r = p - y[i]); its partial sums never are
    expect(code.match(/stack\.push\(p\)/g)).toHaveLength(1);
    // both loops run backwards from their bounds: no trip counts are kept
    expect(code).not.toContain("trips");
    expect(code).toContain("j = d - 1; j >= 0; j--");
    const inner = code.slice(code.indexOf("for (let j"), code.indexOf("}", code.indexOf("for (let j")));
    expect(inner).not.toContain("stack");
  });

  it("the Hessian-vector product does not accumulate the gradient itself", () => {
    const code = generated(`import { hvp } from "tsgrad";${rosen}\nexport const h = hvp(rosen);\n`, "rosen_hvp");
    expect(code).toContain("x_bar_dot");
    expect(code).not.toMatch(/\bx_bar\[/);
  });

  it("element-wise tensor code keeps no shape bookkeeping", () => {
    const code = generated(
      `import { grad } from "tsgrad";
import { item, matmul, mul, sum, tanh, tensor, Tensor } from "tsgrad/tensor";
const X = tensor([[1, 2], [0.5, -1]], [2, 2]);
export function loss(w: Tensor): number {
  const h = tanh(matmul(X, w));
  return item(sum(mul(h, h)));
}
export const g = grad(loss);\n`,
      "loss_grad",
    );
    expect(code).not.toMatch(/unbroadcast|broadcastLike|expandReduced|full\(|shapeOf/);
  });

  it("a forward-mode Jacobian is one vector sweep: every direction's tangent in one pass over the primal", () => {
    const source = `import { jacobian } from "tsgrad";
export function step(u: Float64Array): Float64Array {
  const next = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) next[i] = u[i]! + 0.1 * Math.sin(u[(i + 1) % u.length]!);
  return next;
}
export const J = jacobian(step, { mode: "forward" });\n`;
    expect(generated(source, "step_jacobian_forward")).toContain("step_jvp_directions(u, tsgrad.identityDirections(u), u.length)");
    const sweep = generated(source, "step_jvp_directions");
    // the primal loop runs once; inside it, one loop over the directions per tangent statement
    expect(sweep.match(/Math\.sin\(/g)).toHaveLength(1);
    expect(sweep).toMatch(/for \(let d = 0; d < directions; d\+\+\)/);
  });

  it("the pullback of a gradient called inside a function is a Hessian-vector product, not a reversed reverse sweep", () => {
    const source = `import { grad } from "tsgrad";
function h(x: number, y: number): number { return x * x * y + Math.sin(x * y); }
export function f(x: number): number {
  const [dx, dy] = grad(h)(x, 2 * x);
  return dx * dy;
}
export const g = grad(f);\n`;
    const pullback = generated(source, "h_grad_adjoint");
    expect(pullback).toContain("h_grad_jvp(");
    expect(pullback).not.toMatch(/stack/);
  });
});
