/**
 * kmeans: the k-means cost (each point's squared distance to its nearest centroid, summed) and
 * the Newton direction J H⁻¹ in the centroids. The Hessian is diagonal (a point moves only its
 * own nearest centroid, quadratically), so one Hessian-vector product along a vector of ones is
 * its diagonal, and forward over reverse gives it together with the gradient.
 */
import { grad, jvp } from "tsgrad";
import { fail, record, rows, toRows } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

/** |points[i] - centroids[j]|² for rows of length d. */
export function squaredDistance(points: Float64Array, i: number, centroids: Float64Array, j: number, d: number): number {
  let dist = 0;
  for (let l = 0; l < d; l++) {
    const diff = points[i * d + l]! - centroids[j * d + l]!;
    dist += diff * diff;
  }
  return dist;
}

/** `points` (n by d) and `centroids` (k by d), row-major. */
export function kmeansCost(points: Float64Array, centroids: Float64Array, d: number): number {
  const n = points.length / d;
  const k = centroids.length / d;
  let cost = 0;
  for (let i = 0; i < n; i++) {
    let closest = Infinity;
    for (let j = 0; j < k; j++) closest = Math.min(closest, squaredDistance(points, i, centroids, j, d));
    cost += closest;
  }
  return cost;
}

/** The gradient in the centroids (value) and the Hessian times a direction (tangent). */
export const kmeansGradientAndCurvature = jvp(grad(kmeansCost, { wrt: [1] }), { wrt: [1] });

export function newtonDirection(points: Float64Array, centroids: Float64Array, d: number): Float64Array {
  const ones = new Float64Array(centroids.length).fill(1);
  const { value: gradient, tangent: curvature } = kmeansGradientAndCurvature(points, centroids, d, ones);
  const dir = new Float64Array(centroids.length);
  for (let i = 0; i < dir.length; i++) dir[i] = gradient[i]! / curvature[i]!;
  return dir;
}

interface KmeansInput {
  readonly points: Float64Array;
  readonly centroids: Float64Array;
  readonly k: number;
  readonly d: number;
}

function prepare(input: unknown): KmeansInput {
  const r = record(input);
  const points = rows(r.points, "points");
  if (points.rows === 0 || points.cols === 0) fail("points must hold at least one point of at least one coordinate");
  const centroids = rows(r.centroids, "centroids", { cols: points.cols });
  if (centroids.rows === 0) fail("centroids must not be empty");
  return { points: points.data, centroids: centroids.data, k: centroids.rows, d: points.cols };
}

export const kmeans: EvalModule = {
  name: "kmeans",
  functions: {
    cost: evalFunction({ prepare, compute: (p) => kmeansCost(p.points, p.centroids, p.d), answer: (y: number) => y }),
    dir: evalFunction({ prepare, compute: (p) => newtonDirection(p.points, p.centroids, p.d), answer: (dir, p) => toRows(dir, p.k, p.d) }),
  },
};
