/**
 * The everyday idioms of numeric TypeScript as statements of random programs (statements.ts
 * draws one of them now and then): the index loop over `xs.entries()` / `keys()` / `values()`,
 * `reduce` and `reduceRight` without an initial value, callbacks passed by name (`xs.map(Math.exp)`,
 * `xs.map(helper)`, `xs.reduce(add, 0)`), destructuring assignment (`[p, q] = [q, p * 0.5 + x]`),
 * rest elements, `xs.at(-1)!`, `concat`, `findIndex` used as data, `Number(cond)`, a sorted copy
 * (and the median of one), a reversed copy, optional fields and an optional object of an object
 * parameter read with `??` and `?.` (given at some calls, left out at others), and `console.log`.
 *
 * Arrays here are `number[]` (what the idioms are written over). The arrays they make are as long
 * as their source or longer, so that they can join the scope's values (whose reads assume the
 * kind's length at least). Sorting and `findIndex` are kinks and jumps where two values cross or
 * one crosses a threshold: the checks skip such points as they skip `min`, `max` and branches
 * (finite differences unstable between two step sizes).
 */
import type { ProgramGenerator } from "./generate.js";
import { expressionScope, type Scope, type Value } from "./scope.js";
import { ARR_LEN } from "./spec.js";
import { child } from "./statements.js";

/** A `number[]` readable here (a value in scope or a module constant) and its length. */
interface NumberArray {
  readonly expr: string;
  readonly len: number;
}

function numberArray(g: ProgramGenerator, s: Scope): NumberArray {
  const inScope = s.values.filter((v) => v.kind === "arr");
  if (inScope.length && !g.c.flag(0.2)) {
    const v = g.c.pick(inScope);
    return { expr: v.expr, len: v.len ?? ARR_LEN };
  }
  return { expr: g.constantOf("arr", s.where), len: ARR_LEN };
}

/** A new local array of a length joins the scope's values (never shorter than the kind's length). */
function keep(s: Scope, expr: string, len: number): void {
  const value: Value = len === ARR_LEN ? { expr, kind: "arr" } : { expr, kind: "arr", len };
  s.values.push(value);
}

/** A number in scope or a literal: what a callback written here closes over. */
function closedOver(g: ProgramGenerator, s: Scope): string {
  return s.scalars.length && g.c.flag(0.7) ? g.c.pick(s.scalars) : g.constant();
}

export function idiom(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const forms = [
    entries,
    reduceNoInit,
    byName,
    destructAssign,
    rest,
    at,
    concat,
    findIndex,
    numberCond,
    sortedCopy,
    reversedCopy,
    optionalFields,
    consoleLog,
  ];
  return g.c.pick(forms)(g, s, ind);
}

/** `for (const [i, v] of xs.entries())`, `for (const i of xs.keys())`, `for (const v of xs.values())`. */
function entries(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = numberArray(g, s);
  const i = g.fresh("i");
  const v = g.fresh("v");
  g.use("entries");
  const inner = child(s, { loop: { name: i, bound: a.len } });
  switch (c.int(3)) {
    case 0:
      inner.scalars.push(v);
      return [`${ind}for (const [${i}, ${v}] of ${a.expr}.entries()) acc += ${v} * ${g.expr(inner, 1)} * 0.3;`];
    case 1:
      return [`${ind}for (const ${i} of ${a.expr}.keys()) acc += ${a.expr}[${i}]! * ${g.expr(inner, 1)} * 0.3;`];
    default: {
      const plain = child(s);
      plain.scalars.push(v);
      return [`${ind}for (const ${v} of ${a.expr}.values()) acc += Math.sin(${v}) * ${g.expr(plain, 1)} * 0.3;`];
    }
  }
}

/** reduce and reduceRight without an initial value (the arrays are never empty), the callback closing over a number. */
function reduceNoInit(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = numberArray(g, s).expr;
  const p = g.fresh("ra");
  const q = g.fresh("rb");
  g.use("reduceNoInit");
  const w = closedOver(g, s);
  return [
    c.pick([
      () => `${ind}acc += ${a}.reduce((${p}, ${q}) => ${p} + ${q} * ${w}) * 0.3;`,
      () => `${ind}acc += ${a}.reduceRight((${p}, ${q}) => ${p} * 0.7 + ${q}) * ${g.expr(s, 1)};`,
      () => `${ind}acc += Math.tanh(${a}.reduce((${p}, ${q}) => ${p} * ${q}));`,
      () => `${ind}acc += ${a}.reduceRight((${p}, ${q}) => ${p} + Math.sin(${q} * ${w})) * 0.3;`,
    ])(),
  ];
}

/**
 * Callbacks passed by name: a Math function, or a one-number helper of the main module (passed by
 * name only from the file that declares it), and a two-number helper to reduce with.
 */
function byName(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = numberArray(g, s);
  const m = g.fresh("mp");
  g.use("byName");
  const own = s.where === "main" && c.flag(0.6);
  const body = (scalars: string[]): Scope => expressionScope(scalars);
  const fn = own
    ? g.sharedDeclaration(
        `unary${c.int(2)}`,
        "un",
        (name) => `function ${name}(v: number): number {\n  return Math.tanh(${g.expr(body(["v"]), 2)}) + 0.5 * v;\n}`,
      )
    : `Math.${c.pick(["sin", "cos", "tanh", "atan", "exp", "asinh"])}`;
  const sum =
    s.where === "main" && c.flag(0.6)
      ? `${g.sharedDeclaration("add", "add", (name) => `function ${name}(u: number, w: number): number {\n  return u + w * ${g.constant()};\n}`)}, 0`
      : `(l, r) => l + r, 0`;
  keep(s, m, a.len);
  return [`${ind}const ${m} = ${a.expr}.map(${fn});`, `${ind}acc += ${m}.reduce(${sum}) * 0.3;`];
}

/** Two `let` numbers given new values together: `[p, q] = [q, p * 0.5 + x]`, in a loop or once (a swap). */
function destructAssign(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const p = g.fresh("da");
  const q = g.fresh("db");
  g.use("destructAssign");
  const lines = [`${ind}let ${p} = ${g.expr(s, 1)};`, `${ind}let ${q} = ${g.expr(s, 1)};`];
  if (c.flag(0.6)) {
    const i = g.fresh("i");
    const bound = 2 + c.int(3);
    const inner = child(s, { loop: { name: i, bound } });
    inner.scalars.push(p, q);
    lines.push(`${ind}for (let ${i} = 0; ${i} < ${bound}; ${i}++) [${p}, ${q}] = [${q}, ${p} * 0.5 + Math.tanh(${g.expr(inner, 1)})];`);
  } else lines.push(`${ind}[${p}, ${q}] = [${q}, ${p}];`);
  lines.push(`${ind}acc += ${p} * 0.5 + ${q} * ${p};`);
  s.scalars.push(p, q);
  s.mutable.push(p, q);
  return lines;
}

/** `xs.at(-1)!` (and other ends). */
function at(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const a = numberArray(g, s);
  g.use("at");
  return [`${ind}acc += ${a.expr}.at(${g.c.pick(["-1", "0", "-2", "1"])})! * ${g.expr(s, 1)};`];
}

/** `const [first, ...rest] = xs`: rest is read right away (it is shorter than the scope's arrays). */
function rest(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = numberArray(g, s);
  const f = g.fresh("first");
  const r = g.fresh("rest");
  g.use("rest");
  const read = c.pick([
    () => `${ind}acc += ${f}! * ${r}.reduce((l, m) => l + m, 0) * 0.3;`,
    () => `${ind}for (const el of ${r}) acc += Math.sin(el * ${f}!) * 0.3;`,
    () => `${ind}acc += ${r}.at(-1)! * ${f}! + ${r}.length * 0.1;`,
  ])();
  if (read.includes(".at(")) g.use("at");
  return [`${ind}const [${f}, ...${r}] = ${a.expr};`, read];
}

/** `xs.concat(ys, [x], y)`: a longer array, kept in scope. */
function concat(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const a = numberArray(g, s);
  const b = numberArray(g, s);
  const cc = g.fresh("cc");
  g.use("concat");
  const lines = [`${ind}const ${cc} = ${a.expr}.concat(${b.expr}, [${g.expr(s, 1)}], ${g.expr(s, 1)});`];
  const q = g.fresh("q");
  lines.push(`${ind}for (let ${q} = 0; ${q} < ${cc}.length; ${q}++) acc += ${cc}[${q}]! * ${g.expr(s, 1)} * 0.1;`);
  keep(s, cc, a.len + b.len + 2);
  return lines;
}

/** `findIndex` as data: the index read from, compared, or scaled (a jump where an item crosses the threshold). */
function findIndex(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = numberArray(g, s).expr;
  const fi = g.fresh("fi");
  const u = g.fresh("u");
  g.use("findIndex");
  const test = c.pick([`${u} > ${g.constant()}`, `Math.abs(${u}) < ${c.pick(["0.5", "1", "0.8"])}`, `${u} * ${closedOver(g, s)} > 0.3`]);
  const use = c.pick([
    () => `${ind}acc += ${fi} >= 0 ? ${a}[${fi}]! * ${g.expr(s, 1)} : ${g.expr(s, 1)};`,
    () => `${ind}acc += ${fi} * 0.25 * ${g.expr(s, 1)};`,
    () => `${ind}if (${fi} > 1) acc += ${g.expr(s, 1)};`,
  ])();
  return [`${ind}const ${fi} = ${a}.findIndex((${u}) => ${test});`, use];
}

/** `Number(cond)` gating a term, and `Number(x)` of a number. */
function numberCond(g: ProgramGenerator, s: Scope, ind: string): string[] {
  g.use("numberCond");
  return [g.c.flag(0.7) ? `${ind}acc += Number(${g.cond(s)}) * ${g.expr(s, 1)};` : `${ind}acc += Number(${g.expr(s, 1)}) * 0.5;`];
}

/** A sorted copy (ascending or descending), read at an end, weighted by rank, or its median. */
function sortedCopy(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = numberArray(g, s);
  const so = g.fresh("so");
  const comparator = c.pick(["(l, r) => l - r", "(l, r) => r - l"]);
  g.use("sortCopy");
  const lines = [`${ind}const ${so} = ${c.pick([`[...${a.expr}]`, `${a.expr}.slice()`])}.sort(${comparator});`];
  switch (c.int(4)) {
    case 0:
    case 3: {
      g.use("median");
      const m = g.fresh("m");
      lines.push(
        `${ind}const ${m} = ${so}.length >> 1;`,
        `${ind}acc += (${so}.length % 2 ? ${so}[${m}]! : 0.5 * (${so}[${m} - 1]! + ${so}[${m}]!)) * ${g.expr(s, 1)};`,
      );
      break;
    }
    case 1: {
      const q = g.fresh("q");
      lines.push(`${ind}for (let ${q} = 0; ${q} < ${so}.length; ${q}++) acc += ${so}[${q}]! * (${q} + 1) * 0.1;`);
      break;
    }
    default:
      lines.push(`${ind}acc += Math.sin(${so}[0]!) * ${g.expr(s, 1)};`);
  }
  keep(s, so, a.len);
  return lines;
}

/** `reverse()` of a copy, or in place of a local copy, then weighted by position. */
function reversedCopy(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = numberArray(g, s);
  const rv = g.fresh("rv");
  const q = g.fresh("q");
  g.use("reverseCopy");
  const lines = c.flag(0.5)
    ? [`${ind}const ${rv} = [...${a.expr}].reverse();`]
    : [`${ind}const ${rv} = ${a.expr}.slice();`, `${ind}${rv}.reverse();`];
  lines.push(`${ind}for (let ${q} = 0; ${q} < ${rv}.length; ${q}++) acc += (${q} + 1) * ${rv}[${q}]! * ${g.expr(s, 1)} * 0.1;`);
  keep(s, rv, a.len);
  return lines;
}

/**
 * A helper of the main module taking an object with optional fields and an optional object
 * (`o.scale ?? 2`, `if (o.flip)`, `o.scale !== undefined`, `o.noise?.sigma ?? 0.5`, `if (o.noise)`),
 * called with literals that give some fields (differentiated values among them) and leave others
 * out; on data, one call or the other (given at some points, left out at others).
 */
function optionalFields(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  if (s.where !== "main") return [`${ind}acc += ${g.expr(s, 2)};`];
  const type = g.sharedDeclaration(
    "opts",
    "Opts",
    (name) => `interface ${name} {\n  scale?: number;\n  bias: number;\n  flip?: boolean;\n  noise?: { sigma: number };\n}`,
  );
  const fn = g.sharedDeclaration("optsHelper", "opt", (name) =>
    [
      `function ${name}(x: number, o: ${type}): number {`,
      `  let y = (o.scale ?? ${g.constant()}) * Math.sin(x) + o.bias;`,
      `  if (o.flip) y = -y;`,
      `  if (o.scale !== undefined${c.flag(0.5) ? " && o.scale > 0.5" : ""}) y += 0.5 * o.scale * Math.tanh(x);`,
      `  y += (o.noise?.sigma ?? 0.5) * Math.cos(x);`,
      `  if (o.noise) y += o.noise.sigma * x * 0.25;`,
      `  return y;`,
      `}`,
    ].join("\n"),
  );
  const literal = (): string => {
    const fields = [`bias: ${g.expr(s, 1)}`];
    if (c.flag(0.5)) fields.push(`scale: ${g.expr(s, 1)}`);
    if (c.flag(0.3)) fields.push(`flip: ${s.data && c.flag(0.5) ? "k > 2" : c.pick(["true", "false"])}`);
    if (c.flag(0.5)) {
      g.use("optionalObject");
      fields.push(`noise: { sigma: ${g.expr(s, 1)} }`);
    }
    return `{ ${fields.join(", ")} }`;
  };
  g.use("optionalField");
  const call = () => `${fn}(${g.expr(s, 1)}, ${literal()})`;
  if (s.data && c.flag(0.5)) return [`${ind}acc += k > ${c.int(4)} ? ${call()} : ${call()};`];
  return [`${ind}acc += ${call()} * 0.5;`];
}

/**
 * `console.log` of a label and a number (or a template). The checks stub `console.log` while they
 * run (checks.ts), so that the statement runs at every point, in every mode, without printing.
 */
function consoleLog(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const v = c.pick(s.scalars.length ? s.scalars : ["acc"]);
  g.use("consoleLog");
  return [c.flag(0.5) ? `${ind}console.log("${v}", ${v});` : `${ind}console.log(\`${v} = \${${v}}\`);`];
}
