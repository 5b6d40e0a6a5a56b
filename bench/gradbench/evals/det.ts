/**
 * det: the determinant by expansion along the first row of each minor (recursive, O(ell!)), and
 * its gradient in the matrix, which is the cofactor matrix.
 */
import { grad } from "tsgrad";
import { integer, record, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

/**
 * Determinant of the minor of `a` (ell by ell, row-major) made of rows `row`..ell-1 and the
 * columns whose bits are clear in `used` (bit j is set when a row above took column j):
 * expansion along its first row. A set of bits rather than a list of the remaining columns, so
 * that no array is made at any level of the recursion (ell up to 30: 32-bit integers).
 */
export function minorDeterminant(a: Float64Array, ell: number, row: number, used: number): number {
  if (row === ell - 1) {
    let last = 0;
    for (let j = 0; j < ell; j++) if ((used & (1 << j)) === 0) last = j;
    return a[row * ell + last]!;
  }
  let det = 0;
  let sign = 1;
  for (let j = 0; j < ell; j++) {
    if ((used & (1 << j)) === 0) {
      det += sign * a[row * ell + j]! * minorDeterminant(a, ell, row + 1, used | (1 << j));
      sign = -sign;
    }
  }
  return det;
}

export function determinant(a: Float64Array, ell: number): number {
  return minorDeterminant(a, ell, 0, 0);
}

export const determinantGradient = grad(determinant, { wrt: [0] });

interface DetInput {
  readonly a: Float64Array;
  readonly ell: number;
}

function prepare(input: unknown): DetInput {
  const r = record(input);
  const ell = integer(r.ell, "ell", 1);
  if (ell > 30)
    throw new Error(`ell must be at most 30 (the expansion by minors keeps the columns taken as the bits of a 32-bit integer), got ${ell}`);
  return { a: vector(r.A, "A", ell * ell), ell };
}

export const det: EvalModule = {
  name: "det",
  functions: {
    primal: evalFunction({ prepare, compute: (p) => determinant(p.a, p.ell), answer: (y: number) => y }),
    gradient: evalFunction({ prepare, compute: (p) => determinantGradient(p.a, p.ell), answer: (g) => Array.from(g) }),
  },
};
