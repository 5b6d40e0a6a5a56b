import { derivative, valueAndGrad } from "./ad.js";
import { energy, mse } from "./model.js";
import { item, mul, sum, tensor, type Tensor } from "tsgrad/tensor";

const xs = [1, 2, 3];
const ys = [2, 4, 7];

function fit(w: number, b: number): number {
  return mse(w, b, xs, ys);
}

function sumOfSquares(t: Tensor): number {
  return item(sum(mul(t, t)));
}

const [dw, db] = derivative(fit)(1.5, 0.5);
const energyAt = valueAndGrad(energy)(0.7);
const squares = derivative(sumOfSquares)(tensor([1, 2, 3]));

export const results = { dw, db, energy: energyAt.value, dEnergy: energyAt.grad, dSquares: Array.from(squares.data) };
