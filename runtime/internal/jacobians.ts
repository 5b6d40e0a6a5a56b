/**
 * Matrices from sweeps: what generated `hessian` and `jacobian` functions call with the generated
 * Hessian-vector product, tangent or pullback (one sweep per row or column, or one vector sweep).
 */

/**
 * The Hessian from Hessian-vector products: row i is H e_i (H is symmetric, so rows are columns).
 * Generated hessian() code calls this with the generated product; n products, each O(gradient).
 */
export function hessianFromHvp<X extends number[] | Float64Array>(hvp: (direction: X) => ArrayLike<number>, x: X): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < x.length; i++) rows.push(Array.from(hvp(basis(x, i))));
  return rows;
}

/**
 * The Jacobian of f: R^n -> R^m (rows are outputs), by forward mode: n tangent sweeps, one per
 * input; column j is J e_j.
 */
export function jacobianForward<X extends number[] | Float64Array>(tangent: (direction: X) => ArrayLike<number>, x: X): number[][] {
  const n = x.length;
  let rows: number[][] = [];
  for (let j = 0; j < n; j++) {
    const column = tangent(basis(x, j));
    if (j === 0) rows = Array.from({ length: column.length }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < column.length; i++) rows[i]![j] = column[i]!;
  }
  return rows;
}

/**
 * Every basis direction at once, for a vector forward sweep over an array of n: the n x n
 * identity, direction d of element i at i * n + d (a Float64Array for a Float64Array).
 */
export function identityDirections<X extends number[] | Float64Array>(x: X): X {
  const n = x.length;
  const e = (x instanceof Float64Array ? new Float64Array(n * n) : new Array<number>(n * n).fill(0)) as X;
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return e;
}

/**
 * The Jacobian's rows from a vector forward sweep along every basis direction: the derivative of
 * output i along direction d is at i * inputs + d.
 */
export function jacobianRows(tangent: ArrayLike<number>, inputs: number): number[][] {
  const rows: number[][] = [];
  // plain loops: Array.from with a mapping function costs several times as much per element
  for (let i = 0; i * inputs < tangent.length; i++) {
    const row = new Array<number>(inputs);
    for (let d = 0; d < inputs; d++) row[d] = tangent[i * inputs + d]!;
    rows.push(row);
  }
  return rows;
}

/**
 * The Jacobian of f: R^n -> R^m (rows are outputs), by reverse mode: m pullbacks, one per output;
 * row i is e_i^T J.
 */
export function jacobianReverse<Y extends number[] | Float64Array>(pullback: (cotangent: Y) => ArrayLike<number>, y: Y): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < y.length; i++) rows.push(Array.from(pullback(basis(y, i))));
  return rows;
}

/** The basis vector e_i shaped like x (a Float64Array for a Float64Array). */
function basis<X extends number[] | Float64Array>(x: X, i: number): X {
  const e = (x instanceof Float64Array ? new Float64Array(x.length) : new Array<number>(x.length).fill(0)) as X;
  e[i] = 1;
  return e;
}
