/**
 * Central finite differences: 2 evaluations of f per input, so O(n) times the function for n
 * inputs: the cost that automatic differentiation removes. Each input is perturbed in place and
 * restored.
 */

/** h for central differences: the cube root of machine epsilon, scaled by the input. */
const step = (x: number): number => 6e-6 * Math.max(1, Math.abs(x));

/** The gradient of `f` (which reads `params`) with respect to every entry of every array in `params`. */
export function centralDifferences(f: () => number, params: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(params.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of params)
    for (let i = 0; i < p.length; i++) {
      const xi = p[i]!;
      const h = step(xi);
      p[i] = xi + h;
      const up = f();
      p[i] = xi - h;
      const down = f();
      p[i] = xi;
      out[o++] = (up - down) / (2 * h);
    }
  return out;
}

/** The Jacobian of `f: x -> y` (rows are outputs), flattened row by row: 2n evaluations. */
export function centralDifferencesJacobian(f: (x: Float64Array) => ArrayLike<number>, x: Float64Array): Float64Array {
  const n = x.length;
  let m = 0;
  let out = new Float64Array(0);
  const probe = x.slice();
  for (let j = 0; j < n; j++) {
    const h = step(x[j]!);
    probe[j] = x[j]! + h;
    const up = f(probe);
    probe[j] = x[j]! - h;
    const down = f(probe);
    probe[j] = x[j]!;
    if (j === 0) {
      m = up.length;
      out = new Float64Array(m * n);
    }
    for (let i = 0; i < m; i++) out[i * n + j] = (up[i]! - down[i]!) / (2 * h);
  }
  return out;
}

/** A Hessian-vector product from two gradients: (g(x + h v) - g(x - h v)) / 2h. */
export function gradientDifference(gradient: (x: Float64Array) => ArrayLike<number>, x: Float64Array, v: Float64Array): Float64Array {
  let norm = 0;
  for (let i = 0; i < x.length; i++) norm = Math.max(norm, Math.abs(x[i]!));
  const h = 6e-6 * Math.max(1, norm);
  const probe = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) probe[i] = x[i]! + h * v[i]!;
  const up = gradient(probe);
  for (let i = 0; i < x.length; i++) probe[i] = x[i]! - h * v[i]!;
  const down = gradient(probe);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (up[i]! - down[i]!) / (2 * h);
  return out;
}
