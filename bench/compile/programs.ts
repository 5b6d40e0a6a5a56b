/**
 * Generated programs of a chosen size, for measuring how the transformer's cost grows with the
 * size of the code (bench/compile/scaling.ts) and for the test that counts its work
 * (test/compile-growth.test.ts). Each is one module whose last line differentiates it.
 *
 * - `straight`: one function of straight-line code, the shape of a generated kinematics model or
 *   an unrolled loss: `const aK = Math.sin(x[i % 7]! * c) + x[j]! * d; s += aK * aK;`.
 * - `control`: one function of loops and branches over an array, with values carried across
 *   iterations and a data-dependent branch in each loop.
 * - `calls`: a chain of helpers, each adding a term of its own and calling the next one.
 * - `many`: many small ordinary functions, each differentiated on its own.
 *
 * `statements` counts source statements (a loop or an if counts its body's statements too).
 */
export type ProgramShape = "straight" | "control" | "calls" | "many";

export const PROGRAM_SHAPES: readonly ProgramShape[] = ["straight", "control", "calls", "many"];

export interface GeneratedProgram {
  readonly shape: ProgramShape;
  readonly statements: number;
  /** Functions differentiated by the module. */
  readonly markers: number;
  readonly source: string;
}

export function generateProgram(shape: ProgramShape, statements: number): GeneratedProgram {
  switch (shape) {
    case "straight":
      return straightLine(statements);
    case "control":
      return controlFlow(statements);
    case "calls":
      return helperChain(statements);
    case "many":
      return manyFunctions(statements);
  }
}

function straightLine(n: number): GeneratedProgram {
  const lines = [`import { grad } from "tsgrad";`, `export function model(x: number[], c: number, d: number): number {`, `  let s = 0;`];
  const pairs = Math.max(1, Math.floor((n - 2) / 2));
  for (let k = 0; k < pairs; k++) {
    lines.push(`  const a${k} = Math.sin(x[${k % 7} % 7]! * c) + x[${(k * 3) % 7}]! * d;`);
    lines.push(`  s += a${k} * a${k};`);
  }
  lines.push(`  return s;`, `}`, `export const dmodel = grad(model);`);
  return { shape: "straight", statements: 2 + 2 * pairs, markers: 1, source: lines.join("\n") };
}

/** Each block: a loop with a branch inside (6 statements) and two statements after it. */
function controlFlow(n: number): GeneratedProgram {
  const lines = [`import { grad } from "tsgrad";`, `export function model(x: number[], c: number): number {`, `  let s = 0;`, `  let carry = c;`];
  const blocks = Math.max(1, Math.floor((n - 3) / 8));
  for (let k = 0; k < blocks; k++) {
    lines.push(
      `  for (let i = 0; i < x.length; i++) {`,
      `    const a = x[i]! * carry + ${(k % 5) + 1};`,
      `    if (a > ${k % 3}) {`,
      `      s += Math.tanh(a) * ${(k % 4) + 1};`,
      `    } else {`,
      `      s -= Math.sin(a) * carry;`,
      `    }`,
      `    carry = 0.5 * carry + 0.1 * a;`,
      `  }`,
      `  const m${k} = s * 0.25 + carry;`,
      `  s = s + Math.exp(-m${k} * m${k});`,
    );
  }
  lines.push(`  return s;`, `}`, `export const dmodel = grad(model);`);
  return { shape: "control", statements: 3 + 8 * blocks, markers: 1, source: lines.join("\n") };
}

/** h0 -> h1 -> ... -> hK: each helper three statements (a local, a call, a return). */
function helperChain(n: number): GeneratedProgram {
  const helpers = Math.max(1, Math.floor(n / 3));
  const lines = [`import { grad } from "tsgrad";`];
  for (let k = helpers - 1; k >= 0; k--) {
    lines.push(`function h${k}(p: number[], t: number): number {`);
    lines.push(`  const own = Math.sin(p[${k % 3}]! * t) + p[${(k + 1) % 3}]! * ${(k % 7) + 1};`);
    if (k === helpers - 1) lines.push(`  const rest = p[0]! * p[1]! * p[2]!;`);
    else lines.push(`  const rest = h${k + 1}(p, t * 0.99);`);
    lines.push(`  return own * own + rest;`, `}`);
  }
  lines.push(`export const dmodel = grad(h0, { wrt: [0] });`);
  return { shape: "calls", statements: 3 * helpers, markers: 1, source: lines.join("\n") };
}

/** Ordinary small functions (a loop and a branch, 6 statements each), each with its own grad. */
function manyFunctions(n: number): GeneratedProgram {
  const count = Math.max(1, Math.floor(n / 6));
  const lines = [`import { grad } from "tsgrad";`];
  for (let k = 0; k < count; k++) {
    lines.push(
      `export function f${k}(x: number[], w: number): number {`,
      `  let s = 0;`,
      `  for (let i = 0; i < x.length; i++) {`,
      `    const r = w * x[i]! - ${(k % 9) + 1};`,
      `    s += r > 0 ? r * r : Math.log1p(r * r);`,
      `  }`,
      `  return s / x.length;`,
      `}`,
      `export const df${k} = grad(f${k});`,
    );
  }
  return { shape: "many", statements: 6 * count, markers: count, source: lines.join("\n") };
}
