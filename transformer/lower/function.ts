/**
 * Lowering: one TypeScript function to IR.
 *
 * This and emit are the only modules that know TypeScript's AST. Lowering resolves every name
 * through the TypeChecker (locals, parameters, module-level constants, callees), maps types,
 * makes compound assignments and `for...of` explicit, and refuses anything it cannot represent
 * soundly with a TSG diagnostic. It does not flatten expressions: that is the ANF pass's job.
 */
import { perCompiler, ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { add, alloc, assign, bool, decl, index, len, newVar, num, op, ref, store, typeOfValue } from "../ir/build.js";
import type { Block, Expr, IRFunction, IRType, OpName, Origin, Param, Stmt, Var } from "../ir/types.js";
import { NUM, TENSOR } from "../ir/types.js";
import { tensorRules } from "../rules/tensor.js";
import {
  declarationWithBody,
  functionName,
  functionOfDeclaration,
  isExported,
  isModuleLevel,
  resolveAlias,
  type FunctionLike,
  type LowerHost,
} from "./host.js";
import { MATH_CONSTANTS, MATH_FUNCTIONS } from "../rules/math.js";
import type { MarkerCall, MarkerKind } from "../discover/markers.js";
import { isDifferentiable, irTypeOf, irTypeOrUndefined, typeToString } from "./types.js";

const ARITH: Partial<Record<ts.SyntaxKind, OpName>> = perCompiler(() => ({
  [ts.SyntaxKind.PlusToken]: "add",
  [ts.SyntaxKind.MinusToken]: "sub",
  [ts.SyntaxKind.AsteriskToken]: "mul",
  [ts.SyntaxKind.SlashToken]: "div",
  [ts.SyntaxKind.PercentToken]: "mod",
  [ts.SyntaxKind.AsteriskAsteriskToken]: "pow",
}));
const COMPOUND: Partial<Record<ts.SyntaxKind, OpName>> = perCompiler(() => ({
  [ts.SyntaxKind.PlusEqualsToken]: "add",
  [ts.SyntaxKind.MinusEqualsToken]: "sub",
  [ts.SyntaxKind.AsteriskEqualsToken]: "mul",
  [ts.SyntaxKind.SlashEqualsToken]: "div",
  [ts.SyntaxKind.PercentEqualsToken]: "mod",
  [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: "pow",
}));
const COMPARE: Partial<Record<ts.SyntaxKind, OpName>> = perCompiler(() => ({
  [ts.SyntaxKind.LessThanToken]: "lt",
  [ts.SyntaxKind.LessThanEqualsToken]: "le",
  [ts.SyntaxKind.GreaterThanToken]: "gt",
  [ts.SyntaxKind.GreaterThanEqualsToken]: "ge",
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: "eq",
  [ts.SyntaxKind.EqualsEqualsToken]: "eq",
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: "ne",
  [ts.SyntaxKind.ExclamationEqualsToken]: "ne",
}));

/** Value context: the result may carry a derivative. Condition context: only its value matters. */
type Ctx = "value" | "cond";

/**
 * A tuple or object value. Records are immutable here (fields cannot be written, names bound to
 * them cannot be reassigned), so a name bound to one is an alias, never a copy: a path into a
 * structured parameter, or an IR value (a variable holding a call's result, or a field of one).
 */
type RecordValue =
  | { readonly from: "param"; readonly sym: ts.Symbol; readonly keys: readonly (string | number)[] }
  | { readonly from: "ir"; readonly expr: Expr };

/** What a name or a pattern binds: a value, a record, or (`const [a, b] = [x, y]`) literal elements. */
type Bound =
  | { readonly kind: "value"; readonly expr: Expr }
  | { readonly kind: "record"; readonly value: RecordValue }
  | { readonly kind: "elements"; readonly elems: readonly ts.Expression[] };

/** Markers whose derivative functions may be called inside a differentiated function. */
const NESTABLE = new Set<MarkerKind>(["grad", "valueAndGrad", "jvp", "hvp"]);

export function lowerFunction(host: LowerHost, fn: FunctionLike, key: string): IRFunction {
  return new FunctionLowering(host, fn, key).run();
}

class FunctionLowering {
  private readonly checker: ts.TypeChecker;
  private readonly sourceFile: ts.SourceFile;
  private readonly vars = new Map<ts.Symbol, Var>();
  private readonly globals = new Map<ts.Symbol, Var>();
  /** Leaves of structured parameters by parameter symbol and property path. */
  private readonly leaves = new Map<ts.Symbol, Map<string, Var>>();
  /** Names bound to tuples and objects (aliases, see RecordValue). */
  private readonly records = new Map<ts.Symbol, RecordValue>();
  /** `const dh = grad(h)` in the body: the marker call each such name stands for. */
  private readonly markerBindings = new Map<ts.Symbol, MarkerCall>();
  private cur: Stmt[] = [];
  private origin: Origin | undefined;

  constructor(
    private readonly host: LowerHost,
    private readonly fn: FunctionLike,
    private readonly key: string,
  ) {
    this.checker = host.checker;
    this.sourceFile = fn.getSourceFile();
  }

  run(): IRFunction {
    const fn = this.fn;
    if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || fn.asteriskToken)
      fail(TSG.asyncOrGenerator, fn, "async and generator functions cannot be differentiated", "write a plain synchronous function");
    if (!fn.body)
      fail(TSG.opaqueCall, fn, "this function has no body to differentiate", "give it a body, or give it a custom rule");
    // `this: T` is a type annotation, not a parameter
    const params = fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === "this")).map((p) => this.lowerParam(p));
    const sig = this.checker.getSignatureFromDeclaration(fn);
    const retType = sig ? this.checker.getReturnTypeOfSignature(sig) : undefined;
    const returnType: IRType = retType ? irTypeOf(this.checker, retType, fn.type ?? fn) : NUM;
    let body: Stmt[];
    if (ts.isBlock(fn.body)) {
      body = this.block(fn.body.statements);
    } else {
      const expr = fn.body;
      body = this.collect(() => {
        this.origin = this.originOf(expr);
        const value = this.expr(expr, "value");
        this.cur.push({ k: "return", value, origin: this.origin });
      });
    }
    return { key: this.key, name: functionName(fn), params, body, returnType, origin: this.originOf(fn) };
  }

  // ---------------------------------------------------------------------------------------------
  // parameters

  private lowerParam(p: ts.ParameterDeclaration): Param {
    if (!ts.isIdentifier(p.name))
      fail(TSG.unsupportedSyntax, p, "destructured parameters are not supported yet", "take the parameter whole and read its fields in the body");
    if (p.dotDotDotToken) fail(TSG.unsupportedSyntax, p, "rest parameters cannot be differentiated", "pass an array instead");
    if (p.initializer) fail(TSG.unsupportedSyntax, p, "default parameter values are not supported", "pass the value explicitly");
    const sym = this.symbolOf(p.name);
    const type = irTypeOf(this.checker, this.checker.getTypeAtLocation(p), p);
    const root = newVar(p.name.text, type, "param", type.kind === "array" ? { owned: false } : {});
    this.vars.set(sym, root);
    const leaves: Var[] = [];
    if (type.kind === "record") {
      const byPath = new Map<string, Var>();
      const walk = (t: IRType, keys: (string | number)[]) => {
        if (t.kind === "record") {
          for (const f of t.fields) walk(f.type, [...keys, f.key]);
          return;
        }
        const leaf = newVar([p.name.getText(), ...keys].join("_"), t, "param", {
          path: { root, keys },
          ...(t.kind === "array" ? { owned: false } : {}),
        });
        byPath.set(keys.join("."), leaf);
        leaves.push(leaf);
      };
      walk(type, []);
      this.leaves.set(sym, byPath);
    } else {
      leaves.push(root);
    }
    return { root, leaves, differentiable: isDifferentiable(type) };
  }

  // ---------------------------------------------------------------------------------------------
  // statements

  private collect(f: () => void): Stmt[] {
    const saved = this.cur;
    const savedOrigin = this.origin;
    this.cur = [];
    try {
      f();
      return this.cur;
    } finally {
      this.cur = saved;
      this.origin = savedOrigin;
    }
  }

  private block(stmts: readonly ts.Statement[]): Stmt[] {
    return this.collect(() => {
      for (const s of stmts) this.stmt(s);
    });
  }

  private blockOf(s: ts.Statement): Stmt[] {
    return ts.isBlock(s) ? this.block(s.statements) : this.block([s]);
  }

  private stmt(s: ts.Statement, label?: string): void {
    this.origin = this.originOf(s);
    const origin = this.origin;
    if (ts.isBlock(s)) {
      for (const inner of s.statements) this.stmt(inner);
      return;
    }
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) this.varDecl(d);
      return;
    }
    if (ts.isExpressionStatement(s)) {
      this.exprStatement(s.expression);
      return;
    }
    if (ts.isIfStatement(s)) {
      const cond = this.expr(s.expression, "cond");
      const then = this.blockOf(s.thenStatement);
      const els = s.elseStatement ? this.blockOf(s.elseStatement) : [];
      this.cur.push({ k: "if", cond, then, else: els, origin });
      return;
    }
    if (ts.isReturnStatement(s)) {
      const value = s.expression ? this.expr(s.expression, "value") : null;
      this.cur.push({ k: "return", value, origin });
      return;
    }
    if (ts.isForStatement(s)) {
      if (s.initializer) {
        if (ts.isVariableDeclarationList(s.initializer))
          for (const d of s.initializer.declarations) this.varDecl(d);
        else this.exprStatement(s.initializer);
      }
      const test = s.condition ? this.pureCondition(s.condition) : null;
      const body = this.blockOf(s.statement);
      const update = s.incrementor ? this.collect(() => this.exprStatement(s.incrementor!)) : [];
      this.cur.push({ k: "loop", label, test, testAtEnd: false, body, update, origin });
      return;
    }
    if (ts.isWhileStatement(s)) {
      const test = this.pureCondition(s.expression);
      this.cur.push({ k: "loop", label, test, testAtEnd: false, body: this.blockOf(s.statement), update: [], origin });
      return;
    }
    if (ts.isDoStatement(s)) {
      const body = this.blockOf(s.statement);
      const test = this.pureCondition(s.expression);
      this.cur.push({ k: "loop", label, test, testAtEnd: true, body, update: [], origin });
      return;
    }
    if (ts.isForOfStatement(s)) {
      this.forOf(s, label);
      return;
    }
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) {
      this.cur.push({ k: ts.isBreakStatement(s) ? "break" : "continue", label: s.label?.text, origin });
      return;
    }
    if (ts.isLabeledStatement(s)) {
      const inner = s.statement;
      if (ts.isForStatement(inner) || ts.isWhileStatement(inner) || ts.isDoStatement(inner) || ts.isForOfStatement(inner)) {
        this.stmt(inner, s.label.text);
        return;
      }
      fail(TSG.unsupportedSyntax, s, "labels are supported on loops only", "label the loop, or restructure with if/else");
    }
    if (ts.isEmptyStatement(s)) return;
    if (ts.isTryStatement(s))
      fail(TSG.tryCatch, s, "try/catch cannot be differentiated", "move the try/catch outside the differentiated function");
    if (ts.isThrowStatement(s)) {
      this.cur.push(this.throwStatement(s));
      return;
    }
    if (ts.isSwitchStatement(s)) {
      this.switchStatement(s);
      return;
    }
    if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s))
      fail(TSG.unsupportedSyntax, s, "nested function and class declarations are not supported", "move the declaration to module level");
    if (ts.isForInStatement(s))
      fail(TSG.unsupportedSyntax, s, "for...in cannot be differentiated", "loop over indices with a for loop");
    const what = ts.isDebuggerStatement(s) ? "debugger" : ts.isWithStatement(s) ? "with" : (s.getText().split(/[\s({;]/)[0] ?? ts.SyntaxKind[s.kind]);
    fail(TSG.unsupportedSyntax, s, `this statement (\`${what}\`) is not supported`, "rewrite it with if/else, loops and assignments");
  }

  /**
   * `switch` without fall-through, as an if/else chain on its value (evaluated once): each group
   * of case labels ends its statements with `break` (dropped), `return`, `throw` or `continue`,
   * or is the last; `default` is the final else.
   */
  private switchStatement(s: ts.SwitchStatement): void {
    const origin = this.origin;
    let tag = this.expr(s.expression, "cond");
    if (tag.k !== "var" && tag.k !== "num" && tag.k !== "str" && tag.k !== "bool") {
      const t = newVar("choice", typeOfValue(tag), "temp");
      this.cur.push(decl(t, tag, origin));
      tag = ref(t);
    }
    const groups: { labels: ts.Expression[]; isDefault: boolean; body: ts.Statement[] }[] = [];
    let labels: ts.Expression[] = [];
    let isDefault = false;
    const clauses = s.caseBlock.clauses;
    clauses.forEach((c, i) => {
      if (ts.isDefaultClause(c)) isDefault = true;
      else labels.push(c.expression);
      if (c.statements.length === 0 && i < clauses.length - 1) return;
      let body = [...c.statements];
      // `case 1: { ...; return q; }`: the braces only scope the case's own declarations
      while (body.length === 1 && ts.isBlock(body[0]!)) body = [...(body[0] as ts.Block).statements];
      const last = body[body.length - 1];
      if (last && ts.isBreakStatement(last) && !last.label) body.pop();
      else if (i < clauses.length - 1 && !(last && (ts.isReturnStatement(last) || ts.isThrowStatement(last) || ts.isContinueStatement(last))))
        fail(TSG.unsupportedSyntax, c, "a case that falls through into the next is not supported", "end the case with break, return, throw or continue");
      for (const st of body) breakOutOfSwitch(st);
      groups.push({ labels, isDefault, body });
      labels = [];
      isDefault = false;
    });
    const fallback = groups.find((g) => g.isDefault);
    let chain: Stmt[] = fallback ? this.block(fallback.body) : [];
    for (const g of [...groups].reverse()) {
      if (g === fallback || g.labels.length === 0) continue;
      const cond = g.labels.map((l) => op("eq", tag, this.expr(l, "cond"))).reduce((a, b) => op("or", a, b));
      chain = [{ k: "if", cond, then: this.block(g.body), else: chain, origin }];
    }
    this.cur.push(...chain);
  }

  /** `throw new Error("...")` (Error, TypeError, RangeError with a literal message). */
  private throwStatement(s: ts.ThrowStatement): Stmt {
    const e = s.expression;
    if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && ["Error", "TypeError", "RangeError"].includes(e.expression.text)) {
      const arg = e.arguments?.[0];
      const message = !arg ? "" : ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg) ? arg.text : undefined;
      if (message !== undefined)
        return { k: "throw", error: e.expression.text as "Error" | "TypeError" | "RangeError", message, origin: this.origin };
    }
    fail(TSG.unsupportedSyntax, s, "only `throw new Error(\"a literal message\")` is supported here", "throw an Error (or TypeError/RangeError) with a string literal");
  }

  private varDecl(d: ts.VariableDeclaration): void {
    const marker = markerBindingOf(this.host, d);
    if (marker) {
      this.markerBindings.set(this.symbolOf(d.name as ts.Identifier), marker);
      return;
    }
    if (!ts.isIdentifier(d.name)) {
      if (!d.initializer) fail(TSG.unsupportedSyntax, d, "a destructuring declaration needs an initializer", "initialise it");
      const source =
        ts.isArrayBindingPattern(d.name) && ts.isArrayLiteralExpression(skipOuter(d.initializer))
          ? ({ kind: "elements", elems: (skipOuter(d.initializer) as ts.ArrayLiteralExpression).elements } as const)
          : this.boundOf(d.initializer);
      this.bindPattern(d.name, source);
      return;
    }
    const sym = this.symbolOf(d.name);
    const declared = this.checker.getTypeAtLocation(d.name);
    // `new Array(n).fill(0)` and `[]` are typed any[] by TypeScript: their initialiser says more
    const initial = d.initializer && isUntypedArray(this.checker, declared) ? this.freshArrayType(d.initializer) : undefined;
    const type = initial ?? irTypeOf(this.checker, declared, d);
    if (type.kind === "record") {
      if (!d.initializer) fail(TSG.unsupportedSyntax, d, "a tuple or object variable needs an initializer", "initialise it where it is declared");
      this.records.set(sym, this.recordValue(d.initializer));
      return;
    }
    let init: Expr;
    let owned: boolean | undefined;
    if (d.initializer) {
      init = this.expr(d.initializer, "value");
      if (type.kind === "array") owned = isFreshArray(init);
    } else {
      if (type.kind === "array")
        fail(TSG.unsupportedSyntax, d, "array variables need an initializer", "initialise it, e.g. `= new Float64Array(n)`");
      init = type.kind === "bool" ? bool(false) : num(0);
    }
    const v = newVar(d.name.text, type, "local", owned !== undefined ? { owned } : {});
    this.vars.set(sym, v);
    this.cur.push(decl(v, init, this.origin));
  }

  // ---------------------------------------------------------------------------------------------
  // tuples, objects and destructuring

  /** `const [a, b] = ...`, `const { value, grad: g } = ...`, nested patterns included. */
  private bindPattern(name: ts.BindingName, source: Bound): void {
    if (ts.isIdentifier(name)) {
      const sym = this.symbolOf(name);
      if (source.kind === "record") {
        this.records.set(sym, source.value);
        return;
      }
      if (source.kind === "elements") fail(TSG.unsupportedSyntax, name, "this destructuring is not supported", "declare each value separately");
      // the value's own type: TypeScript types `const [a] = xs` as number | undefined
      const type = typeOfValue(source.expr);
      if (type.kind === "record")
        fail(TSG.unsupportedType, name, "arrays of tuples or objects are not supported", "keep the fields in separate arrays");
      const v = newVar(name.text, type, "local", type.kind === "array" ? { owned: false } : {});
      this.vars.set(sym, v);
      this.cur.push(decl(v, source.expr, this.origin));
      return;
    }
    name.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      if (el.dotDotDotToken) fail(TSG.unsupportedSyntax, el, "rest elements in destructuring are not supported", "read the elements you need one by one");
      if (el.initializer) fail(TSG.unsupportedSyntax, el, "default values in destructuring are not supported", "read the value and test it explicitly");
      let key: string | number = i;
      if (ts.isObjectBindingPattern(name)) {
        const prop = el.propertyName ?? el.name;
        if (ts.isIdentifier(prop) || ts.isStringLiteral(prop)) key = prop.text;
        else if (ts.isNumericLiteral(prop)) key = Number(prop.text);
        else fail(TSG.dynamicKey, el, "computed keys in destructuring are not supported", "name the property");
      }
      this.bindPattern(el.name, this.partOf(source, key, el));
    });
  }

  /** One part of what a pattern takes apart: a field, an array element, a literal's element. */
  private partOf(source: Bound, key: string | number, node: ts.Node): Bound {
    if (source.kind === "record") return this.project(source.value, key, node);
    if (source.kind === "elements") {
      const el = typeof key === "number" ? source.elems[key] : undefined;
      if (!el || ts.isSpreadElement(el)) fail(TSG.unsupportedSyntax, node, "this element has no value to bind", "destructure as many elements as the literal has");
      return this.boundOf(el);
    }
    if (typeOfValue(source.expr).kind !== "array" || typeof key !== "number")
      fail(TSG.unsupportedType, node, "only tuples, objects and arrays can be destructured", "declare each value separately");
    return { kind: "value", expr: index(source.expr, num(key)) };
  }

  /** An expression about to be destructured or bound. Arrays are named once, not re-evaluated. */
  private boundOf(e: ts.Expression): Bound {
    if (irTypeOrUndefined(this.checker, this.checker.getTypeAtLocation(e))?.kind === "record") return { kind: "record", value: this.recordValue(e) };
    const value = this.expr(e, "value");
    const type = typeOfValue(value);
    if (type.kind !== "array" || value.k === "var") return { kind: "value", expr: value };
    const t = newVar("elements", type, "temp", { owned: false });
    this.cur.push(decl(t, value, this.origin));
    return { kind: "value", expr: ref(t) };
  }

  /** A tuple or object value, by what it is made of; a call's result is named once. */
  private recordValue(e: ts.Expression): RecordValue {
    e = skipOuter(e);
    if (ts.isIdentifier(e)) {
      const sym = this.symbolOf(e);
      if (this.leaves.has(sym)) return { from: "param", sym, keys: [] };
      const alias = this.records.get(sym);
      if (alias) return alias;
      fail(TSG.unsupportedType, e, "module-level tuples and objects cannot be read yet", "use module-level numbers and arrays, or pass the value as a parameter");
    }
    const key = fieldKey(e);
    if (key !== undefined) {
      const part = this.project(this.recordValue((e as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression), key, e);
      if (part.kind === "record") return part.value;
    }
    if (ts.isCallExpression(e)) {
      const value = this.expr(e, "value");
      const type = typeOfValue(value);
      if (type.kind === "record") {
        const t = newVar("result", type, "temp");
        this.cur.push(decl(t, value, this.origin));
        return { from: "ir", expr: ref(t) };
      }
    }
    if (ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e)) {
      const value = this.recordLiteral(e);
      const t = newVar("record", typeOfValue(value), "temp");
      this.cur.push(decl(t, value, this.origin));
      return { from: "ir", expr: ref(t) };
    }
    fail(TSG.unsupportedSyntax, e, "this tuple or object value is not supported here", "bind the result of a call with const, then read its fields");
  }

  /** The field `key` of a record: a value (an array field gets a name of its own) or a record. */
  private project(r: RecordValue, key: string | number, node: ts.Node): Bound {
    if (r.from === "param") {
      const byPath = this.leaves.get(r.sym)!;
      const path = [...r.keys, key].join(".");
      const leaf = byPath.get(path);
      if (leaf) return { kind: "value", expr: ref(leaf) };
      if ([...byPath.keys()].some((p) => p.startsWith(`${path}.`))) return { kind: "record", value: { from: "param", sym: r.sym, keys: [...r.keys, key] } };
      fail(TSG.dynamicKey, node, `the field \`${String(key)}\` cannot be read here`, "read a number or array field");
    }
    const type = typeOfValue(r.expr);
    const fieldType = type.kind === "record" ? type.fields.find((f) => f.key === key)?.type : undefined;
    if (!fieldType) fail(TSG.dynamicKey, node, `this value has no field \`${String(key)}\``, "read one of its fields");
    const field: Expr = { k: "field", obj: r.expr, key };
    if (fieldType.kind === "record") return { kind: "record", value: { from: "ir", expr: field } };
    if (fieldType.kind !== "array") return { kind: "value", expr: field };
    const name = typeof key === "string" ? key : "elements";
    const t = newVar(name, fieldType, "temp", { owned: false });
    this.cur.push(decl(t, field, this.origin));
    return { kind: "value", expr: ref(t) };
  }

  /** `r.value`, `r[0]`, `vg.grad[1]` on a tuple or object that is not a structured parameter's leaf. */
  private recordField(e: ts.PropertyAccessExpression | ts.ElementAccessExpression): Expr | undefined {
    const key = fieldKey(e);
    if (key === undefined || irTypeOrUndefined(this.checker, this.checker.getTypeAtLocation(e.expression))?.kind !== "record") return undefined;
    const part = this.project(this.recordValue(e.expression), key, e);
    if (part.kind !== "value") fail(TSG.unsupportedSyntax, e, "a tuple or object can only be read field by field here", "read the numbers or arrays inside it");
    return part.expr;
  }

  /** The type of `new Array(n).fill(v)` / `[]` / `[1, 2]` when TypeScript says any[]. */
  private freshArrayType(init: ts.Expression): IRType | undefined {
    let e = init;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (ts.isArrayLiteralExpression(e)) return { kind: "array", elem: NUM, storage: "array" };
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "fill")
      return { kind: "array", elem: NUM, storage: "array" };
    return undefined;
  }

  private forOf(s: ts.ForOfStatement, label: string | undefined): void {
    const origin = this.origin;
    if (!ts.isVariableDeclarationList(s.initializer) || s.initializer.declarations.length !== 1)
      fail(TSG.unsupportedSyntax, s, "for...of must declare its loop variable", "write `for (const v of array)`");
    const d = s.initializer.declarations[0]!;
    if (!ts.isIdentifier(d.name))
      fail(TSG.unsupportedSyntax, d, "destructuring in for...of is not supported yet", "index the element inside the loop");
    let arr = this.expr(s.expression, "value");
    const arrType = typeOfValue(arr);
    if (arrType.kind !== "array")
      fail(TSG.unsupportedType, s.expression, "for...of is supported over arrays only", "iterate over a number[] or Float64Array");
    // for...of walks the array it started with, even if the body gives the variable a new one
    if (arr.k !== "var" || (ts.isIdentifier(skipOuter(s.expression)) && this.assignedIn(s.statement, skipOuter(s.expression) as ts.Identifier))) {
      const t = newVar(`${d.name.text}_array`, arrType, "temp", { owned: false });
      this.cur.push(decl(t, arr, origin));
      arr = ref(t);
    }
    const k = newVar(`${d.name.text}_index`, NUM, "local");
    this.cur.push(decl(k, num(0), origin));
    const elemType = arrType.elem;
    const elem = newVar(d.name.text, elemType, "local", elemType.kind === "array" ? { owned: false } : {});
    this.vars.set(this.symbolOf(d.name), elem);
    const body = this.collect(() => {
      this.cur.push(decl(elem, index(arr, ref(k)), origin));
      const rest = this.blockOf(s.statement);
      this.cur.push(...rest);
    });
    const update = [assign(k, add(ref(k), num(1)), origin)];
    this.cur.push({ k: "loop", label, test: op("lt", ref(k), len(arr)), testAtEnd: false, body, update, origin });
  }

  /** Whether `node` assigns the variable `id` names (`id = ...`, `id += ...`). */
  private assignedIn(node: ts.Node, id: ts.Identifier): boolean {
    const target = this.referencedSymbol(id);
    const visit = (n: ts.Node): boolean => {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
        ts.isIdentifier(skipOuter(n.left)) &&
        this.referencedSymbol(skipOuter(n.left) as ts.Identifier) === target
      )
        return true;
      return ts.forEachChild(n, visit) ?? false;
    };
    return visit(node);
  }

  private exprStatement(e: ts.Expression): void {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) {
      this.exprStatement(e.left);
      this.exprStatement(e.right);
      return;
    }
    if (ts.isBinaryExpression(e)) {
      const k = e.operatorToken.kind;
      if (k === ts.SyntaxKind.EqualsToken) {
        this.assignTo(e.left, (_old) => this.expr(e.right, "value"), e);
        return;
      }
      const compound = COMPOUND[k];
      if (compound) {
        this.assignTo(e.left, (old) => op(compound, old, this.expr(e.right, "value")), e);
        return;
      }
    }
    if (
      (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) &&
      (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      const delta = e.operator === ts.SyntaxKind.PlusPlusToken ? "add" : "sub";
      this.assignTo(e.operand, (old) => op(delta, old, num(1)), e);
      return;
    }
    if (ts.isCallExpression(e)) {
      const callee = e.expression;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === "push") {
        const arr = this.writableArray(callee.expression, e);
        for (const a of e.arguments) this.cur.push({ k: "push", arr, value: this.expr(a, "value"), origin: this.origin });
        return;
      }
      // a call for its effect: user functions are pure (tsgrad refuses writes outside a
      // function), so lowering checks it and drops it; a nonDifferentiable one stays (it may log)
      const lowered = this.expr(e, "value");
      if (lowered.k === "call" && lowered.fn.kind === "opaque")
        this.cur.push(decl(newVar("effect", { kind: "void" }, "temp"), lowered, this.origin));
      return;
    }
    fail(TSG.unsupportedSyntax, e, "this expression statement is not supported", "use assignments, compound assignments, ++/-- and push");
  }

  /** Lowers `target = value(old)`, where `old` reads the target's current value. */
  private assignTo(target: ts.Expression, value: (old: Expr) => Expr, node: ts.Node): void {
    while (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target)) target = target.expression;
    if (ts.isIdentifier(target)) {
      const sym = this.checker.getSymbolAtLocation(target);
      if (sym && (this.records.has(sym) || this.markerBindings.has(sym)))
        fail(TSG.unsupportedSyntax, node, "tuples, objects and derivative functions cannot be reassigned here", "declare a new const for the new value");
      const v = this.localOf(target, node);
      if (v.type.kind === "array") {
        this.rebindArray(v, value(ref(v)), node);
        return;
      }
      this.cur.push(assign(v, value(ref(v)), this.origin));
      return;
    }
    if (ts.isElementAccessExpression(target)) {
      const arr = this.writableArray(target.expression, node);
      if (arr.type.kind === "array" && arr.type.elem.kind !== "num")
        fail(TSG.unsupportedSyntax, node, "writing rows of nested arrays is not supported", "use a flat array and compute the index");
      const i = this.expr(target.argumentExpression, "cond");
      this.cur.push(store(arr, i, value(index(ref(arr), i)), this.origin));
      return;
    }
    if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target))
      fail(TSG.outerWrite, node, "writes to object fields are not supported", "compute a new value in a local variable");
    fail(TSG.unsupportedSyntax, node, "unsupported assignment target", "assign to a local variable or an element of a local array");
  }

  /**
   * `q = [...]`: an array variable given another array. A variable that owns its array (it may
   * write into it) may only be given a new one, so that it never starts writing into an array
   * something else can read (or a `const` array that is never used again: see isMovedArray); a
   * read-only alias may be given any array. Parameters keep theirs.
   */
  private rebindArray(v: Var, value: Expr, node: ts.Node): void {
    if (v.role === "param")
      fail(TSG.arrayRebind, node, "array parameters cannot be reassigned", "copy it into a local first: `let y = x.slice()`");
    const t = typeOfValue(value);
    if (t.kind !== "array" || v.type.kind !== "array" || t.storage !== v.type.storage || t.elem.kind !== v.type.elem.kind)
      fail(TSG.unsupportedType, node, `this assigns a ${typeToString(t)} to a ${typeToString(v.type)} variable`, "give it an array of the same kind");
    if (v.owned && !isFreshArray(value) && value.k === "var" && this.isMovedArray(value.v, node))
      value = { k: "copy", arr: value, storage: t.storage };
    if (v.owned && !isFreshArray(value))
      fail(
        TSG.arrayRebind,
        node,
        `\`${v.name}\` owns its array (it may write into it), so it can only be given a new array, not one that other code may also read`,
        "give it a copy (`.slice()`), a literal, a new Float64Array / Array(n).fill(0), or a `const` array declared in the same block and not used after",
      );
    this.cur.push(assign(v, value, this.origin));
  }

  /**
   * `u = next` where `next` is a `const` local array declared in the same block as this
   * statement, used before it only by indexing and `.length`, and never after: the double buffer
   * of a time-stepping loop. Nothing can observe `next` again, so giving `u` a copy of it is the
   * same program, and `u` keeps owning an array no one else reads.
   */
  private isMovedArray(w: Var, node: ts.Node): boolean {
    if (!w.owned || w.role !== "local" || !ts.isBinaryExpression(node) || !ts.isExpressionStatement(node.parent)) return false;
    const rhs = skipOuter(node.right);
    if (!ts.isIdentifier(rhs)) return false;
    const sym = this.checker.getSymbolAtLocation(rhs);
    const d = sym?.valueDeclaration;
    if (!d || !ts.isVariableDeclaration(d) || !ts.isVariableDeclarationList(d.parent) || !(d.parent.flags & ts.NodeFlags.Const)) return false;
    const block = d.parent.parent.parent;
    if (!ts.isVariableStatement(d.parent.parent) || node.parent.parent !== block) return false;
    let ok = true;
    // a closure could read `next` after the move, when it would be `u`'s array
    const visit = (n: ts.Node, inClosure: boolean): void => {
      if (ts.isIdentifier(n) && n !== d.name && n !== rhs && this.checker.getSymbolAtLocation(n) === sym) {
        const use = n.parent;
        const indexed = ts.isElementAccessExpression(use) && use.expression === n;
        const length = ts.isPropertyAccessExpression(use) && use.expression === n && use.name.text === "length";
        if (inClosure || n.getStart() > node.getStart() || !(indexed || length)) ok = false;
      }
      ts.forEachChild(n, (c) => visit(c, inClosure || ts.isFunctionLike(c)));
    };
    visit(block, false);
    return ok;
  }

  /** The local array a statement writes into; refuses parameters, globals and aliases. */
  private writableArray(e: ts.Expression, node: ts.Node): Var {
    while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    if (!ts.isIdentifier(e))
      fail(TSG.foreignArrayWrite, node, "writes are supported into local arrays named by a variable only", "copy the data into a local array first");
    const v = this.localOf(e, node);
    if (v.type.kind !== "array")
      fail(TSG.unsupportedType, node, "only arrays can be written by index", "use a number[] or Float64Array");
    if (!v.owned)
      fail(
        TSG.foreignArrayWrite,
        node,
        `\`${e.text}\` may be an array the function does not own (a parameter, a module array or an alias), so writing it would change the caller's data`,
        "copy it first: `const local = x.slice()`",
      );
    return v;
  }

  /** A local or parameter variable that may be assigned; refuses outer variables. */
  private localOf(id: ts.Identifier, node: ts.Node): Var {
    const sym = this.symbolOf(id);
    const v = this.vars.get(sym);
    if (v && v.role !== "param") return v;
    if (v && v.role === "param") {
      if (v.type.kind === "record")
        fail(TSG.outerWrite, node, "structured parameters cannot be reassigned", "copy the fields into locals");
      return v;
    }
    fail(
      TSG.outerWrite,
      node,
      `\`${id.text}\` is declared outside the differentiated function, and writing it is a side effect tsgrad cannot differentiate`,
      "compute the value in a local variable and return it",
    );
  }

  /** A loop test: evaluated many times, so it must not need prelude statements. */
  private pureCondition(e: ts.Expression): Expr {
    const before = this.cur.length;
    const r = this.expr(e, "cond");
    if (this.cur.length !== before)
      fail(TSG.unsupportedSyntax, e, "this loop condition needs statements of its own (a ?: with active values)", "compute it in the loop body into a variable");
    return r;
  }

  // ---------------------------------------------------------------------------------------------
  // expressions

  private expr(e: ts.Expression, ctx: Ctx): Expr {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e))
      return this.expr(e.expression, ctx);
    if (ts.isNumericLiteral(e)) return num(Number(e.text));
    if (e.kind === ts.SyntaxKind.TrueKeyword) return bool(true);
    if (e.kind === ts.SyntaxKind.FalseKeyword) return bool(false);
    if (ts.isIdentifier(e)) return this.identifier(e);
    if (ts.isPrefixUnaryExpression(e)) return this.prefix(e, ctx);
    if (ts.isPostfixUnaryExpression(e))
      fail(TSG.incrementInExpression, e, "++/-- inside an expression is not supported", "write the increment as its own statement");
    if (ts.isBinaryExpression(e)) return this.binary(e, ctx);
    if (ts.isConditionalExpression(e)) return this.conditional(e, ctx);
    if (ts.isCallExpression(e)) return this.callExpr(e, ctx);
    if (ts.isNewExpression(e)) return this.newExpr(e);
    if (ts.isElementAccessExpression(e)) return this.elementAccess(e);
    if (ts.isPropertyAccessExpression(e)) return this.propertyAccess(e);
    if ((ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e)) && irTypeOrUndefined(this.checker, this.checker.getTypeAtLocation(e))?.kind === "record")
      return this.recordLiteral(e);
    if (ts.isArrayLiteralExpression(e)) {
      const raw = this.checker.getTypeAtLocation(e);
      const type: IRType = isUntypedArray(this.checker, raw) ? { kind: "array", elem: NUM, storage: "array" } : this.typeOfNode(e);
      if (type.kind !== "array" || type.elem.kind !== "num")
        fail(TSG.unsupportedType, e, "only flat number array literals are supported", "build nested data outside the function");
      for (const el of e.elements)
        if (ts.isSpreadElement(el)) fail(TSG.unsupportedSyntax, el, "spread in array literals is not supported", "push the elements in a loop");
      return { k: "arrayLit", elems: e.elements.map((el) => this.expr(el, "value")), storage: "array" };
    }
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { k: "str", value: e.text };
    if (ts.isTemplateExpression(e))
      fail(TSG.unsupportedType, e, "template strings cannot appear in a differentiated function", "move string handling outside it");
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e))
      fail(TSG.unsupportedSyntax, e, "function expressions inside a differentiated function are not supported", "declare the function at module level and call it");
    if (ts.isObjectLiteralExpression(e))
      fail(TSG.unsupportedType, e, "only objects whose fields are numbers, arrays, tensors or such objects can be built here", "give the literal a type of those (annotate the variable or the function's return type)");
    if (ts.isAwaitExpression(e) || ts.isYieldExpression(e))
      fail(TSG.asyncOrGenerator, e, "await and yield cannot be differentiated", "write a plain synchronous function");
    fail(TSG.unsupportedSyntax, e, `this expression (${ts.SyntaxKind[e.kind]}) is not supported`, "use arithmetic, Math.*, array reads and calls of your own functions");
  }

  private identifier(e: ts.Identifier): Expr {
    if (e.text === "undefined")
      fail(TSG.unsupportedType, e, "undefined cannot be differentiated", "use a number");
    const sym = this.referencedSymbol(e);
    if (!sym) {
      if (e.text === "NaN") return num(NaN);
      if (e.text === "Infinity") return num(Infinity);
      fail(TSG.unsupportedSyntax, e, `\`${e.text}\` does not resolve to a declaration`, "declare it");
    }
    if (this.records.has(sym))
      fail(TSG.unsupportedSyntax, e, "a tuple or object can only be read field by field here", "read its fields (r[0], r.value) instead of the whole value");
    if (this.markerBindings.has(sym))
      fail(TSG.nestedMarker, e, "a derivative function can only be called here", "call it: `dh(x)`");
    const local = this.vars.get(sym);
    if (local) {
      if (local.type.kind === "record")
        fail(TSG.unsupportedSyntax, e, "a structured parameter can only be read field by field", "read its fields (p.w, p[0]) instead of the whole value");
      return ref(local);
    }
    const target = resolveAlias(this.checker, sym);
    const declNode = target.valueDeclaration ?? target.declarations?.[0];
    if (declNode && declNode.getSourceFile().isDeclarationFile) {
      if (e.text === "NaN") return num(NaN);
      if (e.text === "Infinity") return num(Infinity);
    }
    return ref(this.global(e, target));
  }

  /** A module-level binding read by the function (constants, arrays, nested arrays). */
  private global(e: ts.Identifier, sym: ts.Symbol): Var {
    const known = this.globals.get(sym);
    if (known) return known;
    const declNode = sym.valueDeclaration;
    if (!declNode || !ts.isVariableDeclaration(declNode) || !isModuleLevel(declNode)) {
      if (declNode && declNode.pos >= this.fn.pos && declNode.end <= this.fn.end)
        fail(TSG.unsupportedSyntax, e, `\`${e.text}\` is used before its declaration`, "declare the variable before reading it");
      if (declNode && (ts.isParameter(declNode) || ts.isVariableDeclaration(declNode)))
        fail(
          TSG.capturedLocal,
          e,
          `\`${e.text}\` is a local variable of an enclosing function; generated code lives at module level and cannot see it`,
          "pass it as a parameter, or move the function to module level",
        );
      fail(TSG.unsupportedSyntax, e, `\`${e.text}\` cannot be read here`, "read numbers, booleans or arrays declared at module level, or parameters");
    }
    if (declNode.getSourceFile().isDeclarationFile)
      fail(TSG.unsupportedSyntax, e, `\`${e.text}\` is declared without a value tsgrad can read`, "declare the value in a TypeScript source file");
    const type = irTypeOf(this.checker, this.checker.getTypeAtLocation(e), e);
    if (type.kind === "record")
      fail(TSG.unsupportedType, e, "module-level tuples and objects cannot be read yet", "use module-level numbers and arrays");
    const v = newVar(e.text, type, "global", {
      external: { file: declNode.getSourceFile().fileName, name: sym.getName(), exported: isExported(declNode) },
      ...(type.kind === "array" ? { owned: false } : {}),
    });
    this.globals.set(sym, v);
    return v;
  }

  private prefix(e: ts.PrefixUnaryExpression, ctx: Ctx): Expr {
    switch (e.operator) {
      case ts.SyntaxKind.MinusToken: {
        const inner = this.expr(e.operand, ctx);
        return inner.k === "num" ? num(-inner.value) : op("neg", inner);
      }
      case ts.SyntaxKind.PlusToken:
        return this.expr(e.operand, ctx);
      case ts.SyntaxKind.ExclamationToken:
        return op("not", this.expr(e.operand, "cond"));
      default:
        fail(TSG.incrementInExpression, e, "++/-- inside an expression is not supported", "write the increment as its own statement");
    }
  }

  private binary(e: ts.BinaryExpression, ctx: Ctx): Expr {
    const k = e.operatorToken.kind;
    const arith = ARITH[k];
    if (arith) {
      const left = this.expr(e.left, ctx);
      const right = this.expr(e.right, ctx);
      const lt = typeOfValue(left);
      const rt = typeOfValue(right);
      if (lt.kind !== "num" || rt.kind !== "num")
        fail(TSG.unsupportedType, e, `\`${ts.tokenToString(k)}\` on ${typeToString(lt)} and ${typeToString(rt)} is not supported`, "apply arithmetic to numbers");
      return op(arith, left, right);
    }
    const cmp = COMPARE[k];
    if (cmp) return op(cmp, this.expr(e.left, "cond"), this.expr(e.right, "cond"));
    if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) {
      const type = this.typeOfNode(e);
      if (type.kind !== "bool")
        fail(TSG.unsupportedType, e, "&& and || are supported on booleans only", "use a ?: expression to choose between numbers");
      const left = this.expr(e.left, "cond");
      const before = this.cur.length;
      const right = this.expr(e.right, "cond");
      if (this.cur.length !== before)
        fail(TSG.unsupportedSyntax, e.right, "the right side of && / || needs statements of its own", "compute it into a variable first");
      return op(k === ts.SyntaxKind.AmpersandAmpersandToken ? "and" : "or", left, right);
    }
    if (k === ts.SyntaxKind.EqualsToken || COMPOUND[k])
      fail(TSG.unsupportedSyntax, e, "assignment inside an expression is not supported", "write the assignment as its own statement");
    if (k === ts.SyntaxKind.QuestionQuestionToken)
      fail(TSG.unsupportedSyntax, e, "?? is not supported", "use an explicit comparison");
    fail(TSG.unsupportedSyntax, e, `the operator \`${ts.tokenToString(k)}\` is not supported`, "use arithmetic, comparisons and && / || on booleans");
  }

  /**
   * `c ? a : b` where the value may carry a derivative becomes an if statement: evaluating both
   * sides eagerly would let a NaN of the side not taken leak into the adjoint. In conditions only
   * its value matters, and it stays an expression.
   */
  private conditional(e: ts.ConditionalExpression, ctx: Ctx): Expr {
    const cond = this.expr(e.condition, "cond");
    const type = this.typeOfNode(e);
    if (ctx === "cond" || type.kind === "bool" || type.kind === "data") {
      const before = this.cur.length;
      const a = this.expr(e.whenTrue, "cond");
      const b = this.expr(e.whenFalse, "cond");
      if (this.cur.length === before) return op("select", cond, a, b);
    }
    const flatArray = type.kind === "array" && type.elem.kind === "num";
    if (type.kind !== "num" && type.kind !== "tensor" && !flatArray)
      fail(TSG.unsupportedType, e, `?: choosing between values of type ${typeToString(type)} is not supported`, "choose between numbers, arrays or tensors, or use if/else");
    // an array chosen is a read-only alias of the one taken (given its array in each branch)
    const t = newVar("choice", type, "temp", flatArray ? { owned: false } : {});
    const origin = this.origin;
    this.cur.push(decl(t, type.kind === "array" ? alloc(num(0), type.storage) : num(0), origin));
    const then = this.collect(() => this.cur.push(assign(t, this.expr(e.whenTrue, "value"), origin)));
    const els = this.collect(() => this.cur.push(assign(t, this.expr(e.whenFalse, "value"), origin)));
    this.cur.push({ k: "if", cond, then, else: els, origin });
    return ref(t);
  }

  private callExpr(e: ts.CallExpression, ctx: Ctx): Expr {
    const callee = e.expression;
    if (ts.isIdentifier(callee) && callee.text === "eval")
      fail(TSG.evalCall, e, "eval cannot be differentiated", "write the computation as code");
    const marker = this.invokedMarker(callee);
    if (marker) return this.derivativeCall(marker, e);
    if (ts.isCallExpression(callee) && ts.isIdentifier(callee.expression)) {
      const helper = this.checker.getSymbolAtLocation(callee.expression);
      const rule = helper && this.host.ruleKind(helper);
      if (rule) fail(TSG.badRule, callee, `${rule}(...) must be declared once, at module level: \`const f = ${rule}(...)\``, "declare the function with its rule at module level, then call it");
    }
    // a tensor operation, called by name or through a namespace (`T.matmul`)
    const opSymbol = this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
    const tensorOp = opSymbol && this.host.tensorOp(opSymbol);
    if (tensorOp) return this.tensorCall(e, tensorOp);
    if (ts.isPropertyAccessExpression(callee)) {
      const obj = callee.expression;
      const name = callee.name.text;
      if (ts.isIdentifier(obj) && obj.text === "Math" && this.isGlobalMath(obj)) return this.mathCall(e, name, ctx);
      if (name === "slice" && e.arguments.length === 0) {
        const arr = this.expr(obj, "value");
        const t = typeOfValue(arr);
        if (t.kind === "array" && t.elem.kind === "num") return { k: "copy", arr, storage: t.storage };
      }
      if (name === "fill") return this.fillCall(e, callee);
      // a function of another module called through a namespace import: `models.loss(...)`
      const member = this.checker.getSymbolAtLocation(callee.name);
      const target = member && resolveAlias(this.checker, member);
      const d = target && declarationWithBody(target);
      const fn = d && functionOfDeclaration(d);
      if (fn && fn.body && !fn.getSourceFile().isDeclarationFile && isModuleLevel(fn)) return this.userCall(e, fn);
    }
    if (ts.isIdentifier(callee)) {
      const sym = this.checker.getSymbolAtLocation(callee);
      if (sym) {
        const target = resolveAlias(this.checker, sym);
        if (this.host.isMarker(target))
          fail(TSG.nestedMarker, e, "inside a differentiated function, a marker's result must be called right away or bound with const", "write `grad(h)(x)`, or `const dh = grad(h);` then `dh(x)`");
        const rule = this.host.ruleKind(target);
        if (rule === "stopGradient") {
          if (e.arguments.length !== 1) fail(TSG.unsupportedSyntax, e, "stopGradient takes one number", "write stopGradient(x)");
          return op("stop", this.expr(e.arguments[0]!, ctx));
        }
        if (rule) fail(TSG.badRule, e, `${rule}(...) must be declared once, at module level: \`const f = ${rule}(...)\``, "declare the function with its rule at module level, then call it");
        const decl = declarationWithBody(target);
        const custom = decl && this.customFunction(decl, e);
        if (custom) return custom;
        const fn = decl ? functionOfDeclaration(decl) : undefined;
        if (fn && fn.body && !fn.getSourceFile().isDeclarationFile) {
          if (!isModuleLevel(fn))
            fail(TSG.capturedLocal, e, `\`${callee.text}\` is declared inside another function`, "move it to module level so generated code can call it");
          return this.userCall(e, fn);
        }
        fail(
          TSG.opaqueCall,
          e,
          `\`${callee.text}\` has no body tsgrad can see${decl?.getSourceFile().isDeclarationFile ? ` (it is declared in ${decl.getSourceFile().fileName.split("/").pop()})` : ""} and no derivative rule`,
          "call a function written in TypeScript in this program, or give this one a custom rule",
        );
      }
    }
    fail(TSG.opaqueCall, e, "this call has no body tsgrad can see and no derivative rule", "call Math.*, array methods slice/push/fill, or functions of your own program");
  }

  /** The marker call a callee stands for: `grad(h)` itself, or a const bound to it. */
  private invokedMarker(callee: ts.Expression): MarkerCall | undefined {
    callee = skipOuter(callee);
    if (ts.isCallExpression(callee)) {
      const kind = this.host.markerOf(callee);
      return kind ? { call: callee, kind } : undefined;
    }
    if (!ts.isIdentifier(callee)) return undefined;
    const sym = this.checker.getSymbolAtLocation(callee);
    if (!sym) return undefined;
    const local = this.markerBindings.get(sym);
    if (local) return local;
    const d = resolveAlias(this.checker, sym).valueDeclaration;
    return d && ts.isVariableDeclaration(d) && isModuleLevel(d) ? markerBindingOf(this.host, d) : undefined;
  }

  /**
   * A derivative called inside the function (`grad(h)(x)`): a call of the derived function,
   * which the pipeline generates like any callee. Differentiating the caller then
   * differentiates it (forward over reverse, reverse over forward, ...).
   */
  private derivativeCall(marker: MarkerCall, e: ts.CallExpression): Expr {
    if (!NESTABLE.has(marker.kind))
      fail(TSG.nestedMarker, e, `${marker.kind}(...) cannot be called inside a differentiated function yet`, "call grad, valueAndGrad, jvp or hvp there");
    const target = this.host.markerTarget(marker);
    for (const a of e.arguments)
      if (ts.isSpreadElement(a)) fail(TSG.unsupportedSyntax, a, "spread arguments are not supported", "pass the values one by one");
    if (e.arguments.length !== target.arity)
      fail(TSG.unsupportedSyntax, e, `this derivative takes ${target.arity} argument${target.arity === 1 ? "" : "s"}`, "pass every argument explicitly");
    const args = e.arguments.map((a) => this.expr(a, "value"));
    return { k: "call", fn: { kind: "user", key: target.key }, args, type: this.typeOfNode(e) };
  }

  private isGlobalMath(id: ts.Identifier): boolean {
    const sym = this.checker.getSymbolAtLocation(id);
    const decl = sym?.declarations?.[0];
    return !decl || decl.getSourceFile().isDeclarationFile;
  }

  private mathCall(e: ts.CallExpression, name: string, ctx: Ctx): Expr {
    if (name === "random")
      fail(TSG.nondeterministic, e, "Math.random() gives a different value each call, so its derivative code cannot replay it", "draw random numbers outside and pass them in as data");
    const known = MATH_FUNCTIONS[name];
    if (!known) fail(TSG.opaqueCall, e, `Math.${name} has no derivative rule`, "use one of the supported Math functions");
    const opName = known.op;
    for (const a of e.arguments)
      if (ts.isSpreadElement(a)) fail(TSG.unsupportedSyntax, a, "spread arguments to Math functions are not supported", "pass the values one by one");
    const args = e.arguments.map((a) => this.expr(a, ctx));
    const arity = known.arity;
    if (arity !== "any" && args.length !== arity)
      fail(TSG.unsupportedSyntax, e, `Math.${name} takes ${arity} argument${arity === 1 ? "" : "s"}`, "pass exactly that many");
    if (name === "min" || name === "max") {
      if (args.length === 0) return num(name === "min" ? Infinity : -Infinity);
      // n-ary min/max as a left fold: exactly the same value, one binary rule
      return args.reduce((acc, a) => op(opName, acc, a));
    }
    if (name === "hypot") return args.length === 0 ? num(0) : op("hypot", ...args);
    return op(opName, ...args);
  }

  /** `new Array(n).fill(v)` and `Array(n).fill(v)`; `.fill` on anything else is refused. */
  private fillCall(e: ts.CallExpression, callee: ts.PropertyAccessExpression): Expr {
    let target: ts.Expression = callee.expression;
    while (ts.isParenthesizedExpression(target)) target = target.expression;
    const isArrayCtor = (x: ts.Expression) => ts.isIdentifier(x) && x.text === "Array";
    if (
      (ts.isNewExpression(target) || ts.isCallExpression(target)) &&
      isArrayCtor(target.expression) &&
      target.arguments?.length === 1 &&
      e.arguments.length === 1
    ) {
      const length = this.expr(target.arguments[0]!, "cond");
      return alloc(length, "array", this.expr(e.arguments[0]!, "value"));
    }
    fail(TSG.unsupportedSyntax, e, "fill is supported only as `new Array(n).fill(value)`", "fill a new array, or write a loop");
  }

  private newExpr(e: ts.NewExpression): Expr {
    const ctor = e.expression;
    const args = e.arguments ?? [];
    if (ts.isIdentifier(ctor) && ctor.text === "Float64Array" && args.length === 1) {
      const arg = this.expr(args[0]!, "value");
      const t = typeOfValue(arg);
      if (t.kind === "num") return alloc(arg, "f64");
      if (t.kind === "array" && t.elem.kind === "num") return { k: "copy", arr: arg, storage: "f64" };
    }
    if (ts.isIdentifier(ctor) && ctor.text === "Array")
      fail(TSG.unsupportedSyntax, e, "`new Array(n)` has holes, not numbers", "write `new Array(n).fill(0)` or `new Float64Array(n)`");
    fail(TSG.unsupportedSyntax, e, "only `new Float64Array(n)` and `new Float64Array(array)` can be constructed here", "allocate arrays with new Float64Array(n), new Array(n).fill(0) or []");
  }

  private elementAccess(e: ts.ElementAccessExpression): Expr {
    const leaf = this.structuredLeaf(e);
    if (leaf) return ref(leaf);
    const field = this.recordField(e);
    if (field) return field;
    const arr = this.expr(e.expression, "value");
    if (typeOfValue(arr).kind !== "array")
      fail(TSG.dynamicKey, e, "computed property keys are supported on arrays only", "use a literal property name, or an array");
    const i = this.expr(e.argumentExpression, "cond");
    return index(arr, i);
  }

  private propertyAccess(e: ts.PropertyAccessExpression): Expr {
    if (ts.isIdentifier(e.expression) && e.expression.text === "Math" && this.isGlobalMath(e.expression)) {
      const c = MATH_CONSTANTS[e.name.text];
      if (c !== undefined) return num(c);
    }
    if (e.name.text === "shape" && irTypeOrUndefined(this.checker, this.checker.getTypeAtLocation(e.expression))?.kind === "tensor") {
      const t = this.expr(e.expression, "cond");
      return { k: "call", fn: { kind: "tensor", key: "shapeOf" }, args: [t], type: { kind: "array", elem: NUM, storage: "array" } };
    }
    if (e.name.text === "length" && !this.structuredLeafOf(e)) {
      const arr = this.expr(e.expression, "value");
      if (typeOfValue(arr).kind === "array") return len(arr);
    }
    const leaf = this.structuredLeaf(e);
    if (leaf) return ref(leaf);
    const field = this.recordField(e);
    if (field) return field;
    if (e.questionDotToken) fail(TSG.unsupportedSyntax, e, "optional chaining is not supported", "check the value explicitly");
    // a call's own refusal says more than this one (`vjp(h)(x).value`)
    if (ts.isCallExpression(skipOuter(e.expression))) this.expr(e.expression, "value");
    fail(TSG.unsupportedSyntax, e, `the property \`${e.name.text}\` cannot be read in a differentiated function`, "read numbers and arrays, .length, and fields of structured parameters");
  }

  /** Whether `e` reads a field called `length` of a structured parameter (not an array length). */
  private structuredLeafOf(e: ts.PropertyAccessExpression): boolean {
    const t = this.checker.getTypeAtLocation(e.expression);
    return !this.checker.isArrayType(t) && t.getSymbol()?.getName() !== "Float64Array" && !!(t.flags & ts.TypeFlags.Object) && !this.checker.isTupleType(t);
  }

  /** `p.w`, `p[0]`, `p.layer.b` on a structured parameter: the flattened leaf variable. */
  private structuredLeaf(e: ts.Expression): Var | undefined {
    // only accesses rooted at a structured parameter are fields
    let root: ts.Expression = e;
    while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isParenthesizedExpression(root) || ts.isNonNullExpression(root))
      root = root.expression;
    const rootSym = ts.isIdentifier(root) ? this.checker.getSymbolAtLocation(root) : undefined;
    if (!rootSym || !this.leaves.has(rootSym)) return undefined;
    const keys: (string | number)[] = [];
    let cur: ts.Expression = e;
    for (;;) {
      while (ts.isParenthesizedExpression(cur) || ts.isNonNullExpression(cur)) cur = cur.expression;
      if (ts.isPropertyAccessExpression(cur)) {
        keys.unshift(cur.name.text);
        cur = cur.expression;
      } else if (ts.isElementAccessExpression(cur)) {
        const arg = cur.argumentExpression;
        if (ts.isNumericLiteral(arg)) keys.unshift(Number(arg.text));
        else if (ts.isStringLiteral(arg)) keys.unshift(arg.text);
        else {
          const t = this.typeOfNode(cur.expression);
          if (t.kind === "record")
            fail(TSG.dynamicKey, cur, "a computed key into a tuple or object parameter is not supported", "use a literal key, or pass an array");
          return undefined;
        }
        cur = cur.expression;
      } else break;
    }
    if (!ts.isIdentifier(cur) || keys.length === 0) return undefined;
    const sym = this.checker.getSymbolAtLocation(cur);
    if (!sym) return undefined;
    const byPath = this.leaves.get(sym);
    if (!byPath) return undefined;
    // the path may stop at an array leaf and continue with an index: find the longest prefix
    for (let n = keys.length; n > 0; n--) {
      const leaf = byPath.get(keys.slice(0, n).join("."));
      if (leaf) {
        if (n === keys.length) return leaf;
        return undefined; // indexing into an array leaf: handled by elementAccess on the leaf
      }
    }
    fail(TSG.dynamicKey, e, "this field of a structured parameter cannot be read", "read a number or array field");
  }

  /**
   * A call of a function declared with its own rule at module level:
   * `const f = customVjp(primal, rule)`, `customJvp(primal, rule)`, `nonDifferentiable(g)`.
   */
  private customFunction(decl: ts.Declaration, e: ts.CallExpression): Expr | undefined {
    if (!ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
    let init: ts.Expression = decl.initializer;
    while (ts.isParenthesizedExpression(init) || ts.isAsExpression(init)) init = init.expression;
    if (!ts.isCallExpression(init) || !ts.isIdentifier(init.expression)) return undefined;
    const helper = this.checker.getSymbolAtLocation(init.expression);
    const kind = helper && this.host.ruleKind(helper);
    if (!kind || kind === "stopGradient") return undefined;
    if (!isModuleLevel(decl) || !ts.isIdentifier(decl.name))
      fail(TSG.badRule, e, `a function with a ${kind} rule must be declared at module level`, "declare it with const at module level");
    for (const a of e.arguments)
      if (ts.isSpreadElement(a)) fail(TSG.unsupportedSyntax, a, "spread arguments are not supported", "pass the values one by one");
    const type = this.typeOfNode(e);
    // the binding itself is the primal at run time (the helpers return the function unchanged)
    const external = { file: decl.getSourceFile().fileName, name: decl.name.text, exported: isExported(decl) };
    const key = `opaque:${external.file}#${external.name}`;
    if (kind === "nonDifferentiable") {
      const args = e.arguments.map((a) => this.expr(a, "cond"));
      return { k: "call", fn: { kind: "opaque", key, external }, args, type };
    }
    const [primalArg, ruleArg] = init.arguments;
    const primal = primalArg && this.functionArgument(primalArg);
    const ruleFn = ruleArg && this.functionArgument(ruleArg);
    if (!primal || !ruleFn)
      fail(TSG.badRule, init, `${kind} takes the function and its rule, both functions written in this program`, `write ${kind}((x: number) => ..., (x, ...) => ...)`);
    const n = primal.parameters.length;
    const expected = kind === "customVjp" ? n + 2 : 2 * n;
    if (ruleFn.parameters.length !== expected)
      fail(
        TSG.badRule,
        ruleArg!,
        `a ${kind} rule for a function of ${n} parameter${n === 1 ? "" : "s"} takes ${expected} (${kind === "customVjp" ? "the arguments, the output and its cotangent" : "the arguments, then one tangent per argument"}), not ${ruleFn.parameters.length}`,
        kind === "customVjp" ? "write (x, y, ybar) => ... for f(x)" : "write (x, dx) => ... for f(x)",
      );
    if (e.arguments.length !== n)
      fail(TSG.unsupportedSyntax, e, "calls must pass every parameter explicitly", "pass all arguments (default values are not supported)");
    const args = e.arguments.map((a) => this.expr(a, "value"));
    const ruleKey = this.host.functionKey(ruleFn);
    return { k: "call", fn: { kind: "opaque", key, external, rule: kind === "customVjp" ? { vjp: ruleKey } : { jvp: ruleKey } }, args, type };
  }

  /**
   * A tensor operation: its arguments as the registry lists them (optional ones filled with
   * undefined; the tensors of concat/stack spread before the axis).
   */
  private tensorCall(e: ts.CallExpression, name: string): Expr {
    const rule = tensorRules[name];
    if (!rule) fail(TSG.opaqueCall, e, `the tensor operation \`${name}\` has no derivative rule`, "use the operations of tsgrad/tensor that have rules");
    for (const a of e.arguments)
      if (ts.isSpreadElement(a)) fail(TSG.unsupportedSyntax, a, "spread arguments are not supported", "pass the values one by one");
    if (rule.variadic) {
      const [list, axis] = e.arguments;
      if (!list || !ts.isArrayLiteralExpression(list) || list.elements.length === 0)
        fail(TSG.unsupportedSyntax, e, `${name} needs an array literal of tensors here`, `write ${name}([a, b], axis)`);
      const parts = list.elements.map((el) => this.expr(el, "value"));
      for (const [i, p] of parts.entries())
        if (typeOfValue(p).kind !== "tensor") fail(TSG.unsupportedType, list.elements[i]!, `${name} joins tensors`, "pass tensors");
      return { k: "call", fn: { kind: "tensor", key: name }, args: [...parts, axis ? this.expr(axis, "cond") : num(0)], type: TENSOR };
    }
    if (e.arguments.length > rule.params.length)
      fail(TSG.unsupportedSyntax, e, `${name} takes at most ${rule.params.length} arguments`, "pass fewer arguments");
    const args: Expr[] = rule.params.map((param, i) => {
      const arg = e.arguments[i];
      if (!arg) {
        if (!param.endsWith("?")) fail(TSG.unsupportedSyntax, e, `${name} needs its argument \`${param}\``, "pass it");
        const d = rule.defaults?.[i];
        return d === undefined ? { k: "undef" } : num(d);
      }
      return this.expr(arg, rule.diff[i] ? "value" : "cond");
    });
    return { k: "call", fn: { kind: "tensor", key: name }, args, type: rule.returns === "number" ? NUM : TENSOR };
  }

  /** A function given as an argument: an arrow or function expression, or a function's name. */
  private functionArgument(arg: ts.Expression): FunctionLike | undefined {
    let e = arg;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
    if (ts.isIdentifier(e)) {
      const sym = this.checker.getSymbolAtLocation(e);
      const target = sym && resolveAlias(this.checker, sym);
      const d = target && declarationWithBody(target);
      const fn = d && functionOfDeclaration(d);
      if (fn?.body && !fn.getSourceFile().isDeclarationFile) return fn;
    }
    return undefined;
  }

  private userCall(e: ts.CallExpression, fn: FunctionLike): Expr {
    const key = this.host.functionKey(fn);
    for (const a of e.arguments)
      if (ts.isSpreadElement(a)) fail(TSG.unsupportedSyntax, a, "spread arguments are not supported", "pass the values one by one");
    if (e.arguments.length !== fn.parameters.length)
      fail(TSG.unsupportedSyntax, e, "calls must pass every parameter explicitly", "pass all arguments (default values are not supported)");
    const params = fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === "this"));
    const args = e.arguments.map((a, i) => {
      const t = irTypeOrUndefined(this.checker, this.checker.getTypeAtLocation(params[i] ?? a));
      return t?.kind === "record" ? this.recordArgument(a, t) : this.expr(a, "value");
    });
    const type = this.typeOfNode(e);
    // a call's array result is taken to be the callee's own: one it shares would need aliasing
    const shared = this.sharedReturn(fn);
    if (shared)
      fail(
        TSG.unsupportedSyntax,
        e,
        `\`${functionName(fn)}\` returns an array it did not make (\`${shared.getText()}\`), which the caller would share with it`,
        `return a copy from it (\`${shared.getText()}.slice()\`)`,
      );
    // the passes give a call's array result one flat adjoint or tangent array
    if (holdsNestedArrays(type))
      fail(
        TSG.unsupportedType,
        e,
        "a call of a function that returns arrays of arrays cannot be differentiated yet",
        "return a flat array (rows one after another, read as r[i * n + j]), or build the rows in the calling function",
      );
    return { k: "call", fn: { kind: "user", key }, args, type };
  }

  /**
   * An array a function returns without having made it: a parameter, a module-level array, a row
   * or field of one, or a local bound to such a value (`const b = a`), directly or as a field of
   * a returned tuple or object literal.
   */
  private sharedReturn(fn: FunctionLike): ts.Expression | undefined {
    const isArray = (n: ts.Node) => irTypeOrUndefined(this.checker, this.checker.getTypeAtLocation(n))?.kind === "array";
    const shared = (e: ts.Expression): ts.Expression | undefined => {
      e = skipOuter(e);
      if (ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e)) {
        if (irTypeOrUndefined(this.checker, this.checker.getTypeAtLocation(e))?.kind !== "record") return undefined;
        for (const part of ts.isArrayLiteralExpression(e) ? e.elements : e.properties.map((p) => (ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined)))
          if (part && !ts.isSpreadElement(part)) {
            const inner = shared(part);
            if (inner) return inner;
          }
        return undefined;
      }
      if (!isArray(e)) return undefined;
      // either branch of a choice may be what is returned
      if (ts.isConditionalExpression(e)) return shared(e.whenTrue) ?? shared(e.whenFalse);
      if (ts.isBinaryExpression(e)) return e.operatorToken.kind === ts.SyntaxKind.CommaToken ? shared(e.right) : (shared(e.left) ?? shared(e.right));
      if (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) return e;
      if (!ts.isIdentifier(e)) return undefined;
      const decl = this.referencedSymbol(e)?.valueDeclaration;
      if (!decl || ts.isParameter(decl)) return e;
      if (!ts.isVariableDeclaration(decl) || decl.getSourceFile() !== fn.getSourceFile() || decl.pos < fn.pos || decl.end > fn.end) return e; // module level
      // `for (const r of m)`: an element of another array
      if (!decl.initializer) return ts.isForOfStatement(decl.parent.parent) ? e : undefined;
      return shared(decl.initializer) ? e : undefined;
    };
    const visit = (n: ts.Node): ts.Expression | undefined => {
      if (n !== fn.body && ts.isFunctionLike(n)) return undefined;
      if (ts.isReturnStatement(n) && n.expression) return shared(n.expression);
      return ts.forEachChild(n, visit);
    };
    if (fn.body && !ts.isBlock(fn.body)) return shared(fn.body);
    return fn.body ? visit(fn.body) : undefined;
  }

  /**
   * A tuple or object literal (`return [loss, y]`, `return { h, out }`): a record of its parts,
   * in the literal's own order. A part that is itself a tuple or object is a literal again, or a
   * value read whole (a structured parameter, a call's result) taken apart by its type.
   */
  private recordLiteral(e: ts.ArrayLiteralExpression | ts.ObjectLiteralExpression): Expr {
    const type = this.typeOfNode(e);
    if (type.kind !== "record") fail(TSG.unsupportedType, e, "this literal is not a tuple or object of numbers and arrays", "return a tuple or object type");
    const parts: { key: string | number; node: ts.Expression }[] = [];
    if (ts.isArrayLiteralExpression(e))
      e.elements.forEach((el, i) => {
        if (ts.isSpreadElement(el) || ts.isOmittedExpression(el)) fail(TSG.unsupportedSyntax, el, "spread and holes in tuple literals are not supported", "write each element");
        parts.push({ key: i, node: el });
      });
    else
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)))
          parts.push({ key: p.name.text, node: p.initializer });
        else if (ts.isShorthandPropertyAssignment(p)) parts.push({ key: p.name.text, node: p.name });
        else fail(TSG.unsupportedSyntax, p, "only `key: value` and shorthand properties are supported in object literals here", "write each field as `key: value`");
      }
    return {
      k: "record",
      tuple: type.tuple,
      fields: type.fields.map((f) => {
        const part = parts.find((x) => String(x.key) === String(f.key));
        if (!part) fail(TSG.unsupportedType, e, `the field \`${String(f.key)}\` has no value here`, "give every field a value");
        const node = skipOuter(part.node);
        if (f.type.kind !== "record") return { key: f.key, value: this.expr(node, "value") };
        if (ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node)) return { key: f.key, value: this.recordLiteral(node) };
        return { key: f.key, value: this.recordArgument(node, f.type) };
      }),
    };
  }

  /**
   * A tuple or object passed to a function (`forward(params, x)`): a record literal of its
   * parts, in the order of the parameter's own type (the callee's leaves and the caller's
   * adjoints then line up, whatever order the caller's type lists the fields in).
   */
  private recordArgument(arg: ts.Expression, target: IRType & { kind: "record" }): Expr {
    const build = (r: RecordValue, t: IRType & { kind: "record" }): Expr => ({
      k: "record",
      tuple: t.tuple,
      fields: t.fields.map((f) => {
        const part = this.project(r, f.key, arg);
        if (f.type.kind === "record") {
          if (part.kind !== "record") fail(TSG.unsupportedType, arg, `the field \`${String(f.key)}\` is not a tuple or object here`, "pass a value of the parameter's type");
          return { key: f.key, value: build(part.value, f.type) };
        }
        if (part.kind !== "value") fail(TSG.unsupportedType, arg, `the field \`${String(f.key)}\` is a tuple or object here`, "pass a value of the parameter's type");
        if (f.type.kind === "array" && f.type.elem.kind !== "num")
          fail(TSG.unsupportedType, arg, "a tuple or object holding nested arrays cannot be passed to a function yet", "pass the nested array as a parameter of its own");
        return { key: f.key, value: part.expr };
      }),
    });
    return build(this.recordValue(arg), target);
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private typeOfNode(n: ts.Node): IRType {
    return irTypeOf(this.checker, this.checker.getTypeAtLocation(n), n);
  }

  /** What a name refers to; the `s` of a shorthand `{ s }` names the variable, not the property. */
  private referencedSymbol(id: ts.Identifier): ts.Symbol | undefined {
    const parent = id.parent;
    if (parent && ts.isShorthandPropertyAssignment(parent) && parent.name === id) return this.checker.getShorthandAssignmentValueSymbol(parent);
    return this.checker.getSymbolAtLocation(id);
  }

  private symbolOf(id: ts.Identifier): ts.Symbol {
    const s = this.referencedSymbol(id);
    if (!s) fail(TSG.unsupportedSyntax, id, `cannot resolve \`${id.text}\``, "check that it is declared");
    return s;
  }

  private originOf(n: ts.Node): Origin {
    const sf = this.sourceFile;
    const start = n.getStart(sf);
    const lc = sf.getLineAndCharacterOfPosition(start);
    let text = n.getText(sf).split("\n")[0]!.replace(/\s+/g, " ").trim();
    if (ts.isFunctionLike(n)) text = text.replace(/\{$/, "").trim();
    if (text.length > 72) text = text.slice(0, 69) + "...";
    return { file: sf.fileName, line: lc.line + 1, col: lc.character + 1, pos: start, end: n.getEnd(), text };
  }
}

/** Refuses a `break` that would leave a switch from inside one of its cases (not its last statement). */
function breakOutOfSwitch(n: ts.Node): void {
  if (ts.isBreakStatement(n) && !n.label)
    fail(TSG.unsupportedSyntax, n, "break inside a case, before its end, is not supported", "end the case with break, or restructure the case with if/else");
  // a loop's or an inner switch's own breaks are theirs
  if (ts.isIterationStatement(n, false) || ts.isSwitchStatement(n) || ts.isFunctionLike(n)) return;
  ts.forEachChild(n, breakOutOfSwitch);
}

/** `const dh = grad(h)`: the marker call a const declaration binds, if it binds one. */
function markerBindingOf(host: LowerHost, d: ts.VariableDeclaration): MarkerCall | undefined {
  if (!ts.isIdentifier(d.name) || !d.initializer || !(d.parent.flags & ts.NodeFlags.Const)) return undefined;
  const init = skipOuter(d.initializer);
  if (!ts.isCallExpression(init)) return undefined;
  const kind = host.markerOf(init);
  return kind ? { call: init, kind } : undefined;
}

/** The expression under parentheses, `as`, `!` and `satisfies`. */
function holdsNestedArrays(t: IRType): boolean {
  if (t.kind === "array") return t.elem.kind !== "num";
  return t.kind === "record" && t.fields.some((f) => holdsNestedArrays(f.type));
}

function skipOuter(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

/** The literal key of `r.value` / `r[0]` / `r["value"]`, or undefined. */
function fieldKey(e: ts.Expression): string | number | undefined {
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e)) {
    const a = e.argumentExpression;
    if (ts.isNumericLiteral(a)) return Number(a.text);
    if (ts.isStringLiteral(a)) return a.text;
  }
  return undefined;
}

function isUntypedArray(checker: ts.TypeChecker, t: ts.Type): boolean {
  if (!checker.isArrayType(t)) return false;
  const elem = checker.getTypeArguments(t as ts.TypeReference)[0];
  return !!elem && (elem.flags & (ts.TypeFlags.Any | ts.TypeFlags.Never)) !== 0;
}

/** Whether an initializer creates a new array (so the variable owns it and may write it). */
function isFreshArray(e: Expr): boolean {
  return e.k === "alloc" || e.k === "arrayLit" || e.k === "copy";
}
