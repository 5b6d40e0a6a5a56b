/**
 * Optional parameters: `delta?: number`, `delta: number | undefined` (numbers and booleans). The
 * IR has no missing value, so such a parameter is carried as two values. The parameter itself
 * holds what the caller passed (a number, or undefined), and the function reads it only through
 * two locals declared on entry:
 *
 *   const delta_given = delta !== undefined;       // whether the caller gave it
 *   const delta_value = delta_given ? delta : 0;   // its value when given (0, or false, when not)
 *
 * Uses lower as:
 *   delta ?? e                          delta_given ? delta_value : e   (e evaluated only then)
 *   delta === undefined, delta == null,
 *   typeof delta === "undefined"        !delta_given (and the other forms, negated or not)
 *   delta where TypeScript narrowed it  delta_value                     (checker.getTypeAtLocation)
 *   if (delta), !delta (truthiness)     delta_given && delta_value
 *   delta = e, delta ??= e              delta_value = e; delta_given = true
 *   h(x, delta), the type still open    delta itself (or, once the body assigned it,
 *                                       delta_given ? delta_value : undefined)
 *   h(x) with h's `p?` left out         undefined
 * Any other read where TypeScript's type still includes undefined is refused. The narrowing is
 * TypeScript's own, never guessed: a read is the value only where the checker says `number`.
 *
 * The parameter carries a derivative like any number (`select` passes it to `delta_value` when
 * given), so a helper's optional argument is differentiated; at a marker it is data (discover/).
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { assign, bool, decl, newVar, not, num, op, ref } from "../ir/build.js";
import type { Expr, IRType, Stmt, Var } from "../ir/types.js";
import { BOOL } from "../ir/types.js";
import { collect, emit, originOf, referencedSymbol, type LowerContext, type Mode, type OptionalParameter } from "./context.js";
import { unwrap } from "../syntax/unwrap.js";
import { optionalValueType } from "./types.js";
import { fieldPath, structuredLeaf } from "./leaves.js";

const UNDEFINED: Expr = { k: "undef" };

export function includesUndefined(t: ts.Type): boolean {
  return (t.isUnion() ? t.types : [t]).some((m) => m.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void));
}

/**
 * The IR type of a parameter callers may leave out (`p?: number`, `p: number | undefined`), or
 * undefined for any other parameter. A default value (`p = 1`) makes a parameter required inside.
 */
export function optionalParameterType(checker: ts.TypeChecker, p: ts.ParameterDeclaration): IRType | undefined {
  if (p.initializer || p.dotDotDotToken) return undefined;
  const t = checker.getTypeAtLocation(p);
  if (!includesUndefined(t)) {
    // without strictNullChecks TypeScript types `p?: number` as number: nothing would say where it
    // is given, and a read would be taken for the value where JavaScript reads undefined
    if (p.questionToken)
      fail(
        TSG.unsupportedType,
        p,
        "an optional parameter is differentiated only with strictNullChecks, which tells where it is given",
        `enable "strict" (or "strictNullChecks") in tsconfig.json, or give it a default value: ${p.name.getText()} = 1`,
      );
    return undefined;
  }
  const type = optionalValueType(checker, t);
  if (type?.kind === "num" || type?.kind === "bool") return type;
  fail(
    TSG.unsupportedType,
    p,
    `an optional parameter of type \`${checker.typeToString(t)}\` cannot be differentiated: tsgrad reads optional numbers and booleans`,
    type?.kind === "record"
      ? `make it required, or a field of an object parameter (\`${p.name.getText()}?: ...\` in its type), read with \`?.\``
      : `make it required, or give it a default value: ${p.name.getText()} = ...`,
  );
}

/**
 * Binds an optional parameter: the parameter variable, and its two parts, declared by the
 * statements returned (they open the function's body).
 */
export function bindOptional(ctx: LowerContext, sym: ts.Symbol, p: ts.ParameterDeclaration, type: IRType): { raw: Var; prologue: Stmt[] } {
  const name = p.name.getText();
  const raw = newVar(name, type, "param", { optional: true });
  const given = newVar(`${name}_given`, BOOL, "local");
  const value = newVar(`${name}_value`, type, "local");
  const origin = originOf(ctx, p);
  ctx.optionals.set(sym, { name, raw, given, value, assigned: assignsTo(ctx, sym) });
  const prologue = [
    decl(given, op("ne", ref(raw), UNDEFINED), origin),
    decl(value, op("select", ref(given), ref(raw), type.kind === "bool" ? bool(false) : num(0)), origin),
  ];
  return { raw, prologue };
}

/**
 * Binds an optional field of a structured parameter (`o.scale` of `scale?: number`), a leaf that
 * holds what the caller's object holds: its two parts, declared by the statements returned. The
 * field is never assigned (writes to fields are refused).
 */
export function bindOptionalLeaf(ctx: LowerContext, leaf: Var, name: string): Stmt[] {
  const given = newVar(`${leaf.name}_given`, BOOL, "local");
  const value = newVar(`${leaf.name}_value`, leaf.type, "local");
  ctx.optionalLeaves.set(leaf, { name, raw: leaf, given, value, assigned: false });
  const origin = originOf(ctx, ctx.fn);
  return [
    decl(given, op("ne", ref(leaf), UNDEFINED), origin),
    decl(value, op("select", ref(given), ref(leaf), leaf.type.kind === "bool" ? bool(false) : num(0)), origin),
  ];
}

/** The optional objects inside a record type (`noise?: { sigma: number }`), by path, outermost first. */
export function optionalParts(t: IRType, keys: readonly (string | number)[] = []): { keys: (string | number)[]; type: IRType }[] {
  if (t.kind !== "record") return [];
  return t.fields.flatMap((f) => [
    ...(f.optional && f.type.kind === "record" ? [{ keys: [...keys, f.key], type: f.type }] : []),
    ...optionalParts(f.type, [...keys, f.key]),
  ]);
}

/**
 * Binds an optional object of a structured parameter (`o.noise`): a variable naming it (emitted as
 * `o.noise`) and whether it is given, declared by the statements returned. Its fields are leaves
 * of their own, optional with it; the object is only tested (`if (o.noise)`, `o.noise === undefined`)
 * and passed on whole.
 */
export function bindOptionalPart(
  ctx: LowerContext,
  root: Var,
  keys: (string | number)[],
  type: IRType,
  name: string,
): { opt: OptionalParameter; prologue: Stmt[] } {
  const raw = newVar([root.name, ...keys].join("_"), type, "param", { path: { root, keys }, optional: true });
  const given = newVar(`${raw.name}_given`, BOOL, "local");
  const opt = { name, raw, given, value: raw, assigned: false };
  return { opt, prologue: [decl(given, op("ne", ref(raw), UNDEFINED), originOf(ctx, ctx.fn))] };
}

/** Whether the function's body assigns the parameter (`p = e`, `p ??= e`, `p++`). */
function assignsTo(ctx: LowerContext, sym: ts.Symbol): boolean {
  let found = false;
  const isTarget = (e: ts.Expression): boolean => {
    const t = unwrap(e, ["parens", "nonNull"]);
    return ts.isIdentifier(t) && ctx.checker.getSymbolAtLocation(t) === sym;
  };
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind) && isTarget(n.left)) found = true;
    else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && isIncrement(n.operator) && isTarget(n.operand))
      found = true;
    else ts.forEachChild(n, visit);
  };
  if (ctx.fn.body) visit(ctx.fn.body);
  return found;
}

function isAssignmentOperator(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

function isIncrement(k: ts.SyntaxKind): boolean {
  return k === ts.SyntaxKind.PlusPlusToken || k === ts.SyntaxKind.MinusMinusToken;
}

/**
 * The optional parameter an expression names (through parentheses, `!` and `as`), or the optional
 * field of a structured parameter it reads (`o.scale`), if it names one.
 */
export function optionalNamed(ctx: LowerContext, e: ts.Expression): { opt: OptionalParameter; id: ts.Expression } | undefined {
  const id = unwrap(e, ["parens", "nonNull", "as", "satisfies", "typeAssertion"]);
  if (ts.isPropertyAccessExpression(id) || ts.isElementAccessExpression(id)) {
    const part = optionalPart(ctx, id);
    if (part) return { opt: part, id };
    const leaf = ctx.optionalLeaves.size > 0 ? structuredLeaf(ctx, id) : undefined;
    const opt = leaf && ctx.optionalLeaves.get(leaf);
    return opt ? { opt, id } : undefined;
  }
  if (!ts.isIdentifier(id)) return undefined;
  const sym = referencedSymbol(ctx, id);
  const opt = sym && ctx.optionals.get(sym);
  return opt ? { opt, id } : undefined;
}

/** The optional object of a structured parameter that `e` names (`o.noise`), if it names one. */
export function optionalPart(ctx: LowerContext, e: ts.Expression): OptionalParameter | undefined {
  if (ctx.optionalParts.size === 0) return undefined;
  const field = fieldPath(ctx, e);
  return field && ctx.optionalParts.get(field.sym)?.get(field.keys.join("."));
}

/** Whether an optional parameter or field is an object (`noise?: { sigma: number }`) rather than a number or boolean. */
function isObject(opt: OptionalParameter): boolean {
  return opt.raw.type.kind === "record";
}

/** Whether TypeScript's type at this reference still includes undefined (not narrowed). */
function open(ctx: LowerContext, id: ts.Expression): boolean {
  return includesUndefined(ctx.checker.getTypeAtLocation(id));
}

/**
 * A read of an optional parameter by name: its value where TypeScript narrowed it, whether it
 * is given and truthy in a condition; anything else is refused.
 */
export function optionalRead(ctx: LowerContext, id: ts.Expression, opt: OptionalParameter, mode: Mode): Expr {
  if (isObject(opt)) {
    // an object is truthy exactly when it is there
    if (mode === "cond" && isTruthinessTest(id)) return ref(opt.given);
    fail(
      TSG.unsupportedType,
      id,
      `\`${opt.name}\` is an optional object: tsgrad reads its fields and whether it is given`,
      `read a field (\`${opt.name}?.k ?? 1\`, or \`${opt.name}.k\` once narrowed), test it (\`if (${opt.name})\`), or pass the object that holds it`,
    );
  }
  if (!open(ctx, id)) return ref(opt.value);
  if (mode === "cond" && isTruthinessTest(id)) return op("and", ref(opt.given), ref(opt.value));
  fail(
    TSG.unsupportedType,
    id,
    `\`${opt.name}\` is an optional ${opt.raw.path ? "field" : "parameter"} and may be undefined here: ` +
      `its type is \`${ctx.checker.typeToString(ctx.checker.getTypeAtLocation(id))}\``,
    `choose a value for it (\`${opt.name} ?? 1\`), narrow it first (\`if (${opt.name} !== undefined)\`), ` +
      `or give it a default value: \`${opt.name} = 1\``,
  );
}

/** Whether only the truthiness of `e` is asked: `if (p)`, `!p`, `p && q`, `p ? a : b`, a loop's test. */
function isTruthinessTest(e: ts.Expression): boolean {
  let n: ts.Node = e;
  while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) return p.expression === n;
  if (ts.isForStatement(p)) return p.condition === n;
  if (ts.isConditionalExpression(p)) return p.condition === n;
  if (ts.isPrefixUnaryExpression(p)) return p.operator === ts.SyntaxKind.ExclamationToken;
  if (ts.isBinaryExpression(p))
    return p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || p.operatorToken.kind === ts.SyntaxKind.BarBarToken;
  return false;
}

/** What a call passes for an optional parameter whose type is still open: the parameter as given. */
export function passedOn(opt: OptionalParameter): Expr {
  return opt.assigned ? op("select", ref(opt.given), ref(opt.value), UNDEFINED) : ref(opt.raw);
}

/**
 * An argument for a callee's optional parameter: `undefined`, an optional parameter passed on
 * (both parts), or a value of the parameter's type.
 */
export function optionalArgument(ctx: LowerContext, a: ts.Expression): Expr {
  const named = optionalNamed(ctx, a);
  if (named && open(ctx, named.id)) return passedOn(named.opt);
  if (isUndefinedLiteral(ctx, a)) return UNDEFINED;
  if (includesUndefined(ctx.checker.getTypeAtLocation(a)))
    fail(
      TSG.unsupportedType,
      a,
      "an argument that may be undefined is passed on only as an optional parameter of the calling function",
      "pass the optional parameter itself, or a number (choose it first: `x ?? 1`), or leave the argument out",
    );
  return ctx.expression(a, "value");
}

/** `undefined` (the global binding) or `void 0`. */
function isUndefinedLiteral(ctx: LowerContext, e: ts.Expression): boolean {
  e = unwrap(e, ["parens"]);
  if (ts.isVoidExpression(e)) return ts.isLiteralExpression(e.expression);
  if (!ts.isIdentifier(e) || e.text !== "undefined") return false;
  const decl = ctx.checker.getSymbolAtLocation(e)?.declarations?.[0];
  return !decl || decl.getSourceFile().isDeclarationFile;
}

/**
 * `p === undefined`, `p !== void 0`, `p == null`, `p != null` (either way round), and `p === x`,
 * `p !== x` while p's type is open: tests of whether it was given. Undefined when `e` is not one.
 */
export function optionalComparison(ctx: LowerContext, e: ts.BinaryExpression): Expr | undefined {
  const k = e.operatorToken.kind;
  const strict = k === ts.SyntaxKind.EqualsEqualsEqualsToken || k === ts.SyntaxKind.ExclamationEqualsEqualsToken;
  const equal = k === ts.SyntaxKind.EqualsEqualsEqualsToken || k === ts.SyntaxKind.EqualsEqualsToken;
  if (!strict && k !== ts.SyntaxKind.EqualsEqualsToken && k !== ts.SyntaxKind.ExclamationEqualsToken) return undefined;
  const left = optionalNamed(ctx, e.left);
  const right = optionalNamed(ctx, e.right);
  const side = left ?? right;
  if (!side) return undefined;
  const other = left ? e.right : e.left;
  const isNull = unwrap(other, ["parens"]).kind === ts.SyntaxKind.NullKeyword;
  if (isUndefinedLiteral(ctx, other) || isNull) {
    // a parameter of a number or boolean type is never null: `p === null` is false
    const missing = isNull && strict ? bool(false) : not(ref(side.opt.given));
    return equal ? missing : missing.k === "bool" ? bool(!missing.value) : ref(side.opt.given);
  }
  if (isObject(side.opt))
    fail(
      TSG.unsupportedType,
      e,
      `\`${side.opt.name}\` is an optional object: it can be compared only with undefined or null`,
      `compare its fields (\`${side.opt.name}?.k === 1\`), or test whether it is given: \`${side.opt.name} !== undefined\``,
    );
  if (left && right && (open(ctx, left.id) || open(ctx, right.id)))
    fail(
      TSG.unsupportedType,
      e,
      "comparing two optional parameters that may be undefined is not supported",
      "test each for undefined first, or choose values for them (`a ?? 0`)",
    );
  if (!open(ctx, side.id)) return undefined;
  // `p === 2` while p may be undefined: given, and equal when given (loose `==` alike, as
  // undefined == x only for null and undefined)
  const value = ctx.expression(other, "cond");
  return equal
    ? op("and", ref(side.opt.given), op("eq", ref(side.opt.value), value))
    : op("or", not(ref(side.opt.given)), op("ne", ref(side.opt.value), value));
}

/** `typeof p === "number"` and the like on an optional parameter; undefined for other operands. */
export function optionalTypeof(ctx: LowerContext, operand: ts.Expression, text: string, equal: boolean): Expr | undefined {
  const named = optionalNamed(ctx, operand);
  if (!named) return undefined;
  const kind = named.opt.raw.type.kind;
  const given = kind === "num" ? "number" : kind === "bool" ? "boolean" : "object";
  const test = text === "undefined" ? not(ref(named.opt.given)) : text === given ? ref(named.opt.given) : bool(false);
  return equal ? test : test.k === "bool" ? bool(!test.value) : not(test);
}

/**
 * `p ?? e` while p's type is open: the value when given, else `e`, evaluated only then (an if
 * statement, so that a NaN of the side not taken cannot leak into the adjoint), or a select when
 * `e` is a constant or a variable. Undefined when `left` is not such a parameter.
 */
export function optionalOrDefault(ctx: LowerContext, left: ts.Expression, right: ts.Expression): Expr | undefined {
  const named = optionalNamed(ctx, left);
  if (!named || !open(ctx, named.id)) return undefined;
  if (isObject(named.opt))
    fail(
      TSG.unsupportedType,
      left,
      `\`${named.opt.name} ?? ...\`: an optional object has no default value in tsgrad`,
      `choose a default for each field you read: \`${named.opt.name}?.k ?? 1\``,
    );
  const { given, raw, assigned } = named.opt;
  // the parameter itself while the body never assigns it (`delta_given ? delta : 1`, which
  // TypeScript narrows too), else its value part
  const value = assigned ? named.opt.value : raw;
  const origin = ctx.origin;
  let fallback: Expr | undefined;
  const statements = collect(ctx, () => {
    fallback = ctx.expression(right, "value");
  });
  const fb = fallback!;
  const type = value.type;
  if (statements.length === 0 && (fb.k === "num" || fb.k === "bool" || fb.k === "var")) return op("select", ref(given), ref(value), fb);
  const t = newVar(named.opt.name, type, "temp");
  emit(ctx, decl(t, type.kind === "bool" ? bool(false) : num(0), origin));
  const els = collect(ctx, () => {
    emit(ctx, ...statements);
    emit(ctx, assign(t, fb, origin));
  });
  emit(ctx, { k: "if", cond: ref(given), then: [assign(t, ref(value), origin)], else: els, origin });
  return ref(t);
}

/** The optional parameter an assignment target names, if it names one. */
export function optionalTarget(ctx: LowerContext, target: ts.Expression): OptionalParameter | undefined {
  const named = optionalNamed(ctx, target);
  // one an enclosing function's (a closure's capture) is not this function's to write (assignments.ts says so)
  if (!named || !ts.isIdentifier(named.id)) return undefined; // a field is never written (assignments.ts says so)
  return !ctx.captured.has(referencedSymbol(ctx, named.id)!) ? named.opt : undefined;
}

/** `p = e` (and `p += e`, `p++`): the value, and from here on given; `p = undefined`: not given. */
export function assignOptional(ctx: LowerContext, opt: OptionalParameter, value: (old: Expr) => Expr, right?: ts.Expression): void {
  if (right && isUndefinedLiteral(ctx, right)) {
    emit(ctx, assign(opt.given, bool(false), ctx.origin));
    return;
  }
  emit(ctx, assign(opt.value, value(ref(opt.value)), ctx.origin), assign(opt.given, bool(true), ctx.origin));
}

/** `p ??= e`, `p ||= e`, `p &&= e`. */
export function logicalAssignOptional(ctx: LowerContext, opt: OptionalParameter, kind: ts.SyntaxKind, right: ts.Expression): void {
  const truthy = op("and", ref(opt.given), ref(opt.value));
  const cond =
    kind === ts.SyntaxKind.QuestionQuestionEqualsToken
      ? not(ref(opt.given))
      : kind === ts.SyntaxKind.BarBarEqualsToken
        ? not(truthy)
        : truthy;
  const origin = ctx.origin;
  const then = collect(ctx, () => assignOptional(ctx, opt, () => ctx.expression(right, "value"), right));
  emit(ctx, { k: "if", cond, then, else: [], origin });
}
