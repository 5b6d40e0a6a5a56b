/**
 * Wraps a generated program in every marker: the module text that, compiled with the
 * transformer, exports the program, its variants and their derivatives as one `cases` object.
 *
 * Variants (each a function of the program, written as plain source so the transformer sees
 * them like any other caller):
 * - `flat(z, k)`: the program's parameters built from one flat `number[]` (so `hessian` and
 *   `jacobian`, which take one array, apply to any signature; a tensor parameter is built with
 *   `stack` of `scalar`s, a Float64Array filled element by element);
 * - `at(z)`: `flat(z, K)`, a pure pass-through with the data fixed;
 * - `vec(z, k)`: a vector-valued variant `[flat(z, k), extra(z), sin(z[last]) flat(z, k)]`;
 * - `line(s)`: one number in, `flat(base + s dir, K)`: a local array handed down the chain;
 * - `inner(z, k)`: a function that calls `grad(flat)` inside and is differentiated itself;
 * - `aux(z, k)`: `[flat(z, k) + sin(vec[0]) / 4, { vec, first }]` (vec[0] is flat(z, k)) with
 *   `vec` squashed in place after the loss read it (`hasAux`: the aux must be what a plain call
 *   returns, though the reverse sweep restores vec);
 * - `ten(t, z, k)`: the first tensor parameter as the only variable (hessian of a tensor).
 * - `closedGrad(z, k)`, `closedHvp(z, k, u)`: arrows over `k` handed to `grad` and `hvp` inside a
 *   function (closures, as a training loop writes them);
 * - `descend(z, k)`: two gradient steps on a closure over `k` and a local array, as a training loop.
 */
import { TENSOR_IMPORTS } from "./generate.js";
import { ARR_LEN, F64_LEN, SIZE_OF, TEN_LEN, type GeneratedProgram, type Param } from "./spec.js";

export const MARKERS = ["grad", "hessian", "hvp", "jacobian", "jvp", "valueAndGrad", "vjp"];

/** The names the `cases` object exports (checks.ts reads them). */
export interface CaseExports {
  f: (...args: unknown[]) => number;
  grad: (...args: unknown[]) => unknown;
  vg: (...args: unknown[]) => { value: number; grad: unknown };
  jvp: (...args: unknown[]) => { value: number; tangent: number };
  vjp: (...args: unknown[]) => { value: number; pullback: (c: number) => unknown };
  hvp: (...args: unknown[]) => unknown;
  flat: (z: number[], k: number) => number;
  flatGrad: (z: number[], k: number) => number[];
  flatHvp: (z: number[], k: number, u: number[]) => number[];
  hessian: (z: number[], k: number) => number[][];
  at: (z: number[]) => number;
  jvpGrad: (z: number[], u: number[]) => { value: number[]; tangent: number[] };
  vec: (z: number[], k: number) => number[];
  jacForward: (z: number[], k: number) => number[][];
  jacReverse: (z: number[], k: number) => number[][];
  vecJvp: (z: number[], k: number, u: number[]) => { value: number[]; tangent: number[] };
  vecVjp: (z: number[], k: number) => { value: number[]; pullback: (c: number[]) => number[] };
  line: (s: number) => number;
  lineGrad: (s: number) => number;
  lineGG: (s: number) => number;
  inner: (z: number[], k: number) => number;
  innerGrad: (z: number[], k: number) => number[];
  innerJvp: (z: number[], k: number, u: number[]) => { value: number; tangent: number };
  closedGrad: (z: number[], k: number) => number[];
  closedHvp: (z: number[], k: number, u: number[]) => number[];
  descend: (z: number[], k: number) => number[];
  aux: (z: number[], k: number) => [number, { vec: number[]; first: number }];
  auxVG: (z: number[], k: number) => { value: number; aux: { vec: number[]; first: number }; grad: number[] };
  ten?: (t: unknown, z: number[], k: number) => number;
  tenHessian?: (t: unknown, z: number[], k: number) => { data: Float64Array; shape: number[] };
}

/** Offsets of each parameter's numbers in the flat vector. */
export function offsets(params: readonly Param[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const p of params) {
    out.push(at);
    at += SIZE_OF[p.kind];
  }
  return out;
}

/** Source of an argument built from the flat vector `z` at an offset (declarations go to `pre`). */
function build(p: Param, at: number, pre: string[]): string {
  const z = (i: number) => `z[${at + i}]!`;
  const seq = (n: number, from = 0) => Array.from({ length: n }, (_, i) => z(from + i)).join(", ");
  switch (p.kind) {
    case "num":
      return z(0);
    case "arr":
      return `[${seq(ARR_LEN)}]`;
    case "tup":
      return `[${seq(2)}]`;
    case "obj":
      return `{ a: ${z(0)}, b: [${seq(ARR_LEN, 1)}] }`;
    case "f64": {
      const name = `${p.name}_z`;
      pre.push(`  const ${name} = new Float64Array(${F64_LEN});`);
      for (let i = 0; i < F64_LEN; i++) pre.push(`  ${name}[${i}] = ${z(i)};`);
      return name;
    }
    case "ten":
      return `stack([${Array.from({ length: TEN_LEN }, (_, i) => `scalar(${z(i)})`).join(", ")}])`;
  }
}

/** The main module and, if the program has one, the sibling module, as TypeScript source. */
export function moduleSources(p: GeneratedProgram): { main: string; lib?: string } {
  const n = p.name;
  const offs = offsets(p.params);
  const wrt = `{ wrt: [${p.params.map((_, i) => i).join(", ")}] }`;
  const imports = [`import { ${MARKERS.join(", ")} } from "tsgrad";`, `import { ${TENSOR_IMPORTS.join(", ")} } from "tsgrad/tensor";`];
  if (p.libImports.length) imports.push(`import { ${p.libImports.join(", ")} } from "./lib.ts";`);

  const pre: string[] = [];
  const args = p.params.map((q, i) => build(q, offs[i]!, pre));
  const flat = [`/** ${n} with its parameters read from one flat vector. */`, `export function ${n}_flat(z: number[], k: number): number {`, ...pre, `  return ${n}(${[...args, "k"].join(", ")});`, `}`];
  const last = offs.length ? offs[offs.length - 1]! + SIZE_OF[p.params[p.params.length - 1]!.kind] - 1 : 0;
  const vec = [
    `/** A vector-valued variant. */`,
    `export function ${n}_vec(z: number[], k: number): number[] {`,
    `  const out = [${n}_flat(z, k), ${p.vecExtra}];`,
    `  out.push(Math.sin(z[${last}]!) * ${n}_flat(z, k));`,
    `  return out;`,
    `}`,
  ];
  const zOfS = p.line.base.map((b, i) => `${b} + s * ${p.line.dir[i]}`).join(", ");
  const line = [`/** One number in: a local array handed down. */`, `export function ${n}_line(s: number): number {`, `  const z = [${zOfS}];`, `  return ${n}_flat(z, ${p.line.k});`, `}`];
  const at = [`export function ${n}_at(z: number[]): number {`, `  return ${n}_flat(z, ${p.line.k});`, `}`];
  const inner = [
    `/** A function that calls grad inside: 0.5 flat(z) + sum_i sin(i + 1.5) d flat/dz_i. */`,
    `export function ${n}_inner(z: number[], k: number): number {`,
    `  const g = grad(${n}_flat, { wrt: [0] })(z, k);`,
    `  let s = 0.5 * ${n}_flat(z, k);`,
    `  for (let i = 0; i < g.length; i++) s += g[i]! * Math.sin(i + 1.5);`,
    `  return s;`,
    `}`,
  ];
  const closed = [
    `/** Closures over the data \`k\` handed to markers inside a function. */`,
    `export function ${n}_closedGrad(z: number[], k: number): number[] {`,
    `  return grad((zz: number[]) => ${n}_flat(zz, k))(z);`,
    `}`,
    `export function ${n}_closedHvp(z: number[], k: number, u: number[]): number[] {`,
    `  const f = (zz: number[]) => ${n}_flat(zz, k);`,
    `  return hvp(f)(z, u);`,
    `}`,
    `/** Two gradient steps of rate 0.01 on a closure over \`k\` and a local array. */`,
    `export function ${n}_descend(z: number[], k: number): number[] {`,
    `  const rate = [0.01];`,
    `  const loss = (zz: number[]) => ${n}_flat(zz, k);`,
    `  let p = z.slice();`,
    `  for (let step = 0; step < 2; step++) {`,
    `    const g = grad(loss)(p);`,
    `    p = p.map((x, i) => x - rate[0]! * g[i]!);`,
    `  }`,
    `  return p;`,
    `}`,
  ];
  const aux = [
    `/** The program with an auxiliary output: the vector variant, squashed in place after the loss read it. */`,
    `export function ${n}_aux(z: number[], k: number): [number, { vec: number[]; first: number }] {`,
    `  const vec = ${n}_vec(z, k).slice();`,
    `  const loss = ${n}_flat(z, k) + 0.25 * Math.sin(vec[0]!);`,
    `  for (let i = 0; i < vec.length; i++) vec[i] = Math.tanh(vec[i]!);`,
    `  return [loss, { vec, first: vec[0]! }];`,
    `}`,
  ];
  const tenIndex = p.params.findIndex((q) => q.kind === "ten");
  const ten: string[] = [];
  if (tenIndex >= 0) {
    const tpre: string[] = [];
    const targs = p.params.map((q, i) => (i === tenIndex ? "t" : build(q, offs[i]!, tpre)));
    ten.push(`/** The first tensor parameter alone as the variable. */`, `export function ${n}_ten(t: Tensor, z: number[], k: number): number {`, ...tpre, `  return ${n}(${[...targs, "k"].join(", ")});`, `}`);
  }
  const cases = [
    `export const cases = {`,
    `  f: ${n},`,
    `  grad: grad(${n}, ${wrt}),`,
    `  vg: valueAndGrad(${n}, ${wrt}),`,
    `  jvp: jvp(${n}, ${wrt}),`,
    `  vjp: vjp(${n}, ${wrt}),`,
    `  hvp: hvp(${n}, ${wrt}),`,
    `  flat: ${n}_flat,`,
    `  flatGrad: grad(${n}_flat, { wrt: [0] }),`,
    `  flatHvp: hvp(${n}_flat, { wrt: [0] }),`,
    `  hessian: hessian(${n}_flat, { wrt: [0] }),`,
    `  at: ${n}_at,`,
    `  jvpGrad: jvp(grad(${n}_at)),`,
    `  vec: ${n}_vec,`,
    `  jacForward: jacobian(${n}_vec, { wrt: [0], mode: "forward" }),`,
    `  jacReverse: jacobian(${n}_vec, { wrt: [0], mode: "reverse" }),`,
    `  vecJvp: jvp(${n}_vec, { wrt: [0] }),`,
    `  vecVjp: vjp(${n}_vec, { wrt: [0] }),`,
    `  line: ${n}_line,`,
    `  lineGrad: grad(${n}_line),`,
    `  lineGG: grad(grad(${n}_line)),`,
    `  inner: ${n}_inner,`,
    `  innerGrad: grad(${n}_inner, { wrt: [0] }),`,
    `  innerJvp: jvp(${n}_inner, { wrt: [0] }),`,
    `  aux: ${n}_aux,`,
    `  auxVG: valueAndGrad(${n}_aux, { wrt: [0], hasAux: true }),`,
    `  closedGrad: ${n}_closedGrad,`,
    `  closedHvp: ${n}_closedHvp,`,
    `  descend: ${n}_descend,`,
    ...(tenIndex >= 0 ? [`  ten: ${n}_ten,`, `  tenHessian: hessian(${n}_ten, { wrt: [0] }),`] : []),
    `};`,
  ];
  const main = [...imports, "", p.main, "", ...flat, "", ...vec, "", ...at, "", ...line, "", ...inner, "", ...closed, "", ...aux, "", ...ten, "", ...cases, ""].join("\n");
  if (!p.lib) return { main };
  const lib = [`import { grad, jvp, valueAndGrad } from "tsgrad";`, `import { ${TENSOR_IMPORTS.join(", ")} } from "tsgrad/tensor";`, "", p.lib, ""].join("\n");
  return { main, lib };
}
