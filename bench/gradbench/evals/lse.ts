/** lse: log-sum-exp with the max trick, written from its primitives; its gradient is softmax. */
import { grad } from "tsgrad";
import { record, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

export function logSumExp(x: Float64Array): number {
  let max = x[0]!;
  for (let i = 1; i < x.length; i++) max = Math.max(max, x[i]!);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i]! - max);
  return Math.log(sum) + max;
}

export const logSumExpGradient = grad(logSumExp);

function prepare(input: unknown): Float64Array {
  const x = vector(record(input).x, "x");
  if (x.length === 0) throw new Error("x must not be empty");
  return x;
}

export const lse: EvalModule = {
  name: "lse",
  functions: {
    primal: evalFunction({ prepare, compute: logSumExp, answer: (y: number) => y }),
    gradient: evalFunction({ prepare, compute: logSumExpGradient, answer: (g) => Array.from(g) }),
  },
};
