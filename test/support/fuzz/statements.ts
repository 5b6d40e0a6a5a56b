/**
 * The statements of random programs (generate.ts): declarations and assignments, branches, loops
 * with break and continue, local arrays built, aliased, pushed and handed down, destructuring,
 * tensors, switch on data, and the everyday idioms (idioms.ts). Each is one draw from the generator's `Choices`.
 */
import type { ProgramGenerator } from "./generate.js";
import { LEN, readsRecord, type Scope } from "./scope.js";
import { ARR_LEN, F64_LEN } from "./spec.js";
import { idiom } from "./idioms.js";


export function block(g: ProgramGenerator, s: Scope, depth: number, indent: string): string[] {
  return g.c.list("stmt", 1, 4, 0.55, () => stmt(g, s, depth, indent)).flat();
}

/** A nested block's scope: what it declares stays in it. */
export function child(s: Scope, extra: Partial<Scope> = {}): Scope {
  return { ...s, scalars: [...s.scalars], mutable: [...s.mutable], values: [...s.values], callable: [...s.callable], ...extra };
}

function stmt(g: ProgramGenerator, s: Scope, depth: number, ind: string): string[] {
  const c = g.c;
  const e = (d = 2) => g.expr(s, d);
  const kind = depth <= 0 ? c.int(3) : c.int(26);
  switch (kind) {
    case 0: {
      const name = g.fresh("t");
      const line = `${ind}let ${name} = ${e()};`;
      s.scalars.push(name);
      s.mutable.push(name);
      return [line];
    }
    case 1: {
      if (!s.mutable.length) return [`${ind}acc += ${e()};`];
      const t = c.pick(s.mutable);
      return [
        c.pick([
          () => `${ind}${t} ${c.pick(["=", "+=", "-=", "*="])} ${e()};`,
          () => `${ind}${t} /= 1.5 + (${e(1)}) ** 2;`,
          () => `${ind}${t} %= ${c.pick(["1.7", "-0.9"])};`,
          () => `${ind}${t} = ${t} * 0.5 + Math.sin(${t});`,
        ])(),
      ];
    }
    case 2:
      return [`${ind}acc ${c.pick(["+=", "-="])} ${e()};`];
    case 3: {
      const lines = [`${ind}if (${g.cond(s)}) {`, ...block(g, child(s), depth - 1, ind + "  ")];
      if (c.flag(0.6)) lines.push(`${ind}} else {`, ...block(g, child(s), depth - 1, ind + "  "));
      lines.push(`${ind}}`);
      return lines;
    }
    case 4: {
      const i = g.fresh("i");
      const bound = 2 + c.int(3);
      const inner = child(s, { loop: { name: i, bound } });
      const lines = [`${ind}for (let ${i} = 0; ${i} < ${bound}; ${i}++) {`];
      if (c.flag(0.3)) lines.push(`${ind}  if (${i} === ${c.int(3)}) ${c.pick(["continue", "break"])};`);
      lines.push(...block(g, inner, depth - 1, ind + "  "));
      if (c.flag(0.4)) {
        // a jump after writes, then more writes: what the jump leaves behind is the first value
        lines.push(`${ind}  if (${g.cond(inner)}) ${c.pick(["continue", "break"])};`);
        lines.push(...block(g, inner, depth - 1, ind + "  "));
      }
      lines.push(`${ind}}`);
      return lines;
    }
    case 5: {
      if (!s.data) return [`${ind}acc = acc * 0.5 + ${e()};`];
      // a while loop with a data-dependent trip count and a value carried across iterations
      const j = g.fresh("j");
      const inner = child(s, { loop: undefined });
      return [
        `${ind}let ${j} = 0;`,
        `${ind}while (${j} < k && ${j} < 4) {`,
        `${ind}  acc = acc * 0.5 + ${g.expr(inner, 2)};`,
        ...block(g, inner, depth - 1, ind + "  "),
        `${ind}  ${j}++;`,
        `${ind}}`,
      ];
    }
    case 6:
      return localArray(g, s, ind);
    case 7:
      if (s.canReturn) return [`${ind}if (${g.cond(s)}) return ${g.result(s, 1, "acc")};`];
      return [`${ind}acc *= 0.9;`];
    case 8: {
      const name = g.fresh("c");
      const line = `${ind}const ${name} = Math.tanh(${e(3)});`;
      s.scalars.push(name);
      return [line];
    }
    case 9: {
      // a counter of the user's own: starts anywhere, read inside the loop and after it. Its term
      // is squashed: `acc += n * acc ** 2` three times in a loop run twice reached 4e35, and a
      // helper's value that large, added and later subtracted, cancels exactly in the primal and
      // in forward mode but absorbs the smaller adjoints accumulated before it in reverse mode
      // (program seed 1686957924: d/dv2 is 12455 by differences and forward mode, 0 by the
      // gradient). That is rounding, not a rule; the checks compare derivatives, not conditioning.
      const n = g.fresh("n");
      const i = g.fresh("i");
      return [
        `${ind}let ${n} = ${c.int(3)};`,
        `${ind}for (let ${i} = 0; ${i} < ${1 + c.int(3)}; ${i}++) {`,
        `${ind}  acc += ${n} * Math.tanh(${g.expr(s, 1)});`,
        `${ind}  ${c.pick([`${n} = ${n} + 1`, `${n}++`, `${n} += 1`])};`,
        `${ind}}`,
        `${ind}acc += ${n} * 0.25 * ${g.expr(s, 1)};`,
      ];
    }
    case 10:
      return aliasedArray(g, s, ind);
    case 11:
    case 12:
      return perElement(g, s, ind);
    case 13:
      return destructure(g, s, ind);
    case 14:
      return localTensor(g, s, ind);
    case 15:
      return handDown(g, s, ind);
    case 16:
    case 24:
      // twice the share: the idioms' cases took some of it
      return localHelper(g, s, ind);
    case 17:
      return switchOnData(g, s, depth, ind);
    case 18:
      return sliceRead(g, s, ind);
    case 19:
      return tupleState(g, s, ind);
    case 20:
      return outParameter(g, s, ind);
    case 21:
    case 22:
    case 23:
      return idiom(g, s, ind);
    default:
      return hashCounter(g, s, ind);
  }
}

/**
 * Slices of an array in scope read in a loop: a window from the counter (`xs.slice(i, i + 2)`,
 * shorter at the end), the last elements (`xs.slice(-2)`), a middle range.
 */
function sliceRead(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const kind = c.pick(["arr", "f64"] as const);
  const src = source(g, s, kind);
  const len = LEN[kind];
  const sl = g.fresh("sl");
  const q = g.fresh("q");
  g.use("slice");
  const readAll = (pad: string, scope: Scope) => `${pad}for (let ${q} = 0; ${q} < ${sl}.length; ${q}++) acc += ${sl}[${q}]! * ${g.expr(scope, 1)} * 0.3;`;
  if (c.flag(0.5)) {
    const i = g.fresh("i");
    const inner = child(s, { loop: { name: i, bound: len } });
    const width = 1 + c.int(2);
    return [`${ind}for (let ${i} = 0; ${i} < ${len}; ${i}++) {`, `${ind}  const ${sl} = ${src}.slice(${i}, ${i} + ${width});`, readAll(ind + "  ", inner), `${ind}}`];
  }
  const bounds = c.pick(["-2", "1", "1, 3", "0, -1", `${c.int(3)}, ${c.int(3) + 2}`]);
  return [`${ind}const ${sl} = ${src}.slice(${bounds});`, readAll(ind, s)];
}

/**
 * A `let` tuple state given a new value each iteration: by a helper of the program returning a
 * tuple and taking one (`st = h(st, ...)`), or by a literal of its fields (`st = [st[1], st[0] * c]`).
 */
function tupleState(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const st = g.fresh("st");
  const i = g.fresh("i");
  const bound = 2 + c.int(3);
  const inner = child(s, { loop: { name: i, bound } });
  g.use("tupleState");
  const steppers = s.callable.filter((h) => h.returns === "tup" && h.params.some((p) => p.kind === "tup"));
  let step: string;
  if (steppers.length && c.flag(0.5)) {
    const h = c.pick(steppers);
    const slot = h.params.findIndex((p) => p.kind === "tup");
    const call = g.callOf(h, inner, 1, h.params.map((p, n) => (n === slot ? st : g.arg(p.kind, inner, 1))));
    // damped: the helper's result may grow with its argument
    step = c.flag(0.5) ? `${st} = ${call};` : `${st} = [Math.tanh(${call}[0]), Math.tanh(${st}[0] * 0.5 + ${st}[1] * 0.25)];`;
  } else {
    step = c.pick([
      () => `${st} = [${st}[1], Math.tanh(${st}[0] * ${g.expr(inner, 1)})];`,
      () => `${st} = [${st}[0] * 0.5 + ${st}[1] * 0.25, Math.sin(${st}[0]) + ${g.expr(inner, 1)} * 0.1];`,
    ])();
  }
  return [
    `${ind}let ${st}: [number, number] = [${g.expr(s, 1)}, ${g.expr(s, 1)}];`,
    `${ind}for (let ${i} = 0; ${i} < ${bound}; ${i}++) ${step}`,
    `${ind}acc += ${st}[0] * 0.5 + ${st}[1] * ${st}[0];`,
  ];
}

/**
 * A helper writing into an array this code made (out-parameter or in-place update, inlined by
 * the compiler): called as a statement, in a loop, or as a declaration's value when it returns a
 * number. The array is then read and stays in scope.
 */
function outParameter(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  // writing helpers live in the main module
  if (s.where !== "main") return [`${ind}acc += ${g.expr(s, 2)};`];
  const kind = c.pick(["arr", "f64"] as const);
  const shape = c.pick(["into", "inPlace", "intoSum"] as const);
  const w = g.writer(shape, kind);
  const o = g.fresh("out");
  const src = source(g, s, kind);
  g.use("outParam");
  // a copy of an array of the kind's own length (it stays in scope, and may be handed down)
  const whole = s.values.filter((v) => v.kind === kind && v.len === undefined).map((v) => v.expr);
  const copied = whole.length && !c.flag(0.2) ? c.pick(whole) : g.constantOf(kind, s.where);
  const made = shape === "inPlace" ? `${copied}.slice()` : kind === "f64" ? `new Float64Array(${F64_LEN})` : `new Array(${ARR_LEN}).fill(0)`;
  const lines = [`${ind}const ${o}${kind === "arr" ? ": number[]" : ""} = ${made};`];
  const call = `${w}(${o}, ${src}, ${g.expr(s, 1)})`;
  if (shape === "intoSum") {
    const r = g.fresh("r");
    lines.push(`${ind}const ${r} = ${call};`, `${ind}acc += ${r} * 0.2;`);
  } else if (c.flag(0.4)) {
    const i = g.fresh("i");
    lines.push(`${ind}for (let ${i} = 0; ${i} < 2; ${i}++) ${call};`);
  } else lines.push(`${ind}${call};`);
  const q = g.fresh("q");
  lines.push(`${ind}for (let ${q} = 0; ${q} < ${o}.length; ${q}++) acc += ${o}[${q}]! * 0.3;`);
  s.values.push({ expr: o, kind });
  return lines;
}

/** A hash of the loop counter with bitwise operators (`h = (h * 31 + i) | 0; h ^= h >>> 3`), used as an index. */
function hashCounter(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const h = g.fresh("hs");
  const i = g.fresh("i");
  const kind = c.pick(["arr", "f64"] as const);
  const src = source(g, s, kind);
  g.use("bitwise");
  const mix = c.pick([`${h} ^= ${h} >>> 3;`, `${h} = (${h} << 1) ^ ${i};`, `${h} &= 1023;`, `${h} |= ${i};`, `${h} >>= 1;`, `${h} <<= 2;`, `${h} >>>= 1;`]);
  return [
    `${ind}let ${h} = ${c.int(50)};`,
    `${ind}for (let ${i} = 0; ${i} < ${2 + c.int(3)}; ${i}++) {`,
    `${ind}  ${h} = (${h} * 31 + ${i}) | 0;`,
    `${ind}  ${mix}`,
    `${ind}  acc += ${src}[(${h} >>> 0) % ${src}.length]! * ${g.expr(s, 1)} * 0.3;`,
    `${ind}}`,
  ];
}

/** An array of a kind in scope to copy from, or a module constant. */
function source(g: ProgramGenerator, s: Scope, kind: "arr" | "f64"): string {
  const inScope = s.values.filter((v) => v.kind === kind).map((v) => v.expr);
  return inScope.length && !g.c.flag(0.2) ? g.c.pick(inScope) : g.constantOf(kind, s.where);
}

/** A local array written by index (old values restored by the reverse sweep), pushed, maybe rebound. */
function localArray(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = g.fresh("arr");
  if (c.flag(0.3)) {
    // a fresh array filled, then read: its old elements are never needed back
    const src = source(g, s, "f64");
    const lines = [
      `${ind}const ${a} = new Float64Array(${F64_LEN});`,
      `${ind}for (let q = 0; q < ${a}.length; q++) ${a}[q] = ${g.expr(s, 1)} * ${src}[q]!;`,
      `${ind}for (let q = 0; q < ${a}.length; q++) acc += ${a}[q]! * ${a}[${F64_LEN - 1} - q]! * 0.5;`,
    ];
    s.values.push({ expr: a, kind: "f64" });
    return lines;
  }
  const src = source(g, s, "arr");
  const rebind = c.flag(0.4) ? [`${ind}${a} = ${c.pick([`${a}.slice()`, `[${a}[1]! * ${g.expr(s, 1)}, ${a}[0]!, ${a}[3]!, ${a}[2]!]`])};`] : [];
  const lines = [
    `${ind}let ${a} = ${src}.slice();`,
    `${ind}for (let q = 0; q < ${a}.length; q++) ${a}[q] = ${a}[q]! * ${g.expr(s, 1)} + ${a}[(q + 1) % ${a}.length]!;`,
    ...rebind,
    `${ind}${a}.push(${g.expr(s, 1)});`,
    `${ind}for (const el of ${a}) acc += Math.sin(el) * 0.3;`,
  ];
  s.values.push({ expr: a, kind: "arr", len: ARR_LEN + 1 });
  return lines;
}

/** An array read through a second name, then overwritten through its own. */
function aliasedArray(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = g.fresh("arr");
  const b = g.fresh("alias");
  const src = source(g, s, "arr");
  const other = source(g, s, "arr");
  const second = c.pick([`const ${b} = ${a};`, `const ${b} = ${g.cond(s)} ? ${a} : ${other};`, `const ${b}: number[][] = [];\n${ind}${b}.push(${a});`]);
  const read = second.includes("push") ? (q: number) => `${b}[0]![${q}]!` : (q: number) => `${b}[${q}]!`;
  const before = g.fresh("before");
  return [
    `${ind}const ${a} = ${src}.slice();`,
    `${ind}${second}`,
    `${ind}const ${before} = ${read(0)} * ${read(1)} + ${g.expr(s, 1)};`,
    `${ind}${a}[0] = ${g.expr(s, 1)};`,
    `${ind}${a}[1] *= ${read(2)};`,
    `${ind}acc += ${before} * ${before} * 0.1 + ${read(0)} * ${read(1)};`,
  ];
}

/** A helper called once per element of an array, inside a loop. */
function perElement(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const withNum = s.callable.filter((h) => h.params.some((p) => p.kind === "num" || p.kind === "arr"));
  if (!withNum.length) return [`${ind}acc += ${g.expr(s, 2)};`];
  const h = c.pick(withNum);
  const slot = h.params.findIndex((p) => p.kind === "num" || p.kind === "arr");
  const src = source(g, s, "arr");
  const read = (el: string) => (h.params[slot]!.kind === "num" ? el : `[${el}, ${g.expr(s, 1)}, ${el} * 0.5, ${g.atom(s)}]`);
  const call = (el: string) => {
    const args = h.params.map((p, i) => (i === slot ? read(el) : g.arg(p.kind, s, 1)));
    const text = g.callOf(h, s, 1, args);
    return h.returns === "num" ? text : g.readPair(text, h.returns, c.pick([0, 1] as const));
  };
  if (c.flag(0.5)) {
    const i = g.fresh("i");
    return [`${ind}for (let ${i} = 0; ${i} < ${src}.length; ${i}++) {`, `${ind}  acc += ${call(`${src}[${i}]!`)} * 0.5;`, `${ind}}`];
  }
  const el = g.fresh("el");
  return [`${ind}for (const ${el} of ${src}) acc ${c.pick(["+=", "-="])} ${call(el)};`];
}

/** A helper's tuple or object result destructured into two numbers. */
function destructure(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const pairs = s.callable.filter((h) => h.returns !== "num");
  if (!pairs.length) return [`${ind}acc -= ${g.expr(s, 2)};`];
  const h = c.pick(pairs);
  const p = g.fresh("p");
  const q = g.fresh("q");
  const call = g.callOf(h, s, 2);
  const line = h.returns === "tup" ? `${ind}const [${p}, ${q}] = ${call};` : `${ind}const { p: ${p}, q: ${q} } = ${call};`;
  s.scalars.push(p, q);
  return [line, `${ind}acc += ${p} * ${q};`];
}

/** A local tensor, read as a number right away and kept in scope. */
function localTensor(g: ProgramGenerator, s: Scope, ind: string): string[] {
  if (!s.values.some((v) => v.kind === "ten") && !g.c.flag(0.2)) return [`${ind}acc += ${g.expr(s, 2)};`];
  const t = g.fresh("tt");
  const lines = [`${ind}const ${t} = ${g.tensor(s, 2)};`, `${ind}acc += item(sum(mul(${t}, ${t}))) * 0.1;`];
  s.values.push({ expr: t, kind: "ten" });
  return lines;
}

/** A local array built from values here, written, then handed down to a helper. */
function handDown(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const a = g.fresh("loc");
  const lines = [`${ind}const ${a} = [${Array.from({ length: ARR_LEN }, () => g.expr(s, 1)).join(", ")}];`];
  if (c.flag(0.5)) lines.push(`${ind}${a}[${c.int(ARR_LEN)}] = ${g.expr(s, 1)};`);
  s.values.push({ expr: a, kind: "arr" });
  const takers = s.callable.filter((h) => h.params.some((p) => p.kind === "arr"));
  if (takers.length) {
    const h = c.pick(takers);
    const slot = h.params.findIndex((p) => p.kind === "arr");
    const args = h.params.map((p, i) => (i === slot ? a : g.arg(p.kind, s, 1)));
    const call = g.callOf(h, s, 1, args);
    lines.push(`${ind}acc += ${h.returns === "num" ? call : g.readPair(call, h.returns, 0)};`);
  } else lines.push(`${ind}acc += ${a}[0]! * ${a}[${ARR_LEN - 1}]!;`);
  return lines;
}

/** `switch` on the data parameter, cases ending in break or return. */
function switchOnData(g: ProgramGenerator, s: Scope, depth: number, ind: string): string[] {
  const c = g.c;
  if (!s.data) return [`${ind}acc += 0.5 * ${g.expr(s, 2)};`];
  const lines = [`${ind}switch (k) {`];
  const cases = 1 + c.int(3);
  // no switch on k inside a case of one (TypeScript narrows k there)
  const inner = child(s, { canReturn: false, data: false });
  for (let i = 0; i < cases; i++) {
    lines.push(`${ind}  case ${i}: {`, ...block(g, child(inner), depth - 1, ind + "    "), `${ind}    break;`, `${ind}  }`);
  }
  lines.push(`${ind}  default:`, `${ind}    acc ${c.pick(["+=", "*="])} ${g.expr(s, 1)};`, `${ind}}`);
  return lines;
}

/**
 * A local helper: an arrow or a function declaration inside the function, reading (never writing)
 * what is in scope where it is declared: parameters, `acc` and other locals (read at each call, as
 * a closure reads them), the loop's counter. It is called right away, maybe in a loop, and stays
 * callable by what follows in the block, nested local helpers included.
 */
function localHelper(g: ProgramGenerator, s: Scope, ind: string): string[] {
  const c = g.c;
  const name = g.fresh("lf");
  const params = c.list("param", 1, 2, 0.4, () => ({ name: g.fresh("u"), kind: c.flag(0.7) ? ("num" as const) : ("arr" as const) }));
  // its body reads the enclosing scope and its own parameters; it writes only its own locals
  const body = child(s, { mutable: [], canReturn: false });
  for (const p of params) {
    if (p.kind === "num") body.scalars.push(p.name);
    else body.values.push({ expr: p.name, kind: "arr" });
  }
  const sig = params.map((p) => `${p.name}: ${p.kind === "num" ? "number" : "number[]"}`).join(", ");
  g.closures++;
  const gradCallsBefore = g.gradCalls;
  let lines: string[];
  if (c.flag(0.6)) {
    lines = [`${ind}const ${name} = (${sig}): number => ${g.expr(body, 2)};`];
  } else {
    const r = g.fresh("r");
    const q = g.fresh("q");
    const first = g.expr(body, 2);
    body.scalars.push(r);
    const step = g.expr(child(body, { loop: { name: q, bound: 3 } }), 1);
    lines = [
      `${ind}function ${name}(${sig}): number {`,
      `${ind}  let ${r} = ${first};`,
      // the step squashed: a step such as r ** 2 doubles r's exponent each time, and an overflow to
      // Infinity in an output the loss never reads is still 0 x Infinity = NaN in reverse mode (a documented limit)
      `${ind}  for (let ${q} = 0; ${q} < 3; ${q}++) ${r} = ${r} * 0.5 + Math.tanh(${step});`,
      `${ind}  return ${r};`,
      `${ind}}`,
    ];
  }
  const capturesRecord = readsRecord(s, lines.join("\n"));
  const callsGrad = g.gradCalls > gradCallsBefore;
  const helper = { name, params, returns: "num" as const, where: s.where, exported: false, depth: 1, passThrough: false, local: true, capturesRecord, callsGrad };
  s.callable.push(helper);
  if (c.flag(0.5)) {
    const i = g.fresh("i");
    const inner = child(s, { loop: { name: i, bound: 3 } });
    lines.push(`${ind}for (let ${i} = 0; ${i} < 3; ${i}++) acc += 0.5 * ${g.callOf(helper, inner, 2)};`);
  } else lines.push(`${ind}acc += ${g.callOf(helper, s, 2)};`);
  return lines;
}
