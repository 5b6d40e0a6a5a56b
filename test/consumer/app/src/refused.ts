import { derivative } from "./ad.js";

function guarded(x: number): number {
  try {
    return x * x;
  } catch {
    return 0;
  }
}

export const dGuarded = derivative(guarded);
console.log(dGuarded(3));
