/**
 * Random programs in the language tsgrad differentiates, shaped like the code that hides bugs:
 *
 * - helpers calling helpers (a call graph up to 4 or 5 levels deep), pure pass-through helpers
 *   among them (`return next(a, C)`), some in a sibling module, some returning tuples or objects;
 * - parameters of every kind (`number`, `number[]`, `Float64Array`, tuples, objects with an array
 *   field, tensors), handed down whole, as literals, or as module constants;
 * - helpers called per element inside loops, local arrays built and handed down;
 * - every primitive with a rule (smooth ones, inverse and hyperbolic functions, expm1, log1p,
 *   log2, log10, cbrt, pow, and the kinked abs, min, max, atan2, `%` on dividends of both signs,
 *   floor, sign, round), in domains where finite differences mean something;
 * - the statement shapes that found earlier bugs: reassignment and compound assignment,
 *   branches on data and on active values, counted and while loops with break and continue and
 *   jumps after writes, early returns, local arrays written by index, pushed, rebound and read
 *   through a second name, counters of the user's own, switch on data, and derivatives (grad,
 *   jvp, valueAndGrad) called inside the program.
 *
 * Every decision is one draw from `Choices`, whose zero is the simplest option, so a recorded
 * program can be shrunk by editing its draws (shrink.ts). Values stay bounded: functions with a
 * restricted domain get arguments squashed into it (`Math.asin(0.9 * Math.tanh(e))`).
 */
import { Choices } from "./choices.js";
import { ARR_LEN, CONSTRUCTS, F64_LEN, IDIOMS, TEN_LEN, TYPE_OF, flatSize, type Construct, type GeneratedProgram, type Kind, type Param } from "./spec.js";
import { LEN, expressionScope, readsRecord, type Constant, type Helper, type Returns, type Scope, type Value, type Where } from "./scope.js";
import { block, child } from "./statements.js";
import { idiom } from "./idioms.js";

/** The tensor operations generated code may use (imported whole: unused names are harmless). */
export const TENSOR_IMPORTS = ["add", "dot", "exp", "item", "logsumexp", "max", "mean", "mul", "scalar", "sigmoid", "softplus", "stack", "sub", "sum", "tanh", "tensor", "type Tensor"];

export function generateProgram(c: Choices, name: string): GeneratedProgram {
  return new ProgramGenerator(c, name).program();
}

export class ProgramGenerator {
  private readonly helpers: Helper[] = [];
  private readonly helperSources = new Map<string, string>();
  private readonly constants: Constant[] = [];
  /** Module-level derivative bindings (`const p_d0 = grad(h, { wrt: [0] })`), by module. */
  private readonly bindings: { name: string; where: Where; source: string }[] = [];
  private id = 0;
  private callsDerivative = false;
  /**
   * How many calls of grad or valueAndGrad, or of helpers that reach one, were written so far:
   * code generated while it grows reaches a gradient (a helper's `callsGrad`).
   */
  gradCalls = 0;
  /** Local helpers and arrows written in a marker call (closures over the code around them). */
  closures = 0;
  /** How often each counted construct was written (the program's stats). */
  readonly uses = Object.fromEntries([...CONSTRUCTS, ...IDIOMS].map((k) => [k, 0])) as Record<Construct, number>;
  /** Helpers that write into a caller's array (out-parameters, in-place updates), by kind and shape. */
  private readonly writers = new Map<string, string>();
  /** Module-level tuples and objects of constants (data read by field), by module. */
  private readonly records: { name: string; shape: "pair" | "cfg" | "obs"; where: Where; source: string }[] = [];

  /** Module-level declarations of the main module made once and shared (helpers passed by name, an interface with optional fields), by key. */
  private readonly shared = new Map<string, { name: string; source: string }>();

  /** The name of a main-module declaration made once per key: `make(name)` gives its source. */
  sharedDeclaration(key: string, prefix: string, make: (name: string) => string): string {
    const known = this.shared.get(key);
    if (known) return known.name;
    const name = `${this.name}_${prefix}${this.id++}`;
    this.shared.set(key, { name, source: make(name) });
    return name;
  }

  use(construct: Construct): void {
    this.uses[construct]++;
  }

  constructor(
    readonly c: Choices,
    private readonly name: string,
  ) {}

  program(): GeneratedProgram {
    const c = this.c;
    c.list("helper", 0, 6, 0.85, () => c.span("helper-body", () => this.helper()));
    const params = this.signature();
    const body = c.span("main", () => this.mainFunction(params));
    const n = flatSize(params);
    const line = c.span("line", () => ({
      base: Array.from({ length: n }, () => this.unit()),
      dir: Array.from({ length: n }, () => this.unit()),
      k: c.int(5),
    }));
    const vecExtra = c.span("vec-extra", () => {
      const scope = expressionScope(
        Array.from({ length: Math.min(n, 4) }, (_, i) => `z[${i}]!`),
        this.callableFrom("main", Infinity),
      );
      return this.expr(scope, 2);
    });
    const inMain = (where: Where) => (x: { where: Where }) => x.where === where;
    const main = [
      ...this.constants.filter(inMain("main")).map((k) => k.source),
      ...this.records.filter(inMain("main")).map((r) => r.source),
      ...this.writers.values(),
      ...[...this.shared.values()].map((d) => d.source),
      ...this.bindings.filter(inMain("main")).map((b) => b.source),
      ...this.helpers.filter(inMain("main")).map((h) => this.helperSources.get(h.name)!),
      body,
    ].join("\n\n");
    const lib = [
      ...this.constants.filter(inMain("lib")).map((k) => k.source),
      ...this.records.filter(inMain("lib")).map((r) => r.source),
      ...this.bindings.filter(inMain("lib")).map((b) => b.source),
      ...this.helpers.filter(inMain("lib")).map((h) => this.helperSources.get(h.name)!),
    ].join("\n\n");
    const libImports = [
      ...this.constants.filter(inMain("lib")).map((k) => k.name),
      ...this.helpers.filter((h) => h.where === "lib" && h.exported).map((h) => h.name),
    ];
    return {
      name: this.name,
      params,
      main,
      lib,
      libImports: lib ? libImports : [],
      callsDerivative: this.callsDerivative,
      line,
      vecExtra,
      stats: {
        helpers: this.helpers.length,
        depth: this.helpers.reduce((d, h) => Math.max(d, h.depth), 0),
        libHelpers: this.helpers.filter((h) => h.where === "lib").length,
        passThrough: this.helpers.filter((h) => h.passThrough).length,
        closures: this.closures,
        uses: { ...this.uses },
      },
    };
  }

  // ---- small draws ----------------------------------------------------------------------

  fresh(prefix: string): string {
    return `${prefix}${this.id++}`;
  }

  /** A literal in [-2, 2] with two decimals; the zero draw is 1. */
  constant(): string {
    const i = this.c.int(401);
    return i === 0 ? "1" : ((i - 200) / 100).toString();
  }

  /** A number in [-1, 1] (base points and directions). */
  private unit(): number {
    return Math.round((this.c.int(2001) - 1000)) / 1000;
  }

  private kind(): Kind {
    return this.c.pick(["num", "arr", "num", "f64", "tup", "obj", "ten"] as const);
  }

  // ---- module constants -----------------------------------------------------------------

  /** A module constant of a kind, in a module code there may read (made on first need). */
  constantOf(kind: "num" | "arr" | "f64" | "ten", where: Where): string {
    const visible = this.constants.filter((k) => k.kind === kind && (where === "main" || k.where === "lib"));
    if (visible.length && !this.c.flag(0.2)) return this.c.pick(visible).name;
    const home: Where = where === "lib" || this.c.flag(0.35) ? "lib" : "main";
    const name = `${this.name}_${{ num: "S", arr: "C", f64: "F", ten: "N" }[kind]}${this.id++}`;
    const nums = (n: number) => Array.from({ length: n }, () => this.constant()).join(", ");
    const value = {
      num: this.constant(),
      arr: `[${nums(ARR_LEN)}]`,
      f64: `new Float64Array([${nums(F64_LEN)}])`,
      ten: `tensor([${nums(TEN_LEN)}], [${TEN_LEN}])`,
    }[kind];
    const source = `${home === "lib" ? "export " : ""}const ${name} = ${value};`;
    this.constants.push({ name, kind, where: home, source });
    return name;
  }

  /**
   * A value that does not vary: a module constant (numbers, arrays, Float64Arrays, tensors), or
   * a literal of constants for tuples and objects (module-level ones are read by field only, see
   * recordRead).
   */
  private fixed(kind: Kind, where: Where): string {
    if (kind === "tup") return `[${this.constant()}, ${this.constant()}]`;
    if (kind === "obj") return `{ a: ${this.constant()}, b: ${this.constantOf("arr", where)} }`;
    return this.constantOf(kind, where);
  }

  /**
   * A number read from a module-level tuple or object of constants, data read by field: `K[1]`,
   * `K[i % 2]!` of `const K = [2, 3] as const`, `CFG.rate`, `CFG.w[i % 2]!`, or from an array of
   * objects (`OBS[i % 3]!.t`, a sum over it with `reduce`). The constant lives in the module of
   * the code reading it.
   */
  private recordRead(s: Scope): string {
    const c = this.c;
    const shape = c.pick(["pair", "cfg", "obs"] as const);
    if (shape === "obs") return this.observationRead(s);
    const visible = this.records.filter((r) => r.shape === shape && r.where === s.where);
    let name: string;
    if (visible.length && !c.flag(0.3)) name = c.pick(visible).name;
    else {
      name = `${this.name}_${shape === "pair" ? "K" : "CFG"}${this.id++}`;
      const value =
        shape === "pair"
          ? c.pick([`[${this.constant()}, ${this.constant()}] as const`, `[${this.constant()}, ${this.constant()}]`])
          : `{ rate: ${this.constant()}, w: [${this.constant()}, ${this.constant()}] }`;
      const type = shape === "pair" && !value.endsWith("as const") ? ": readonly [number, number]" : "";
      // exported from the sibling module: generated code in main.ts inlines the helpers reading it (TSG1012)
      this.records.push({ name, shape, where: s.where, source: `${s.where === "lib" ? "export " : ""}const ${name}${type} = ${value};` });
    }
    this.use("moduleRecord");
    const index = () => (s.loop && c.flag(0.5) ? `${s.loop.name} % 2` : s.data && c.flag(0.3) ? `k & 1` : `${c.int(2)}`);
    if (shape === "pair") return `${name}[${index()}]!`;
    return c.flag(0.5) ? `${name}.rate` : `${name}.w[${index()}]!`;
  }

  /** `OBS[i % 3]!.t` of `const OBS: { t: number; y: number }[] = [...]`, or a sum over it. */
  private observationRead(s: Scope): string {
    const c = this.c;
    const visible = this.records.filter((r) => r.shape === "obs" && r.where === s.where);
    let name: string;
    if (visible.length && !c.flag(0.3)) name = c.pick(visible).name;
    else {
      name = `${this.name}_OBS${this.id++}`;
      const rows = [0, 1, 2].map(() => `{ t: ${this.constant()}, y: ${this.constant()} }`).join(", ");
      const source = `${s.where === "lib" ? "export " : ""}const ${name}: { t: number; y: number }[] = [${rows}];`;
      this.records.push({ name, shape: "obs", where: s.where, source });
    }
    this.use("recordArray");
    const field = c.pick(["t", "y"]);
    const index = s.loop && c.flag(0.5) ? `${s.loop.name} % ${name}.length` : s.data && c.flag(0.3) ? `k & 1` : `${c.int(3)}`;
    return c.flag(0.7) ? `${name}[${index}]!.${field}` : `${name}.reduce((sum, o) => sum + o.t * o.y, 0)`;
  }

  /**
   * A helper writing into a caller's array, C's style (declared in the main module, once per
   * shape and kind): `into` writes `out[i]` from `x` and a number, `inPlace` updates `v` from `w`,
   * `intoSum` writes `out` and returns a number as well. Its body's expressions read its own
   * parameters only.
   */
  writer(shape: "into" | "inPlace" | "intoSum", kind: "arr" | "f64"): string {
    const key = `${shape}:${kind}`;
    const known = this.writers.get(key);
    if (known) return known.slice(known.indexOf(" ") + 1, known.indexOf("("));
    const name = `${this.name}_${shape}${kind === "f64" ? "F" : "A"}${this.id++}`;
    const t = TYPE_OF[kind];
    const i = "i";
    const body = expressionScope(["a"], [], { name: i, bound: LEN[kind] });
    const e = () => this.expr(body, 1);
    const xi = (x: string) => `${x}[${i} % ${x}.length]!`;
    let text: string;
    if (shape === "into") {
      text = [
        `function ${name}(out: ${t}, x: ${t}, a: number): void {`,
        `  for (let ${i} = 0; ${i} < out.length; ${i}++) out[${i}] = Math.tanh(a) * ${xi("x")} + Math.sin(${xi("x")} * ${e()});`,
        `}`,
      ].join("\n");
    } else if (shape === "inPlace") {
      text = [
        `function ${name}(v: ${t}, w: ${t}, a: number): void {`,
        `  for (let ${i} = 0; ${i} < v.length; ${i}++) v[${i}] = v[${i}]! * 0.5 + Math.tanh(a) * ${xi("w")} + 0.1 * Math.cos(${e()});`,
        `}`,
      ].join("\n");
    } else {
      text = [
        `function ${name}(out: ${t}, x: ${t}, a: number): number {`,
        `  let s = 0;`,
        `  for (let ${i} = 0; ${i} < out.length; ${i}++) {`,
        `    out[${i}] = ${xi("x")} * Math.cos(a + ${e()});`,
        `    s += out[${i}]! * out[${i}]!;`,
        `  }`,
        `  return Math.sqrt(1 + s);`,
        `}`,
      ].join("\n");
    }
    this.writers.set(key, text);
    return name;
  }

  // ---- helpers --------------------------------------------------------------------------

  private callableFrom(where: Where, before: number): Helper[] {
    return this.helpers.filter((h, i) => i < before && (where === "lib" ? h.where === "lib" : h.where === "main" || h.exported));
  }

  private helper(): void {
    const c = this.c;
    const index = this.helpers.length;
    const name = `${this.name}_h${index}`;
    const where: Where = c.flag(0.3) ? "lib" : "main";
    const exported = where === "lib" && !c.flag(0.15);
    const callable = this.callableFrom(where, index);
    if (c.flag(0.12)) return this.recursive(name, where, exported, callable);
    const shape = c.int(callable.length ? 4 : 2); // 0: an expression, 1: statements, 2-3: a pass-through of an earlier helper
    if (shape >= 2) return this.passThrough(name, where, exported, c.flag(0.6) ? callable[callable.length - 1]! : c.pick(callable));
    const params = c.list("param", 1, 3, 0.45, (i) => ({ name: "abc"[i]!, kind: this.kind() }));
    const returns: Returns = c.pick(["num", "num", "num", "tup", "rec"] as const);
    const scope = this.scopeOf(params, false, returns, where, callable);
    const before = this.callDepth;
    this.callDepth = 0;
    const gradCallsBefore = this.gradCalls;
    let text: string;
    if (shape === 0) {
      text = `  return ${this.result(scope, 3)};`;
    } else {
      const lines = [`  let acc = ${this.expr(scope, 1)};`];
      scope.scalars.push("acc");
      lines.push(...block(this, scope, 2, "  "));
      lines.push(`  return ${this.result(scope, 2, "acc")};`);
      text = lines.join("\n");
    }
    const depth = 1 + this.callDepth;
    this.callDepth = before;
    const sig = params.map((p) => `${p.name}: ${TYPE_OF[p.kind]}`).join(", ");
    this.helperSources.set(name, `${exported ? "export " : ""}function ${name}(${sig}): ${this.returnType(returns)} {\n${text}\n}`);
    const callsGrad = this.gradCalls > gradCallsBefore;
    this.helpers.push({ name, params, returns, where, exported, depth, passThrough: false, callsGrad });
  }

  /**
   * A helper that calls itself on a shorter copy of its array parameter (once, or twice as a
   * Fibonacci tree), so that the recursion ends for any array it is given:
   *
   *     function h(a: number[], b: number): number {
   *       const head = a[0]!;
   *       if (a.length <= 2) return <expression of head, b>;
   *       return <expression> + 0.6 * h(a.slice(1), b) - 0.3 * h(a.slice(2), b);
   *     }
   */
  private recursive(name: string, where: Where, exported: boolean, callable: readonly Helper[]): void {
    const c = this.c;
    this.use("recursion");
    const first: Param = { name: "a", kind: c.flag(0.5) ? "arr" : "f64" };
    const params = [first, ...c.list("param", 0, 2, 0.45, (i) => ({ name: "bc"[i]!, kind: this.kind() }))];
    // the list the recursion shortens is read through its head only: its length varies
    const scope = this.scopeOf(params.slice(1), false, "num", where, callable);
    scope.scalars.push("head");
    const before = this.callDepth;
    this.callDepth = 0;
    const gradCallsBefore = this.gradCalls;
    const twice = c.flag(0.4);
    const rest = params.slice(1).map((p) => (p.kind === "num" && c.flag(0.4) ? `${p.name} * ${this.constant()}` : p.name));
    const call = (drop: number) => `${name}(a.slice(${drop})${rest.map((r) => `, ${r}`).join("")})`;
    const lines = [
      `  const head = a[0]!;`,
      `  if (a.length <= ${twice ? 2 : 1}) return ${this.expr(scope, 2)};`,
      `  return ${this.expr(scope, 2)} + ${c.pick(["0.6", "-0.7", "0.5"])} * ${call(1)}${twice ? ` - 0.3 * ${call(2)}` : ""};`,
    ];
    const depth = 1 + this.callDepth;
    this.callDepth = before;
    const sig = params.map((p) => `${p.name}: ${TYPE_OF[p.kind]}`).join(", ");
    this.helperSources.set(name, `${exported ? "export " : ""}function ${name}(${sig}): number {\n${lines.join("\n")}\n}`);
    const callsGrad = this.gradCalls > gradCallsBefore;
    this.helpers.push({ name, params, returns: "num", where, exported, depth, passThrough: false, callsGrad });
  }

  /** `function name(own params): R { return callee(own params and constants); }` */
  private passThrough(name: string, where: Where, exported: boolean, callee: Helper): void {
    const c = this.c;
    const own: Param[] = [];
    const args = callee.params.map((p, i) => {
      if (i === 0 || c.flag(0.75)) {
        const mine = { name: "abcdef"[own.length]!, kind: p.kind };
        own.push(mine);
        return mine.name;
      }
      return p.kind === "num" && c.flag(0.5) ? this.constant() : this.fixed(p.kind, where);
    });
    if (c.flag(0.3) && own.length > 1) own.reverse(); // the same parameters in another order
    let returns = callee.returns;
    let call = `${callee.name}(${args.join(", ")})`;
    if (returns !== "num" && c.flag(0.3)) {
      call = this.readPair(call, returns, 0);
      returns = "num";
    }
    const sig = own.map((p) => `${p.name}: ${TYPE_OF[p.kind]}`).join(", ");
    this.helperSources.set(name, `${exported ? "export " : ""}function ${name}(${sig}): ${this.returnType(returns)} {\n  return ${call};\n}`);
    this.helpers.push({ name, params: own, returns, where, exported, depth: callee.depth + 1, passThrough: true, callsGrad: callee.callsGrad });
  }

  /** Depth of the deepest helper called by the code being generated (for a helper's own depth). */
  private callDepth = 0;

  private returnType(r: Returns): string {
    return { num: "number", tup: "[number, number]", rec: "{ p: number; q: number }" }[r];
  }

  result(scope: Scope, depth: number, first?: string): string {
    const a = first ? `${first} + ${this.expr(scope, depth - 1)}` : this.expr(scope, depth);
    if (scope.returns === "num") return a;
    const b = this.expr(scope, depth - 1);
    return scope.returns === "tup" ? `[${a}, ${b}]` : this.c.flag(0.5) ? `{ p: ${a}, q: ${b} }` : `{ q: ${b}, p: ${a} }`;
  }

  readPair(call: string, returns: Returns, which: 0 | 1): string {
    return returns === "tup" ? `${call}[${which}]` : `${call}.${which === 0 ? "p" : "q"}`;
  }

  private scopeOf(params: readonly Param[], data: boolean, returns: Returns, where: Where, callable: readonly Helper[]): Scope {
    const scalars: string[] = [];
    const values: Value[] = [];
    for (const p of params) {
      if (p.kind === "num") scalars.push(p.name);
      else values.push({ expr: p.name, kind: p.kind });
      if (p.kind === "obj") values.push({ expr: `${p.name}.b`, kind: "arr" });
    }
    return { scalars, mutable: [], values, data, canReturn: true, returns, where, callable: [...callable] };
  }

  // ---- the program function -------------------------------------------------------------

  private signature(): Param[] {
    const names: Record<Kind, string> = { num: "y", arr: "v", f64: "w", tup: "tp", obj: "o", ten: "tn" };
    const used = new Map<string, number>();
    const extra = this.c.list("param", 0, 5, 0.8, () => {
      const kind = this.kind();
      const base = names[kind];
      const n = used.get(base) ?? 0;
      used.set(base, n + 1);
      // "v_2", not "v2": fresh names are a prefix and a number (`for (const v2 of ...)`)
      return { name: n ? `${base}_${n + 1}` : base, kind };
    });
    return [{ name: "x", kind: "num" }, ...extra];
  }

  private mainFunction(params: readonly Param[]): string {
    const scope = this.scopeOf(params, true, "num", "main", this.callableFrom("main", Infinity));
    const lines = [`  let acc = x * 0.5 + ${this.atom(scope)};`];
    scope.scalars.push("acc");
    if (scope.callable.length) {
      // calls of the helpers, the deepest first: the chains are what this generator is about
      const deepest = scope.callable.reduce((a, h) => (h.depth > a.depth ? h : a));
      lines.push(
        ...this.c.list("entry-call", 0, 3, 0.85, (i) => {
          const h = i === 0 ? deepest : this.c.pick(scope.callable);
          const call = this.callOf(h, scope, 2);
          return `  acc += ${h.returns === "num" ? call : this.readPair(call, h.returns, 0)};`;
        }),
      );
    }
    // the everyday idioms (idioms.ts), a few per program besides those its statements draw
    lines.push(...this.c.list("idiom", 0, 3, 0.65, () => idiom(this, scope, "  ")).flat());
    lines.push(...block(this, scope, 2, "  "));
    lines.push(`  return acc + ${this.expr(scope, 2)};`);
    const sig = [...params.map((p) => `${p.name}: ${TYPE_OF[p.kind]}`), "k: number"].join(", ");
    return `export function ${this.name}(${sig}): number {\n${lines.join("\n")}\n}`;
  }

  // ---- expressions ----------------------------------------------------------------------

  /** A number read from what is in scope, or a literal. */
  atom(s: Scope): string {
    const c = this.c;
    const loop = s.loop ? [s.loop.name] : [];
    const data = s.data ? ["k"] : [];
    const n = s.scalars.length + s.values.length + loop.length + data.length + 1;
    let i = c.int(n);
    if (i < s.scalars.length) return s.scalars[i]!;
    i -= s.scalars.length;
    if (i < s.values.length) {
      const v = s.values[i]!;
      if (v.kind === "ten") return `item(${c.pick(["sum", "mean"])}(${v.expr}))`;
      return this.element(v, s);
    }
    i -= s.values.length;
    if (i < loop.length) {
      if (!c.flag(0.2)) return `${loop[i]} * 0.5`;
      this.use("bitwise");
      const n = loop[i]!;
      return c.pick([`((${n} * 7) & 3) * 0.5`, `(${n} >> 1) * 0.25`, `(${n} ^ 1) * 0.5`, `((${n} << 2) | 1) * 0.1`, `(~${n}) * 0.25`, `((${n} * 2654435761) >>> 0) % 5 * 0.2`]);
    }
    i -= loop.length;
    if (i < data.length) {
      if (!c.flag(0.25)) return `k * 0.25`;
      this.use("bitwise");
      return c.pick([`(k & 1) * 0.5`, `(k >>> 1) * 0.25`, `((k * 7) ^ 5) % 4 * 0.25`]);
    }
    if (c.flag(0.08)) return this.recordRead(s);
    return this.constant();
  }

  /** One element of an array, tuple or object (by a constant index or the loop's counter). */
  private element(v: Value, s: Scope): string {
    const c = this.c;
    switch (v.kind) {
      case "tup":
        return `${v.expr}[${c.int(2)}]`;
      case "obj":
        return c.flag(0.5) ? `${v.expr}.b[${c.int(ARR_LEN)}]!` : `${v.expr}.a`;
      case "ten":
        return `item(sum(${v.expr}))`;
      default: {
        const len = LEN[v.kind];
        if (s.loop && c.flag(0.1)) {
          // index arithmetic with bitwise operators (in range: len is 3 or 4)
          this.use("bitwise");
          const n = s.loop.name;
          return len === 4 ? `${v.expr}[(${n} * ${c.pick(["7", "3", "5"])}) & 3]!` : `${v.expr}[((${n} * 7 + 1) >>> 0) % ${len}]!`;
        }
        if (s.loop && c.flag(0.4)) return s.loop.bound <= len ? `${v.expr}[${s.loop.name}]!` : `${v.expr}[${s.loop.name} % ${len}]!`;
        return `${v.expr}[${c.int(len)}]!`;
      }
    }
  }

  expr(s: Scope, depth: number): string {
    return this.c.span("expr", () => this.exprBody(s, depth));
  }

  private exprBody(s: Scope, depth: number): string {
    const c = this.c;
    if (depth <= 0) return this.atom(s);
    const a = () => this.expr(s, depth - 1);
    switch (c.int(24)) {
      case 0:
      case 1:
        return this.atom(s);
      case 2:
        return `(${a()} + ${a()})`;
      case 3:
        return `(${a()} - ${a()})`;
      case 4:
        return `(${a()} * ${a()})`;
      case 5:
        return `(${a()} / (1.5 + (${a()}) ** 2))`;
      case 6:
        return `Math.${c.pick(["sin", "cos", "tanh", "atan"])}(${a()})`;
      case 7:
        return c.pick([() => `Math.exp(Math.sin(${a()}))`, () => `Math.log(1 + (${a()}) ** 2)`, () => `Math.sqrt(2 + Math.cos(${a()}))`])();
      case 8:
        return `(-(${a()}))`;
      case 9:
        return c.flag(0.5) ? `Math.hypot(${a()}, 1, ${a()})` : `Math.hypot(${a()}, ${a()})`;
      case 10:
        return `(${this.cond(s)} ? ${a()} : ${a()})`;
      case 11:
      case 12:
        return this.call(s, depth);
      case 13:
        return this.derivativeCall(s, depth);
      case 14:
        return c.pick([
          // exponents bounded: an overflow hidden by a saturating function (tanh(huge)) makes
          // 0 x Infinity in the derivative (NaN, a documented limit)
          () => `Math.pow(1.5 + Math.sin(${a()}), 2 * Math.tanh(${a()}))`,
          () => `(${a()}) ** 2`,
          () => `(${a()}) ** 3`,
          () => `(1.2 + (${a()}) ** 2) ** Math.sin(${a()})`,
          () => `Math.pow(${a()}, 2)`,
        ])();
      case 15:
      case 16:
        return this.special(s, depth);
      case 17:
      case 18:
        return this.kinked(s, depth);
      case 19:
        return this.tensorScalar(s, depth);
      case 20: {
        const pairs = s.callable.filter((h) => h.returns !== "num");
        if (!pairs.length) return `(${this.constant()} * ${a()})`;
        const h = c.pick(pairs);
        return this.readPair(this.callOf(h, s, depth), h.returns, c.pick([0, 1] as const));
      }
      case 21:
        if (!c.flag(0.5)) return `(${this.constant()} * ${a()})`;
        return this.bitwise(s, depth);
      default:
        return `(${this.constant()} * ${a()})`;
    }
  }

  /**
   * Bitwise operators on differentiated values: a 32-bit integer, constant between its operand's
   * integer steps, so its derivative is zero (checked where finite differences are stable, as
   * floor's staircases are). Operands are bounded (tanh) so that nothing wraps.
   */
  private bitwise(s: Scope, depth: number): string {
    this.use("bitwise");
    const a = () => this.expr(s, depth - 1);
    const small = () => `(3 * Math.tanh(${a()}))`;
    return this.c.pick([
      () => `((${small()} | 0) * ${a()})`,
      () => `(~~${small()} + ${a()})`,
      () => `((${small()} & 3) * ${a()})`,
      () => `(((${small()} + 4) >> 1) * ${a()})`,
      () => `((${small()} ^ ${small()}) * 0.25 + ${a()})`,
      () => `(((${small()} + 8) >>> 0) % 3 + ${a()})`,
      () => `((~${small()}) * ${a()})`,
      () => `(((${small()} + 4) << 1) * 0.1 * ${a()})`,
    ])();
  }

  /** The smooth primitives with a restricted domain, their arguments squashed into it. */
  private special(s: Scope, depth: number): string {
    const a = () => this.expr(s, depth - 1);
    return this.c.pick([
      () => `Math.tan(0.9 * Math.atan(${a()}))`,
      () => `Math.asin(0.9 * Math.tanh(${a()}))`,
      () => `Math.acos(0.8 * Math.sin(${a()}))`,
      () => `Math.sinh(2 * Math.tanh(${a()}))`,
      () => `Math.cosh(Math.sin(${a()}))`,
      () => `Math.asinh(${a()})`,
      () => `Math.acosh(1.2 + (${a()}) ** 2)`,
      () => `Math.atanh(0.8 * Math.tanh(${a()}))`,
      () => `Math.expm1(Math.sin(${a()}))`,
      () => `Math.log1p((${a()}) ** 2)`,
      () => `Math.log1p(0.5 * Math.sin(${a()}))`,
      () => `Math.log2(1.5 + Math.sin(${a()}))`,
      () => `Math.log10(1 + (${a()}) ** 2)`,
      // shifted off 0: an argument that is exactly 0 (a derivative that vanishes identically)
      // has an infinite or undefined partial there, and times a zero tangent that is NaN in
      // forward mode (a documented limit)
      () => `Math.cbrt(${a()} + 0.37)`,
      () => `Math.cbrt(2 + Math.cos(${a()}))`,
    ])();
  }

  /** Primitives with kinks or jumps: checked where finite differences say the function is smooth. */
  private kinked(s: Scope, depth: number): string {
    const a = () => this.expr(s, depth - 1);
    return this.c.pick([
      () => `Math.abs(${a()})`,
      () => `Math.min(${a()}, ${a()})`,
      () => `Math.max(${a()}, ${a()})`,
      () => `Math.max(${a()}, ${this.constant()})`,
      () => `Math.atan2(${a()}, 1.2 + (${a()}) ** 2)`,
      () => `Math.atan2(${a()}, ${a()} - 0.29)`,
      () => `(${a()} % ${this.c.pick(["0.7", "1.3", "-1.1"])})`,
      () => `(${a()} % (1 + (${a()}) ** 2))`,
      () => `((${a()} - 2) % 1.5)`,
      () => `(${a()} * Math.floor(${a()}))`,
      () => `(Math.floor(${a()}) + ${a()})`,
      () => `(${a()} * Math.${this.c.pick(["sign", "round", "trunc", "ceil"])}(${a()}))`,
    ])();
  }

  cond(s: Scope): string {
    const c = this.c;
    const scalar = () => c.pick(s.scalars.length ? s.scalars : ["0.5"]);
    const options = [() => `${scalar()} > ${this.constant()}`, () => `${scalar()} < ${scalar()}`];
    if (s.data) options.push(() => `k > ${c.int(4)}`, () => `(k > 1 && ${scalar()} < ${this.constant()}) || ${scalar()} > 1.5`, () => `!(k % 3 === 2)`);
    return c.pick(options)();
  }

  // ---- calls ----------------------------------------------------------------------------

  /** A call of a helper returning a number, or of a pair-returning one read at one side. */
  private call(s: Scope, depth: number): string {
    const c = this.c;
    if (!s.callable.length) return `(${this.constant()} * ${this.expr(s, depth - 1)})`;
    const h = c.pick(s.callable);
    const call = this.callOf(h, s, depth);
    return h.returns === "num" ? call : this.readPair(call, h.returns, c.pick([0, 1] as const));
  }

  callOf(h: Helper, s: Scope, depth: number, args?: readonly string[]): string {
    this.callDepth = Math.max(this.callDepth, h.depth);
    if (h.callsGrad) this.gradCalls++;
    return `${h.name}(${(args ?? h.params.map((p) => this.arg(p.kind, s, depth))).join(", ")})`;
  }

  /** An argument of a kind: a value in scope, a module constant, or a literal. */
  arg(kind: Kind, s: Scope, depth: number): string {
    const c = this.c;
    if (kind === "num") return this.expr(s, depth - 1);
    const inScope = s.values.filter((v) => v.kind === kind && v.len === undefined).map((v) => v.expr);
    const small = () => this.expr(s, Math.min(1, depth - 1));
    const options: (() => string)[] = inScope.map((e) => () => e);
    options.push(() => this.fixed(kind, s.where));
    if (kind === "arr") options.push(() => `[${Array.from({ length: ARR_LEN }, small).join(", ")}]`);
    if (kind === "tup") options.push(() => `[${small()}, ${small()}]`);
    if (kind === "obj") options.push(() => `{ a: ${small()}, b: ${this.arg("arr", s, depth - 1)} }`);
    if (kind === "ten") options.push(() => this.tensor(s, Math.min(2, depth - 1)));
    return c.pick(options)();
  }

  /** grad, valueAndGrad or jvp of a helper called right here (the outer pass then goes over it). */
  private derivativeCall(s: Scope, depth: number): string {
    const c = this.c;
    // no tuple or object parameters: reverse mode through a derivative of a function of records is refused (TSG1009)
    const eligible = s.callable.filter((h) => h.returns === "num" && !h.capturesRecord && h.params.every((p) => p.kind !== "tup" && p.kind !== "obj"));
    if (!eligible.length) return this.call(s, depth);
    const h = c.pick(eligible);
    this.callsDerivative = true;
    const first = h.params[0]!;
    // a structured parameter passed whole to a derivative is refused (TSG1009): literals there
    const literal = child(s, { values: s.values.filter((v) => v.kind !== "tup" && v.kind !== "obj") });
    const gradCallsBefore = this.gradCalls;
    const args = h.params.map((p) => this.arg(p.kind, literal, Math.min(depth, 2)));
    // jvp of code that reaches grad is a reverse sweep's tangent, which the program's reverse
    // modes refuse to differentiate (TSG1017): then grad or valueAndGrad instead
    const jvpRefused = h.callsGrad === true || this.gradCalls > gradCallsBefore;
    this.callDepth = Math.max(this.callDepth, h.depth);
    const readGrad = (g: string) => this.readShaped(g, first.kind);
    // an arrow written in the marker call, closing over the other arguments: `grad((u) => h(u, rest))(first)`
    let callee = h.name;
    let wrt = ", { wrt: [0] }";
    // (not when the other arguments read a tuple or object: the arrow would capture it, TSG1009)
    if ((first.kind === "num" || first.kind === "arr") && c.flag(0.25) && !readsRecord(s, args.slice(1).join(", "))) {
      this.closures++;
      const u = this.fresh("u");
      callee = `(${u}: ${TYPE_OF[first.kind]}) => ${h.name}(${[u, ...args.slice(1)].join(", ")})`;
      wrt = "";
      args.length = 1;
    }
    const marker = (m: string) => {
      // bound once at module level (`const dh = grad(h, { wrt: [0] })`), unless h is local or an arrow here
      if (!c.flag(0.3) || h.local || !wrt) return `${m}(${callee}${wrt})`;
      const binding = `${this.name}_d${this.id++}`;
      this.bindings.push({ name: binding, where: s.where, source: `const ${binding} = ${m}(${callee}${wrt});` });
      return binding;
    };
    const choice = c.int(4);
    if (choice <= 1 || jvpRefused) this.gradCalls++;
    switch (jvpRefused ? choice % 2 : choice) {
      case 0:
        return readGrad(`${marker("grad")}(${args.join(", ")})`);
      case 1: {
        const vg = `${marker("valueAndGrad")}(${args.join(", ")})`;
        return c.flag(0.5) ? `${vg}.value` : readGrad(`${vg}.grad`);
      }
      default: {
        const tangent = this.tangentLiteral(first.kind, s);
        return `${marker("jvp")}(${[...args, tangent].join(", ")}).tangent`;
      }
    }
  }

  /** A number read from a value shaped like a parameter of a kind (a gradient). */
  private readShaped(g: string, kind: Kind): string {
    const c = this.c;
    switch (kind) {
      case "num":
        return g;
      case "tup":
        return `${g}[${c.int(2)}]`;
      case "obj":
        return c.flag(0.5) ? `${g}.a` : `${g}.b[${c.int(ARR_LEN)}]!`;
      case "ten":
        return `item(sum(${g}))`;
      default:
        return `${g}[${c.int(LEN[kind])}]!`;
    }
  }

  private tangentLiteral(kind: Kind, s: Scope): string {
    const k = () => this.constant();
    switch (kind) {
      case "num":
        return k();
      case "arr":
        return `[${k()}, ${k()}, ${k()}, ${k()}]`;
      case "tup":
        return `[${k()}, ${k()}]`;
      case "obj":
        return `{ a: ${k()}, b: [${k()}, ${k()}, ${k()}, ${k()}] }`;
      default:
        return this.constantOf(kind as "f64" | "ten", s.where);
    }
  }

  // ---- tensors --------------------------------------------------------------------------

  tensor(s: Scope, depth: number): string {
    return this.c.span("tensor", () => {
      const c = this.c;
      const t = () => this.tensor(s, depth - 1);
      const e = () => this.expr(s, Math.min(1, depth - 1));
      const atoms = s.values.filter((v) => v.kind === "ten").map((v) => v.expr);
      const atom = () => (atoms.length && !c.flag(0.15) ? c.pick(atoms) : c.flag(0.5) ? this.constantOf("ten", s.where) : `stack([scalar(${e()}), scalar(${e()}), scalar(${e()})])`);
      if (depth <= 0) return atom();
      return c.pick([
        atom,
        () => `tanh(${t()})`,
        () => `mul(${t()}, ${t()})`,
        () => `add(${t()}, scalar(${e()}))`,
        () => `mul(${t()}, ${e()})`,
        () => `sub(${t()}, ${t()})`,
        () => `sigmoid(${t()})`,
        () => `exp(tanh(${t()}))`,
        () => `softplus(${t()})`,
      ])();
    });
  }

  /** A number from tensors: a reduction, a dot product, logsumexp, max. */
  private tensorScalar(s: Scope, depth: number): string {
    const c = this.c;
    if (!s.values.some((v) => v.kind === "ten") && !c.flag(0.15)) return this.atom(s);
    const t = () => this.tensor(s, Math.min(2, depth - 1));
    return c.pick([() => `item(sum(${t()}))`, () => `item(mean(${t()}))`, () => `item(dot(${t()}, ${t()}))`, () => `item(logsumexp(${t()}))`, () => `item(max(${t()}))`])();
  }
}
