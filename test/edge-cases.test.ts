/**
 * Corner cases a user reaches quickly: identity and constant functions, unused parameters,
 * variables declared without a value, loops on a bound held in a variable, `while (true)` with a
 * break, powers, chained conditionals, structured parameters iterated with for...of, and
 * functions that return one of their parameters.
 */
import { describe, expect, it } from "vitest";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { verifyDerivatives } from "./support/verify.js";

function identity(x: number): number {
  return x;
}
function constant(x: number): number {
  return 3;
}
function unused(x: number, y: number): number {
  return x * x;
}
function declaredLater(x: number, flag: boolean): number {
  let y: number;
  if (flag) y = x * x;
  else y = -x;
  return y * 2;
}
function boundInVariable(x: number[]): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i += 2) s += x[i]! * Math.cos(x[i]!);
  return s;
}
function untilConverged(a: number): number {
  let y = 1;
  let k = 0;
  while (true) {
    const next = Math.cos(y) * 0.5 + a;
    if (Math.abs(next - y) < 1e-13 || k > 200) break;
    y = next;
    k++;
  }
  return y;
}
function powers(x: number): number {
  return x ** 0.5 + Math.pow(x, 3) + x ** -1 + 2 ** x + x ** x;
}
function chained(x: number): number {
  return x < -1 ? -x : x < 0 ? x * x : x < 1 ? Math.sin(x) : Math.log(x) + Math.sin(1);
}
function fields(p: { w: number[]; b: number }): number {
  let s = p.b;
  for (const v of p.w) s += v * v * p.b;
  return s;
}
function returnsParameter(x: number, y: number): number {
  if (x > y) return x;
  return y;
}
function countdown(x: number[]): number {
  let s = 0;
  for (let i = x.length - 1; i >= 0; i--) s = s * 0.5 + x[i]!;
  return s;
}

describe("corner cases", () => {
  it("identity", () => verifyDerivatives(identity, { grad: grad(identity), jvp: jvp(identity), valueAndGrad: valueAndGrad(identity) }, [1.7]));
  it("constant: gradient exactly 0", () => {
    expect(grad(constant)(2)).toBe(0);
    expect(jvp(constant)(2, 1).tangent).toBe(0);
  });
  it("unused parameter: its gradient is exactly 0", () => {
    expect(grad(unused)(3, 4)).toEqual([6, 0]);
  });
  it("let without a value, assigned in branches", () => {
    verifyDerivatives(declaredLater, { grad: grad(declaredLater, { wrt: [0] }), jvp: jvp(declaredLater, { wrt: [0] }) }, [0.7, true], { params: [0] });
    verifyDerivatives(declaredLater, { grad: grad(declaredLater, { wrt: [0] }), jvp: jvp(declaredLater, { wrt: [0] }) }, [0.7, false], { params: [0] });
  });
  it("loop bound in a variable, step 2", () => verifyDerivatives(boundInVariable, { grad: grad(boundInVariable), jvp: jvp(boundInVariable) }, [[0.1, 0.2, 0.3, 0.4, 0.5]]));
  it("while (true) with a break on convergence", () =>
    verifyDerivatives(untilConverged, { grad: grad(untilConverged), jvp: jvp(untilConverged), valueAndGrad: valueAndGrad(untilConverged) }, [0.3]));
  it("powers", () => verifyDerivatives(powers, { grad: grad(powers), jvp: jvp(powers) }, [1.3]));
  it("chained conditionals, every branch", () => {
    for (const x of [-2, -0.5, 0.5, 2]) verifyDerivatives(chained, { grad: grad(chained), jvp: jvp(chained) }, [x]);
  });
  it("for...of over an array field of an object parameter", () =>
    verifyDerivatives(fields, { grad: grad(fields), jvp: jvp(fields), valueAndGrad: valueAndGrad(fields) }, [{ w: [0.5, -1, 2], b: 0.3 }]));
  it("returning a parameter", () => {
    expect(grad(returnsParameter)(3, 1)).toEqual([1, 0]);
    expect(grad(returnsParameter)(1, 3)).toEqual([0, 1]);
  });
  it("a loop counting down", () => verifyDerivatives(countdown, { grad: grad(countdown), jvp: jvp(countdown) }, [[1, 2, 3, 4]]));
});

function labelled(x: number[], mode: string): number {
  let s = 0;
  let current = mode;
  for (let i = 0; i < x.length; i++) {
    if (current === "square") s += x[i]! * x[i]!;
    else s += Math.sin(x[i]!);
    current = current === "square" ? "sine" : "square";
  }
  return s;
}

describe("string data", () => {
  it("a string parameter is data: compared, reassigned in a loop, never differentiated", () => {
    verifyDerivatives(labelled, { grad: grad(labelled, { wrt: [0] }), jvp: jvp(labelled, { wrt: [0] }) }, [[0.5, -1, 2, 0.3], "square"], { params: [0] });
  });
});
