/**
 * The programs of the checkpointing benchmark (main.ts): an explicit Euler integrator of the
 * Lorenz system and an RNN-like loop h <- tanh(W h + U x_t) over arrays written in place, each
 * once per budget (the budget is the loop's annotation, fixed at build time): the plain sweep,
 * and binomial checkpointing with 10, 100 (the default) and 1000 snapshots.
 */
import { grad } from "tsgrad";

export function lorenzPlain(p: Float64Array, steps: number): number {
  let x = 1;
  let y = 1;
  let z = 1;
  const h = 1e-4;
  // @tsgrad checkpoint off
  for (let k = 0; k < steps; k++) {
    const dx = p[0]! * (y - x);
    const dy = x * (p[1]! - z) - y;
    const dz = x * y - p[2]! * z;
    x = x + h * dx;
    y = y + h * dy;
    z = z + h * dz;
  }
  return x + y + z;
}

export function lorenzC10(p: Float64Array, steps: number): number {
  let x = 1;
  let y = 1;
  let z = 1;
  const h = 1e-4;
  // @tsgrad checkpoint 10
  for (let k = 0; k < steps; k++) {
    const dx = p[0]! * (y - x);
    const dy = x * (p[1]! - z) - y;
    const dz = x * y - p[2]! * z;
    x = x + h * dx;
    y = y + h * dy;
    z = z + h * dz;
  }
  return x + y + z;
}

export function lorenzC100(p: Float64Array, steps: number): number {
  let x = 1;
  let y = 1;
  let z = 1;
  const h = 1e-4;
  // @tsgrad checkpoint 100
  for (let k = 0; k < steps; k++) {
    const dx = p[0]! * (y - x);
    const dy = x * (p[1]! - z) - y;
    const dz = x * y - p[2]! * z;
    x = x + h * dx;
    y = y + h * dy;
    z = z + h * dz;
  }
  return x + y + z;
}

export function lorenzC1000(p: Float64Array, steps: number): number {
  let x = 1;
  let y = 1;
  let z = 1;
  const h = 1e-4;
  // @tsgrad checkpoint 1000
  for (let k = 0; k < steps; k++) {
    const dx = p[0]! * (y - x);
    const dy = x * (p[1]! - z) - y;
    const dz = x * y - p[2]! * z;
    x = x + h * dx;
    y = y + h * dy;
    z = z + h * dz;
  }
  return x + y + z;
}

export function rnnPlain(W: Float64Array, U: Float64Array, xs: Float64Array, T: number): number {
  const H = 8;
  const h = new Float64Array(H);
  const next = new Float64Array(H);
  // @tsgrad checkpoint off
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < H; i++) {
      let s = U[i]! * xs[t]!;
      for (let j = 0; j < H; j++) s += W[i * H + j]! * h[j]!;
      next[i] = Math.tanh(s);
    }
    for (let i = 0; i < H; i++) h[i] = next[i]!;
  }
  let out = 0;
  for (let i = 0; i < H; i++) out += h[i]! * h[i]!;
  return out;
}

export function rnnC10(W: Float64Array, U: Float64Array, xs: Float64Array, T: number): number {
  const H = 8;
  const h = new Float64Array(H);
  const next = new Float64Array(H);
  // @tsgrad checkpoint 10
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < H; i++) {
      let s = U[i]! * xs[t]!;
      for (let j = 0; j < H; j++) s += W[i * H + j]! * h[j]!;
      next[i] = Math.tanh(s);
    }
    for (let i = 0; i < H; i++) h[i] = next[i]!;
  }
  let out = 0;
  for (let i = 0; i < H; i++) out += h[i]! * h[i]!;
  return out;
}

export function rnnC100(W: Float64Array, U: Float64Array, xs: Float64Array, T: number): number {
  const H = 8;
  const h = new Float64Array(H);
  const next = new Float64Array(H);
  // @tsgrad checkpoint 100
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < H; i++) {
      let s = U[i]! * xs[t]!;
      for (let j = 0; j < H; j++) s += W[i * H + j]! * h[j]!;
      next[i] = Math.tanh(s);
    }
    for (let i = 0; i < H; i++) h[i] = next[i]!;
  }
  let out = 0;
  for (let i = 0; i < H; i++) out += h[i]! * h[i]!;
  return out;
}

export function rnnC1000(W: Float64Array, U: Float64Array, xs: Float64Array, T: number): number {
  const H = 8;
  const h = new Float64Array(H);
  const next = new Float64Array(H);
  // @tsgrad checkpoint 1000
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < H; i++) {
      let s = U[i]! * xs[t]!;
      for (let j = 0; j < H; j++) s += W[i * H + j]! * h[j]!;
      next[i] = Math.tanh(s);
    }
    for (let i = 0; i < H; i++) h[i] = next[i]!;
  }
  let out = 0;
  for (let i = 0; i < H; i++) out += h[i]! * h[i]!;
  return out;
}

export const lorenzGrads = {
  off: grad(lorenzPlain, { wrt: [0] }),
  "10": grad(lorenzC10, { wrt: [0] }),
  "100": grad(lorenzC100, { wrt: [0] }),
  "1000": grad(lorenzC1000, { wrt: [0] }),
};

export const rnnGrads = {
  off: grad(rnnPlain, { wrt: [0, 1] }),
  "10": grad(rnnC10, { wrt: [0, 1] }),
  "100": grad(rnnC100, { wrt: [0, 1] }),
  "1000": grad(rnnC1000, { wrt: [0, 1] }),
};

export const lorenzPrimal = lorenzPlain;
export const rnnPrimal = rnnPlain;
