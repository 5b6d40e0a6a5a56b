/**
 * Curvature from generated Hessians: classify critical points by the signs of the Hessian's
 * eigenvalues, read the conditioning of a quadratic from them, and take a Newton step.
 *
 *   x^2 + y^2        minimum at the origin (both eigenvalues > 0)
 *   x^2 - y^2        saddle (one > 0, one < 0)
 *   -(x^2 + y^2)     maximum (both < 0)
 *   (x1^2 + 10 x2^2) / 2: condition number 10; one Newton step from (1, 1) lands on (0, 0)
 *
 * Run: npx tsgrad run examples/critical-points.ts
 */
import { pathToFileURL } from "node:url";
import { grad, hessian } from "tsgrad";

export function bowl(p: number[]): number {
  return p[0]! * p[0]! + p[1]! * p[1]!;
}
export function saddle(p: number[]): number {
  return p[0]! * p[0]! - p[1]! * p[1]!;
}
export function dome(p: number[]): number {
  return -(p[0]! * p[0]! + p[1]! * p[1]!);
}
export function anisotropic(p: number[]): number {
  return (p[0]! * p[0]! + 10 * p[1]! * p[1]!) / 2;
}

/** Eigenvalues of a symmetric 2-by-2 matrix, smallest first. */
export function eigenvalues2(h: number[][]): [number, number] {
  const a = h[0]![0]!;
  const b = h[0]![1]!;
  const d = h[1]![1]!;
  const mean = (a + d) / 2;
  const radius = Math.hypot((a - d) / 2, b);
  return [mean - radius, mean + radius];
}

export function classify(h: number[][]): "minimum" | "maximum" | "saddle" | "degenerate" {
  const [lo, hi] = eigenvalues2(h);
  if (lo > 0) return "minimum";
  if (hi < 0) return "maximum";
  if (lo < 0 && hi > 0) return "saddle";
  return "degenerate";
}

/** One Newton step x - H^-1 g for a 2-by-2 Hessian. */
export function newtonStep(x: number[], g: number[], h: number[][]): number[] {
  const [a, b, c, d] = [h[0]![0]!, h[0]![1]!, h[1]![0]!, h[1]![1]!];
  const det = a * d - b * c;
  return [x[0]! - (d * g[0]! - b * g[1]!) / det, x[1]! - (-c * g[0]! + a * g[1]!) / det];
}

export const hessians = {
  bowl: hessian(bowl),
  saddle: hessian(saddle),
  dome: hessian(dome),
  anisotropic: hessian(anisotropic),
};
export const anisotropicGrad = grad(anisotropic);

function main(): void {
  const origin = [0, 0];
  for (const [name, h] of Object.entries({ "x^2 + y^2": hessians.bowl, "x^2 - y^2": hessians.saddle, "-(x^2 + y^2)": hessians.dome })) {
    const H = h(origin);
    const grad0 = name === "x^2 + y^2" ? grad(bowl)(origin) : name === "x^2 - y^2" ? grad(saddle)(origin) : grad(dome)(origin);
    console.log(`${name.padEnd(14)} gradient at the origin [${grad0.join(", ")}], Hessian ${JSON.stringify(H)}, eigenvalues ${eigenvalues2(H).join(", ")}: ${classify(H)}`);
  }
  const start = [1, 1];
  const H = hessians.anisotropic(start);
  const [lo, hi] = eigenvalues2(H);
  console.log(`\n(x1^2 + 10 x2^2)/2: Hessian ${JSON.stringify(H)}, condition number ${hi / lo}`);
  console.log(`one Newton step from (1, 1) lands on (${newtonStep(start, anisotropicGrad(start), H).join(", ")})`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
