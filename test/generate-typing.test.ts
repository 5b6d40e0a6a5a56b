/**
 * `tsgrad generate` writes TypeScript that type-checks under `strict`: values saved in a loop
 * and restored from the reference stack (`t = refStack.pop()` takes the variable's type), tuples
 * built as array literals (annotated, where TypeScript would read an array), records that give an
 * optional field a value later (annotated with the type that admits it), and optional fields
 * read where they are given (`o_scale_given ? o.scale! : 0`, which TypeScript cannot narrow),
 * and objects with a tuple inside (a helper's result read in part, and the seeds of its pullback).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { generatedProject } from "./support/generate.js";
import { typeErrorsOf } from "./support/typecheck.js";

const SOURCE = `import { grad, hessian, hvp, jvp } from "tsgrad";

interface Coefficients { a: number; b: number }
function term(x: number, p: Coefficients): number { return p.a * x * x + p.b * Math.sin(x); }
/** A record made in a loop and handed to a helper: saved per iteration, restored in reverse. */
export function inLoop(x: number[], p: Coefficients): number {
  let t = 0;
  for (const v of x) t += term(v, { a: v, b: p.b }) * v;
  return t;
}

/** Several numbers through a helper: its pullback returns their adjoints as a tuple. */
function pair(u: number, v: number, w: number): number { return u * v * Math.exp(w); }
export function several(x: number[]): number { return pair(x[0]!, x[1]!, x[2]!) + pair(x[2]!, x[0]!, x[1]!); }

interface Options { scale?: number; bias: number; flip?: boolean }
function scaled(x: number, o: Options): number {
  let y = (o.scale ?? 2) * x * x + o.bias;
  if (o.flip) y = -y;
  if (o.scale !== undefined && o.scale > 1) y += o.scale * x;
  return y;
}
/** Literals that leave optional fields out, and the caller's own options, in a loop. */
export function withOptions(x: number[], o: Options): number {
  let t = 0;
  for (const v of x) t += scaled(v, o) + scaled(v, { bias: 1 }) + scaled(v, { bias: 0, scale: v });
  return t;
}

/** A helper's object with a tuple in it, read in part: the copy without the unread fields, its seeds. */
function spread(a: number, w: number[]): { p: number; q: number; tag: [number, number] } {
  return { p: a * a * w[0]!, q: Math.exp(a), tag: [a, 2 * a] };
}
export function partly(x: number, w: number[]): number {
  const r = spread(x, w);
  return r.p + r.tag[1] * x;
}

/** A recursion on a shorter list (split mode): its reverse half reads the list back from the reference stack. */
function minor(a: number[], n: number, row: number, cols: number[]): number {
  if (cols.length === 1) return a[row * n + cols[0]!]!;
  let det = 0;
  let sign = 1;
  for (let k = 0; k < cols.length; k++) {
    const rest = cols.filter((_, i) => i !== k);
    det += sign * a[row * n + cols[k]!]! * minor(a, n, row + 1, rest);
    sign = -sign;
  }
  return det;
}
export function det3(a: number[]): number { return minor(a, 3, 0, [0, 1, 2]); }

export const g1 = grad(inLoop, { wrt: [0] });
export const g5 = grad(det3);
export const h1 = hessian(inLoop, { wrt: [0] });
export const g2 = grad(several);
export const h2 = hessian(several);
export const v2 = hvp(several);
export const g3 = grad(withOptions, { wrt: [0] });
export const j3 = jvp(withOptions, { wrt: [0] });
export const h3 = hessian(withOptions, { wrt: [0] });
export const g4 = grad(partly);
export const v4 = hvp(partly);
`;

let project = "";
beforeAll(() => {
  project = generatedProject("generate-typing", { "src/typing.ts": SOURCE });
});

describe("tsgrad generate writes TypeScript that type-checks", () => {
  it("under strict, with records saved in loops, tuple results, optional fields and split recursion", () => {
    const out = path.join(project, "out/src/typing.ts");
    const text = readFileSync(out, "utf8");
    // the constructs are there to be checked
    expect(text).toMatch(/refStack\.pop\(\)/);
    expect(text).toMatch(/_given \? o\.scale! :/);
    expect(text).toMatch(/function spread_p_tag_adjoint\(/);
    expect(text).toMatch(/let rest: number\[\] = refStack\.pop\(\);/);
    expect(typeErrorsOf(pathToFileURL(out))).toEqual([]);
  });
});
