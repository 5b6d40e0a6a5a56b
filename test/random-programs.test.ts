/**
 * Property tests over random programs: for every generated program, on random inputs,
 *   - reverse mode (grad) matches central finite differences wherever the function is smooth,
 *   - forward mode (jvp) matches reverse mode (the dot-product test),
 *   - valueAndGrad returns f's own value and grad's gradient,
 *   - hvp (forward over reverse, third order where the program calls derivatives) matches finite
 *     differences of the gradient along the same direction, wherever those are stable.
 * The programs are compiled together into one module through the transformer, then imported.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { refStack, stack } from "tsgrad";
import { importSource } from "./support/compile.js";
import { clone, dot, expectClose, numericGradient } from "./support/numeric.js";
import { randomProgram, type RandomProgram } from "./support/random-program.js";

type F = (x: number, y: number, v: number[], k: number) => number;
interface Case {
  name: string;
  f: F;
  grad: (...a: unknown[]) => [number, number, number[]];
  jvp: (...a: unknown[]) => { value: number; tangent: number };
  vg: (...a: unknown[]) => { value: number; grad: [number, number, number[]] };
  hv: (...a: unknown[]) => [number, number, number[]];
}

const PROGRAMS = 80;
const SEED = 20261122;
const programs: RandomProgram[] = fc
  .sample(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { seed: SEED, numRuns: PROGRAMS })
  .map((s, i) => randomProgram(s, `p${i}`));

function moduleSource(ps: readonly RandomProgram[]): string {
  const wrt = `{ wrt: ["x", "y", "v"] }`;
  return [
    `import { grad, hvp, jvp, valueAndGrad } from "tsgrad";`,
    ...ps.map((p) => p.source),
    `export const cases = [`,
    ...ps.map((p) => `  { name: "${p.name}", f: ${p.name}, grad: grad(${p.name}, ${wrt}), jvp: jvp(${p.name}, ${wrt}), vg: valueAndGrad(${p.name}, ${wrt}), hv: hvp(${p.name}, ${wrt}) },`),
    `];`,
  ].join("\n");
}

const input = fc.record({
  x: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
  y: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
  v: fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 4, maxLength: 4 }),
  k: fc.integer({ min: 0, max: 4 }),
  u: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }),
});

/** Finite differences at two step sizes; null where they disagree (a kink or jump nearby). */
function smoothGradient(f: F, x: number, y: number, v: number[], k: number): [number, number, number[]] | null {
  const args = [x, y, v, k];
  const at = (h: number) => [0, 1, 2].map((p) => numericGradient(f as (...a: never[]) => number, args.map(clone), p, h));
  const coarse = at(1e-5);
  const fine = at(2.5e-6);
  const a = [coarse[0], coarse[1], ...(coarse[2] as number[])] as number[];
  const b = [fine[0], fine[1], ...(fine[2] as number[])] as number[];
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 1e-4 * Math.max(1, Math.abs(b[i]!))) return null;
  return fine as [number, number, number[]];
}

describe("random programs", () => {
  let cases: Case[] = [];
  beforeAll(async () => {
    const m = await importSource<{ cases: Case[] }>(moduleSource(programs));
    cases = m.cases;
  }, 120_000);

  it(`compiles all ${PROGRAMS} programs`, () => {
    expect(cases.map((c) => c.name)).toEqual(programs.map((p) => p.name));
  });

  for (let i = 0; i < PROGRAMS; i++) {
    it(`program p${i}: grad = finite differences, jvp = grad, valueAndGrad = (f, grad)`, () => {
      const c = cases[i]!;
      const source = programs[i]!.source;
      let smoothPoints = 0;
      fc.assert(
        fc.property(input, ({ x, y, v, k, u }) => {
          const value = c.f(x, y, v.slice(), k);
          fc.pre(Number.isFinite(value) && Math.abs(value) < 1e8);
          const depth = [stack.size, refStack.size];
          const g = c.grad(x, y, v.slice(), k);
          expect([stack.size, refStack.size], "stacks balanced after grad").toEqual(depth);
          const context = `\n${source}\nat x=${x}, y=${y}, v=[${v}], k=${k}`;
          // forward against reverse: <grad, u> = jvp(u)
          const dirV = u.slice(2, 6);
          const t = c.jvp(x, y, v.slice(), k, u[0]!, u[1]!, dirV);
          expectClose(t.value, value, 0, `jvp value${context}`);
          expectClose(t.tangent, dot([g[0], g[1], ...g[2]], [u[0], u[1], ...dirV]), 1e-8, `dot-product test${context}`);
          const vg = c.vg(x, y, v.slice(), k);
          expect([stack.size, refStack.size], "stacks balanced after valueAndGrad").toEqual(depth);
          expectClose(vg.value, value, 0, `valueAndGrad value${context}`);
          expectClose(vg.grad, g, 1e-12, `valueAndGrad gradient${context}`);
          // reverse against finite differences where the function is smooth
          const fd = smoothGradient(c.f, x, y, v, k);
          if (fd) {
            smoothPoints++;
            expectClose(g, fd, 2e-5, `grad vs finite differences${context}`);
            // second order: the Hessian times u against finite differences of the gradient along u,
            // where those agree at two step sizes (no kink of the gradient nearby)
            const hv = c.hv(x, y, v.slice(), k, u[0]!, u[1]!, dirV);
            expect([stack.size, refStack.size], "stacks balanced after hvp").toEqual(depth);
            const along = (h: number) => {
              const gp = c.grad(x + h * u[0]!, y + h * u[1]!, v.map((vi, j) => vi + h * dirV[j]!), k);
              const gm = c.grad(x - h * u[0]!, y - h * u[1]!, v.map((vi, j) => vi - h * dirV[j]!), k);
              return [gp[0], gp[1], ...gp[2]].map((a, j) => (a - [gm[0], gm[1], ...gm[2]][j]!) / (2 * h));
            };
            const coarse = along(1e-4);
            const fine = along(2.5e-5);
            if (coarse.every((a, j) => Math.abs(a - fine[j]!) <= 1e-4 * Math.max(1, Math.abs(fine[j]!))))
              expectClose([hv[0], hv[1], ...hv[2]], fine, 1e-4, `hvp vs finite differences of grad${context}`);
          }
        }),
        { numRuns: 25, seed: SEED + i },
      );
      expect(smoothPoints, "finite differences were checked at some points").toBeGreaterThan(0);
    });
  }
});
