/**
 * The matrix-product kernel shared by matmul and the adjoints of matmul. Internal: not a tensor
 * operation, not exported from "tsgrad/tensor".
 */

const BLOCK = 64;

/**
 * C[m, n] += A'[m, k] B[k, n], where A'[i][p] = A[ao + i * rowStride + p * colStride] (a matrix
 * stored row by row has strides k and 1; its transpose, 1 and its row length), blocked over k and
 * n. The inner loop runs along contiguous rows of B and C and takes four rows of B at a time, so
 * that each load and store of C carries four multiply-adds instead of one; a group of four zeros
 * in A' (one-hot data) is skipped.
 */
export function matmulKernel(
  A: Float64Array,
  ao: number,
  rowStride: number,
  colStride: number,
  B: Float64Array,
  bo: number,
  C: Float64Array,
  co: number,
  m: number,
  k: number,
  n: number,
): void {
  if (n === 1) {
    // a matrix times a vector: one dot product per row, accumulated in a register
    for (let i = 0; i < m; i++) {
      const aRow = ao + i * rowStride;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[aRow + p * colStride]! * B[bo + p]!;
      C[co + i]! += s;
    }
    return;
  }
  for (let kk = 0; kk < k; kk += BLOCK) {
    const kEnd = Math.min(kk + BLOCK, k);
    for (let jj = 0; jj < n; jj += BLOCK) {
      const jEnd = Math.min(jj + BLOCK, n);
      for (let i = 0; i < m; i++) {
        const cRow = co + i * n;
        const aRow = ao + i * rowStride;
        let p = kk;
        for (; p + 3 < kEnd; p += 4) {
          const a0 = A[aRow + p * colStride]!;
          const a1 = A[aRow + (p + 1) * colStride]!;
          const a2 = A[aRow + (p + 2) * colStride]!;
          const a3 = A[aRow + (p + 3) * colStride]!;
          if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
          const b0 = bo + p * n;
          const b1 = b0 + n;
          const b2 = b1 + n;
          const b3 = b2 + n;
          for (let j = jj; j < jEnd; j++) C[cRow + j]! += a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! + a3 * B[b3 + j]!;
        }
        for (; p < kEnd; p++) {
          const aip = A[aRow + p * colStride]!;
          if (aip === 0) continue;
          const bRow = bo + p * n;
          for (let j = jj; j < jEnd; j++) C[cRow + j]! += aip * B[bRow + j]!;
        }
      }
    }
  }
}
