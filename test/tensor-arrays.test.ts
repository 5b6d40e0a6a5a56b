/**
 * Local arrays of tensors: a literal (`const parts: Tensor[] = [a, mul(a, b), tanh(b)]`) and one
 * grown by push, read by index and by for...of, each element carrying its own derivative.
 * References: central finite differences of the plain function (first order) and of its gradient
 * (second order), and the dot product of jvp with the gradient.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { grad, hvp, jvp } from "tsgrad";
import { item, mul, sum, tanh, tensor, type Tensor } from "tsgrad/tensor";
import { expectClose } from "./support/numeric.js";

function mixed(a: Tensor, b: Tensor): number {
  const parts: Tensor[] = [a, mul(a, b), tanh(b)];
  let s = 0;
  for (let i = 0; i < parts.length; i++) s += item(sum(mul(parts[i]!, parts[(i + 1) % 3]!)));
  const squashed: Tensor[] = [];
  for (const t of parts) squashed.push(tanh(t));
  return s + item(sum(squashed[2]!)) + item(sum(mul(squashed[0]!, squashed[1]!)));
}

const values = (t: Tensor): number[] => Array.from(t.data);
/** f at (a, b) given as plain numbers, two of each. */
const plain = (z: readonly number[]): number => mixed(tensor([z[0]!, z[1]!]), tensor([z[2]!, z[3]!]));
const gradient = (z: readonly number[]): number[] => {
  const [ga, gb] = grad(mixed)(tensor([z[0]!, z[1]!]), tensor([z[2]!, z[3]!]));
  return [...values(ga), ...values(gb)];
};
function central(f: (z: number[]) => number | number[], z: readonly number[], i: number, h = 1e-6): number[] {
  const up = z.slice();
  const down = z.slice();
  up[i]! += h;
  down[i]! -= h;
  const [fu, fd] = [[f(up)].flat(), [f(down)].flat()];
  return fu.map((x, k) => (x - fd[k]!) / (2 * h));
}

const point = fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 4, maxLength: 4 });

describe("local arrays of tensors (a literal, and one grown by push)", () => {
  it("grad against finite differences, and jvp against the gradient (dot product)", () => {
    fc.assert(
      fc.property(point, point, (z, u) => {
        const g = gradient(z);
        expectClose(
          g,
          z.map((_, i) => central(plain, z, i)[0]!),
          1e-6,
        );
        const { tangent } = jvp(mixed)(tensor([z[0]!, z[1]!]), tensor([z[2]!, z[3]!]), tensor([u[0]!, u[1]!]), tensor([u[2]!, u[3]!]));
        expectClose(
          tangent,
          g.reduce((s, gi, i) => s + gi * u[i]!, 0),
          1e-9,
        );
      }),
      { numRuns: 25 },
    );
  });

  it("hvp against finite differences of the gradient", () => {
    fc.assert(
      fc.property(point, point, (z, u) => {
        const [ha, hb] = hvp(mixed)(tensor([z[0]!, z[1]!]), tensor([z[2]!, z[3]!]), tensor([u[0]!, u[1]!]), tensor([u[2]!, u[3]!]));
        const h = 1e-5;
        const up = gradient(z.map((x, i) => x + h * u[i]!));
        const down = gradient(z.map((x, i) => x - h * u[i]!));
        expectClose(
          [...values(ha), ...values(hb)],
          up.map((x, i) => (x - down[i]!) / (2 * h)),
          1e-5,
        );
      }),
      { numRuns: 25 },
    );
  });
});
