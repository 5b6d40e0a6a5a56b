/**
 * det: the determinant by expansion along the first row of each minor (recursive, O(ell!)), and
 * its gradient in the matrix, which is the cofactor matrix.
 */
import { grad } from "tsgrad";
import { integer, record, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

/**
 * Determinant of the minor of `a` (ell by ell, row-major) made of rows `row`..ell-1 and the
 * columns listed in `cols`.
 */
export function minorDeterminant(a: Float64Array, ell: number, row: number, cols: number[]): number {
  if (cols.length === 1) return a[row * ell + cols[0]!]!;
  let det = 0;
  let sign = 1;
  for (let j = 0; j < cols.length; j++) {
    const rest: number[] = [];
    for (let k = 0; k < cols.length; k++) if (k !== j) rest.push(cols[k]!);
    det += sign * a[row * ell + cols[j]!]! * minorDeterminant(a, ell, row + 1, rest);
    sign = -sign;
  }
  return det;
}

export function determinant(a: Float64Array, ell: number): number {
  const cols: number[] = [];
  for (let j = 0; j < ell; j++) cols.push(j);
  return minorDeterminant(a, ell, 0, cols);
}

export const determinantGradient = grad(determinant, { wrt: [0] });

interface DetInput {
  readonly a: Float64Array;
  readonly ell: number;
}

function prepare(input: unknown): DetInput {
  const r = record(input);
  const ell = integer(r.ell, "ell", 1);
  return { a: vector(r.A, "A", ell * ell), ell };
}

export const det: EvalModule = {
  name: "det",
  functions: {
    primal: evalFunction({ prepare, compute: (p) => determinant(p.a, p.ell), answer: (y: number) => y }),
    gradient: evalFunction({ prepare, compute: (p) => determinantGradient(p.a, p.ell), answer: (g) => Array.from(g) }),
  },
};
