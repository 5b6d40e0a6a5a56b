/**
 * llsq: half the squared residual of fitting sign(t) on n points of [-1, 1] with the polynomial
 * whose coefficients are x; `gradient` is its gradient in x.
 */
import { grad } from "tsgrad";
import { integer, record, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

export function llsqObjective(x: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = -1 + (i * 2) / (n - 1);
    let residual = Math.sign(t);
    let power = 1;
    for (let j = 0; j < x.length; j++) {
      residual -= x[j]! * power;
      power *= t;
    }
    sum += residual * residual;
  }
  return sum / 2;
}

export const llsqGradient = grad(llsqObjective, { wrt: [0] });

interface LlsqInput {
  readonly x: Float64Array;
  readonly n: number;
}

function prepare(input: unknown): LlsqInput {
  const r = record(input);
  return { x: vector(r.x, "x"), n: integer(r.n, "n", 2) };
}

export const llsq: EvalModule = {
  name: "llsq",
  functions: {
    primal: evalFunction({ prepare, compute: (p) => llsqObjective(p.x, p.n), answer: (y: number) => y }),
    gradient: evalFunction({ prepare, compute: (p) => llsqGradient(p.x, p.n), answer: (g) => Array.from(g) }),
  },
};
