import { describe, expect, it } from "vitest";
import { grad, jvp } from "tsgrad";
import { compileSource, importSource } from "./support/compile.js";
import { verifyDerivatives } from "./support/verify.js";

describe("compile harness", () => {
  it("compiles and runs source text", async () => {
    const m = await importSource<{ g: (x: number) => number }>(`
      import { grad } from "tsgrad";
      export const g = grad((x: number) => x * x * x);
    `);
    expect(m.g(2)).toBe(12);
  });
  it("reports refusals", () => {
    const c = compileSource(`
      import { grad } from "tsgrad";
      function f(x: number): number { try { return x; } catch { return 0; } }
      export const g = grad(f);
    `);
    expect(c.messages.some((m) => m.startsWith("TSG1004 3:39"))).toBe(true);
  });
});

function curve(x: number[], s: number): number {
  return x[0]! * x[0]! * s + Math.sin(x[1]!);
}
const dcurve = grad(curve);
const tcurve = jvp(curve);

describe("verifyDerivatives (test/support/verify.ts)", () => {
  it("accepts correct derivatives that leave their arguments alone", () => {
    verifyDerivatives(curve, { grad: dcurve, jvp: tcurve }, [[1.5, -2], 0.5]);
  });
  it("fails when a derivative writes into the caller's arguments (deliberate cases)", () => {
    const writesInput = (x: number[], s: number) => {
      const r = dcurve(x, s);
      x[1] = 0;
      return r;
    };
    expect(() => verifyDerivatives(curve, { grad: writesInput, jvp: tcurve }, [[1.5, -2], 0.5])).toThrow(/changed its argument 0 \(entry 1: -2 became 0\)/);
    const writesDirection = (x: number[], s: number, dx: number[], ds: number) => {
      const r = tcurve(x, s, dx, ds);
      dx[0] = -dx[0]!;
      return r;
    };
    expect(() => verifyDerivatives(curve, { grad: dcurve, jvp: writesDirection }, [[1.5, -2], 0.5])).toThrow(/changed its argument 2/);
  });
  it("fails for a gradient off by a little, and for a tangent that disagrees with it", () => {
    const off = (x: number[], s: number) => {
      const [gx, gs] = dcurve(x, s);
      return [[gx[0]! * (1 + 1e-4), gx[1]!], gs] as [number[], number];
    };
    expect(() => verifyDerivatives(curve, { grad: off }, [[1.5, -2], 0.5])).toThrow(/grad vs finite differences/);
    const tangentOff = (x: number[], s: number, dx: number[], ds: number) => ({ ...tcurve(x, s, dx, ds), tangent: tcurve(x, s, dx, ds).tangent + 1e-3 });
    expect(() => verifyDerivatives(curve, { grad: dcurve, jvp: tangentOff }, [[1.5, -2], 0.5])).toThrow(/jvp vs finite differences/);
  });
});
