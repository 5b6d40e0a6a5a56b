import { rng } from "./numeric.js";

/**
 * Random programs for property tests of the whole compiler: expressions over every smooth
 * primitive, locals and reassignment, compound assignment, branches (on data and on active
 * values), counted and while loops with break/continue and early returns, array reads and local
 * array writes (and arrays given new arrays), calls to generated helper functions and to their derivatives (grad, jvp and
 * valueAndGrad called inside the program, and inside helpers), and reads of a helper's tuple,
 * object or array result. Every program is valid TypeScript in the
 * supported language; values stay bounded so that finite differences are meaningful.
 */

export interface RandomProgram {
  readonly name: string;
  /** Helper functions and the program function, as TypeScript source. */
  readonly source: string;
}

type Rand = () => number;

class Gen {
  private nextLocal = 0;
  constructor(
    private readonly r: Rand,
    private readonly helpers: string[],
    /** Helpers see only their parameters: no data parameter k in conditions. */
    private readonly noData = false,
    /** A helper returning two numbers (a tuple, an object or an array) and how to read one. */
    private readonly pair?: { readonly name: string; readonly read: (call: string, which: 0 | 1) => string },
  ) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  constant(): string {
    return (Math.round((this.r() * 4 - 2) * 100) / 100).toString();
  }

  /** An expression over the variables in scope; `loopVar` is an index in range for v. */
  expr(vars: readonly string[], depth: number, loopVar?: string): string {
    const atoms = this.noData ? [...vars] : [...vars, "x", "y", "v[0]", "v[1]", "v[3]", ...(loopVar ? [`v[${loopVar}]`, `v[${loopVar}] * ${loopVar}`] : [])];
    if (depth <= 0 || this.chance(0.25)) return this.chance(0.15) ? this.constant() : this.pick(atoms);
    const a = () => this.expr(vars, depth - 1, loopVar);
    if (this.pair && this.chance(0.08)) return this.pair.read(`${this.pair.name}(${a()}, ${a()})`, this.pick([0, 1] as const));
    switch (Math.floor(this.r() * 17)) {
      case 0:
        return `(${a()} + ${a()})`;
      case 1:
        return `(${a()} - ${a()})`;
      case 2:
        return `(${a()} * ${a()})`;
      case 3:
        return `(${a()} / (1.5 + (${a()}) ** 2))`;
      case 4:
        return `Math.sin(${a()})`;
      case 5:
        return `Math.cos(${a()})`;
      case 6:
        return `Math.tanh(${a()})`;
      case 7:
        return `Math.exp(Math.sin(${a()}))`;
      case 8:
        return `Math.log(1 + (${a()}) ** 2)`;
      case 9:
        return `Math.sqrt(2 + Math.cos(${a()}))`;
      case 10:
        return `Math.atan(${a()})`;
      case 11:
        return `(-(${a()}))`;
      case 12:
        return `Math.hypot(${a()}, 1, ${a()})`;
      case 13:
        return `(${this.cond(vars)} ? ${a()} : ${a()})`;
      case 14: {
        // a helper, or a derivative of one called right here (the outer derivative then runs
        // forward or reverse mode over it: every pairing of modes)
        if (!this.helpers.length) return `(${a()} * 0.5)`;
        const h = this.pick(this.helpers);
        switch (Math.floor(this.r() * 6)) {
          case 0:
            return `grad(${h})(${a()}, ${a()})[${this.pick([0, 1])}]`;
          case 1:
            return `grad(${h}, { wrt: [1] })(${a()}, ${a()})`;
          case 2:
            return `jvp(${h})(${a()}, ${a()}, ${this.constant()}, ${this.constant()}).tangent`;
          case 3:
            return `valueAndGrad(${h}, { wrt: [0] })(${a()}, ${a()}).grad`;
          default:
            return `${h}(${a()}, ${a()})`;
        }
      }
      case 15:
        return `Math.pow(1.5 + Math.sin(${a()}), ${a()})`;
      default:
        return `(${this.constant()} * ${a()})`;
    }
  }

  cond(vars: readonly string[]): string {
    if (this.noData) return `${this.pick(vars)} > ${this.constant()}`;
    return this.pick([
      `k > ${Math.floor(this.r() * 4)}`,
      `${this.pick([...vars, "x", "y"])} > ${this.constant()}`,
      `(k > 1 && x < ${this.constant()}) || y > 1.5`,
      `!(k === 2)`,
    ]);
  }

  local(): string {
    return `t${this.nextLocal++}`;
  }

  /** A block of statements; returns the lines. `vars` grows with declarations. */
  block(vars: string[], depth: number, indent: string, ctx: { inLoop?: string; canReturn: boolean }): string[] {
    const out: string[] = [];
    const n = 1 + Math.floor(this.r() * 3);
    for (let s = 0; s < n; s++) out.push(...this.stmt(vars, depth, indent, ctx));
    return out;
  }

  stmt(vars: string[], depth: number, indent: string, ctx: { inLoop?: string; canReturn: boolean }): string[] {
    const e = (d = 2) => this.expr(vars, d, ctx.inLoop);
    const choice = depth <= 0 ? Math.floor(this.r() * 3) : Math.floor(this.r() * 11);
    const mutable = vars.filter((v) => v.startsWith("t"));
    switch (choice) {
      case 0: {
        const name = this.local();
        const line = `${indent}let ${name} = ${e()};`;
        vars.push(name);
        return [line];
      }
      case 1:
        if (mutable.length) return [`${indent}${this.pick(mutable)} ${this.pick(["=", "+=", "-=", "*="])} ${e()};`];
        return [`${indent}acc += ${e()};`];
      case 2:
        return [`${indent}acc ${this.pick(["+=", "-="])} ${e()};`];
      case 3: {
        const inner = [...vars];
        const lines = [`${indent}if (${this.cond(vars)}) {`, ...this.block(inner, depth - 1, indent + "  ", ctx)];
        if (this.chance(0.6)) lines.push(`${indent}} else {`, ...this.block([...vars], depth - 1, indent + "  ", ctx));
        lines.push(`${indent}}`);
        return lines;
      }
      case 4: {
        const i = `i${this.nextLocal++}`;
        const inner = [...vars];
        const lines = [`${indent}for (let ${i} = 0; ${i} < ${2 + Math.floor(this.r() * 3)}; ${i}++) {`];
        if (this.chance(0.3)) lines.push(`${indent}  if (${i} === ${Math.floor(this.r() * 3)}) ${this.pick(["continue", "break"])};`);
        lines.push(...this.block(inner, depth - 1, indent + "  ", { ...ctx, inLoop: i }));
        if (this.chance(0.4)) {
          // a jump after writes, then more writes: what the jump leaves behind is the first value
          lines.push(`${indent}  if (${this.cond(inner)}) ${this.pick(["continue", "break"])};`);
          lines.push(...this.block(inner, depth - 1, indent + "  ", { ...ctx, inLoop: i }));
        }
        lines.push(`${indent}}`);
        return lines;
      }
      case 5: {
        // a while loop with a data-dependent trip count and a value carried across iterations
        const j = `j${this.nextLocal++}`;
        const inner = [...vars];
        return [
          `${indent}let ${j} = 0;`,
          `${indent}while (${j} < k && ${j} < 4) {`,
          `${indent}  acc = acc * 0.5 + ${this.expr(inner, 2)};`,
          ...this.block(inner, depth - 1, indent + "  ", { ...ctx, inLoop: undefined }),
          `${indent}  ${j}++;`,
          `${indent}}`,
        ];
      }
      case 6: {
        // a local array written by index (old values restored by the reverse sweep) and pushed
        // (sometimes given a new array made from its old one)
        const a = `arr${this.nextLocal++}`;
        const rebind = this.chance(0.4)
          ? [`${indent}${a} = ${this.pick([`${a}.slice()`, `[${a}[1]! * ${this.expr(vars, 1)}, ${a}[0]!, ${a}[3]!, ${a}[2]!]`])};`]
          : [];
        if (this.chance(0.3))
          // a fresh array filled, then read: its old elements are never needed back
          return [
            `${indent}const ${a} = new Float64Array(3);`,
            `${indent}for (let q = 0; q < ${a}.length; q++) ${a}[q] = ${this.expr(vars, 1)} * v[q]!;`,
            `${indent}for (let q = 0; q < ${a}.length; q++) acc += ${a}[q]! * ${a}[2 - q]! * 0.5;`,
          ];
        return [
          `${indent}let ${a} = v.slice();`,
          `${indent}for (let q = 0; q < ${a}.length; q++) ${a}[q] = ${a}[q]! * ${this.expr(vars, 1)} + ${a}[(q + 1) % ${a}.length]!;`,
          ...rebind,
          `${indent}${a}.push(${e(1)});`,
          `${indent}for (const el of ${a}) acc += Math.sin(el) * 0.3;`,
        ];
      }
      case 9: {
        // a counter of the user's own: starts anywhere, read inside the loop and after it
        const n = `n${this.nextLocal++}`;
        const i = `i${this.nextLocal++}`;
        return [
          `${indent}let ${n} = ${Math.floor(this.r() * 3)};`,
          `${indent}for (let ${i} = 0; ${i} < ${1 + Math.floor(this.r() * 3)}; ${i}++) {`,
          `${indent}  acc += ${n} * ${this.expr(vars, 1)};`,
          `${indent}  ${this.pick([`${n} = ${n} + 1`, `${n}++`, `${n} += 1`])};`,
          `${indent}}`,
          `${indent}acc += ${n} * 0.25 * ${this.expr(vars, 1)};`,
        ];
      }
      case 10: {
        // an array read through a second name, then overwritten through its own
        const a = `arr${this.nextLocal++}`;
        const b = `alias${this.nextLocal++}`;
        const second = this.pick([`const ${b} = ${a};`, `const ${b} = ${this.cond(vars)} ? ${a} : v;`, `const ${b}: number[][] = [];\n${indent}${b}.push(${a});`]);
        const read = second.includes("push") ? (q: number) => `${b}[0]![${q}]!` : (q: number) => `${b}[${q}]!`;
        const before = `before${this.nextLocal++}`;
        return [
          `${indent}const ${a} = v.slice();`,
          `${indent}${second}`,
          `${indent}const ${before} = ${read(0)} * ${read(1)} + ${this.expr(vars, 1)};`,
          `${indent}${a}[0] = ${this.expr(vars, 1)};`,
          `${indent}${a}[1] *= ${read(2)};`,
          `${indent}acc += ${before} * ${before} * 0.1 + ${read(0)} * ${read(1)};`,
        ];
      }
      case 7:
        if (ctx.canReturn) return [`${indent}if (${this.cond(vars)}) return acc * ${e(1)};`];
        return [`${indent}acc *= 0.9;`];
      default: {
        const name = `c${this.nextLocal++}`;
        const line = `${indent}const ${name} = Math.tanh(${e(3)});`;
        vars.push(name);
        return [line];
      }
    }
  }
}

/** A deterministic random program for a seed. */
export function randomProgram(seed: number, name: string): RandomProgram {
  const r = rng(seed);
  const helperNames: string[] = [];
  const helperSources: string[] = [];
  const nHelpers = Math.floor(r() * 3);
  for (let h = 0; h < nHelpers; h++) {
    const hname = `${name}_h${h}`;
    const g = new Gen(r, helperNames.slice(), true);
    const body = g.expr(["a", "b"], 3);
    helperSources.push(`function ${hname}(a: number, b: number): number {\n  return ${body};\n}`);
    helperNames.push(hname);
  }
  // a helper that returns two numbers, as a tuple, an object or an array, from one of two returns
  const pairName = `${name}_pair`;
  const pg = new Gen(r, helperNames.slice(), true);
  const pe = () => pg.expr(["a", "b"], 2);
  const pairKind = pg.pick(["tuple", "object", "array"] as const);
  const pairSource = {
    tuple: `function ${pairName}(a: number, b: number): [number, number] {\n  if (${pg.cond(["a", "b"])}) return [${pe()}, ${pe()}];\n  return [${pe()}, ${pe()}];\n}`,
    object: `function ${pairName}(a: number, b: number): { p: number; q: number } {\n  if (${pg.cond(["a", "b"])}) return { p: ${pe()}, q: ${pe()} };\n  const q = ${pe()};\n  return { q, p: ${pe()} };\n}`,
    array: `function ${pairName}(a: number, b: number): number[] {\n  if (${pg.cond(["a", "b"])}) return [${pe()}, ${pe()}];\n  return [${pe()}, ${pe()}];\n}`,
  }[pairKind];
  const read = (call: string, which: 0 | 1): string =>
    pairKind === "object" ? `${call}.${which === 0 ? "p" : "q"}` : pairKind === "tuple" ? `${call}[${which}]` : `${call}[${which}]!`;
  const g = new Gen(r, helperNames, false, { name: pairName, read });
  const vars: string[] = [];
  const body = g.block(vars, 2, "  ", { canReturn: true });
  const fn = [
    `function ${name}(x: number, y: number, v: number[], k: number): number {`,
    `  let acc = x * 0.5 + y;`,
    ...body,
    `  return acc + ${g.expr(vars, 2)};`,
    `}`,
  ].join("\n");
  return { name, source: [...helperSources, pairSource, fn].join("\n\n") };
}
