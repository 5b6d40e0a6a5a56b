/** hello: `square` is x², `double` is its derivative, which must come out as 2x. */
import { grad } from "tsgrad";
import { number } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

export function square(x: number): number {
  return x * x;
}

export const squareDerivative = grad(square);

const scalar = (input: unknown) => number(input, "input");
const same = (y: number) => y;

export const hello: EvalModule = {
  name: "hello",
  functions: {
    square: evalFunction({ prepare: scalar, compute: square, answer: same }),
    double: evalFunction({ prepare: scalar, compute: squareDerivative, answer: same }),
  },
};
