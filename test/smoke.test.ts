import { describe, expect, it } from "vitest";
import { grad } from "tsgrad";

function rosen(x: number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
  }
  return s;
}

describe("smoke", () => {
  it("rosenbrock", () => {
    const g = grad(rosen)([1.2, 1, 0.8]);
    expect(g[0]).toBeCloseTo(211.6, 10);
  });
});
