/** Small array helpers the harness, the methods and the workloads share. */

/** Concatenates arrays into one float64 array (a gradient of several parameters, for the agreement check). */
export function concat(parts: readonly ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
