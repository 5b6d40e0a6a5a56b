/** Mean squared error of the line w x + b through the points (xs, ys). */
export function mse(w: number, b: number, xs: number[], ys: number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const r = w * xs[i]! + b - ys[i]!;
    s += r * r;
  }
  return s / xs.length;
}

/** sin(x) x², through a helper of its own. */
export function energy(x: number): number {
  return square(x) * Math.sin(x);
}

function square(x: number): number {
  return x * x;
}
