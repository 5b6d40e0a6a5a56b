/**
 * Broadcasting as NumPy does it (shapes aligned from the right; a dimension of 1 stretches): the
 * result's shape, and the row loop that the kernels of arithmetic, reductions and matmul share.
 */
import { describeShape, type Shape, sizeOf, stridesOf } from "./tensor.js";

export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new Error(
        `${op}: shapes ${describeShape(a)} and ${describeShape(b)} do not broadcast (dimensions are aligned from the right; each pair must be equal or contain a 1)`,
      );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `t` read as shape `out` (0 along broadcast dimensions). */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const strides = stridesOf(shape);
  const n = out.length;
  const r = new Array<number>(n).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const axis = n - shape.length + i;
    r[axis] = shape[i] === 1 && out[axis] !== 1 ? 0 : strides[i]!;
  }
  return r;
}

/**
 * Visits the broadcast output row by row (a row: the last axis): `visit(o, ia, ib, length, da, db)`
 * gets the row's first output index, the offsets of its first elements in a and b, and their
 * steps along the row. Kernels run their own tight loop over each row: no call per element.
 */
export function forEachRow(
  out: Shape,
  sa: readonly number[],
  sb: readonly number[],
  visit: (o: number, ia: number, ib: number, length: number, da: number, db: number) => void,
): void {
  const n = out.length;
  if (n === 0) {
    visit(0, 0, 0, 1, 0, 0);
    return;
  }
  const length = out[n - 1]!;
  const rows = length === 0 ? 0 : sizeOf(out) / length;
  const counter = new Array<number>(n - 1).fill(0);
  let ia = 0;
  let ib = 0;
  for (let r = 0; r < rows; r++) {
    visit(r * length, ia, ib, length, sa[n - 1]!, sb[n - 1]!);
    for (let axis = n - 2; axis >= 0; axis--) {
      counter[axis]!++;
      ia += sa[axis]!;
      ib += sb[axis]!;
      if (counter[axis]! < out[axis]!) break;
      ia -= sa[axis]! * out[axis]!;
      ib -= sb[axis]! * out[axis]!;
      counter[axis] = 0;
    }
  }
}
