import { derivative } from "./ad.js";

function steep(x: number): number {
  if (x > 1) throw new Error("steep: x must be at most 1");
  return x * x;
}

console.log(derivative(steep)(2));
