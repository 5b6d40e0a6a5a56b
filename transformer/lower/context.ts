/**
 * The state of one function's lowering. Every module of lowering is a set of functions of
 * (context, node); whatever they must share (variables by symbol, the statements being collected,
 * the source position they point back to) lives in this object, in plain sight.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { add, assign, decl, newVar, num, op, ref, typeOfValue } from "../ir/build.js";
import type { Expr, IRType, Origin, Stmt, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import type { MarkerCall } from "../discover/markers.js";
import type { LowerHost } from "./host.js";
import type { FunctionLike } from "../syntax/declarations.js";
import { irTypeOf, irTypeOrUndefined } from "./types.js";

/** Value context: the result may carry a derivative. Condition context: only its value matters. */
export type Mode = "value" | "cond";

/**
 * A tuple or object value. Records are immutable here (fields cannot be written, names bound to
 * them cannot be reassigned), so a name bound to one is an alias, never a copy: a path into a
 * structured parameter, or an IR value (a variable holding a call's result, or a field of one).
 */
export type RecordValue =
  | { readonly from: "param"; readonly sym: ts.Symbol; readonly keys: readonly (string | number)[] }
  | { readonly from: "ir"; readonly expr: Expr };

/** An optional parameter's two parts, and the parameter itself (optional.ts). */
export interface OptionalParameter {
  readonly name: string;
  /** The parameter: a number (or boolean), or undefined. */
  readonly raw: Var;
  readonly given: Var;
  readonly value: Var;
  /** Whether the body assigns it (`delta ??= 1`): then `raw` no longer says what it is. */
  readonly assigned: boolean;
}

export interface LowerContext {
  readonly host: LowerHost;
  readonly checker: ts.TypeChecker;
  /** The function being lowered. */
  readonly fn: FunctionLike;
  readonly sourceFile: ts.SourceFile;
  /** Parameters and locals by symbol. */
  readonly vars: Map<ts.Symbol, Var>;
  /** Variables of enclosing functions it reads (leading parameters, see captures.ts): read-only. */
  readonly captured: Set<ts.Symbol>;
  /** Module-level bindings the function reads, one global variable each. */
  readonly globals: Map<ts.Symbol, Var>;
  /** Leaves of structured parameters by parameter symbol and property path. */
  readonly leaves: Map<ts.Symbol, Map<string, Var>>;
  /** `let` tuples and objects given new values: their leaves (in `leaves`) are locals (mutable-records.ts). */
  readonly mutableRecords: Set<ts.Symbol>;
  /** Names bound to tuples and objects (aliases, see RecordValue). */
  readonly records: Map<ts.Symbol, RecordValue>;
  /** `const dh = grad(h)` in the body: the marker call each such name stands for. */
  readonly markerBindings: Map<ts.Symbol, MarkerCall>;
  /** Optional parameters (`p?: number`) by symbol: read only through their parts (optional.ts). */
  readonly optionals: Map<ts.Symbol, OptionalParameter>;
  /** Optional fields of structured parameters (`o.scale` of `scale?: number`), by leaf: read alike. */
  readonly optionalLeaves: Map<Var, OptionalParameter>;
  /** Optional objects inside structured parameters (`o.noise` of `noise?: {...}`), by parameter and path: only their presence is read. */
  readonly optionalParts: Map<ts.Symbol, Map<string, OptionalParameter>>;
  /** The statements of the block being lowered; `collect` gives each nested block its own list. */
  statements: Stmt[];
  /** The source statement being lowered: every statement it produces points back to it. */
  origin: Origin | undefined;
  /**
   * Lowers a sub-expression (expressions.ts) or a nested block (statements.ts). Modules reach the
   * two dispatchers through the context rather than by importing them, so the recursion of the
   * language does not become import cycles between the modules that lower it.
   */
  readonly expression: (e: ts.Expression, mode: Mode) => Expr;
  readonly block: (stmts: readonly ts.Statement[]) => Stmt[];
}

/** The two dispatchers a context recurses into (see LowerContext.expression). */
export interface Dispatchers {
  readonly expression: (ctx: LowerContext, e: ts.Expression, mode: Mode) => Expr;
  readonly block: (ctx: LowerContext, stmts: readonly ts.Statement[]) => Stmt[];
}

/** Each context's dispatchers, for the contexts made from it (inlinedContext). */
const dispatchersOf = new WeakMap<LowerContext, Dispatchers>();

export function createContext(host: LowerHost, fn: FunctionLike, dispatch: Dispatchers): LowerContext {
  const ctx: LowerContext = {
    host,
    checker: host.checker,
    fn,
    sourceFile: fn.getSourceFile(),
    vars: new Map(),
    captured: new Set(),
    globals: new Map(),
    leaves: new Map(),
    mutableRecords: new Set(),
    records: new Map(),
    markerBindings: new Map(),
    optionals: new Map(),
    optionalLeaves: new Map(),
    optionalParts: new Map(),
    statements: [],
    origin: undefined,
    expression: (e, mode) => dispatch.expression(ctx, e, mode),
    block: (stmts) => dispatch.block(ctx, stmts),
  };
  dispatchersOf.set(ctx, dispatch);
  return ctx;
}

/**
 * A context that lowers `fn`'s body into the function `ctx` is lowering (a helper inlined at its
 * call, calls/inline.ts): variables, globals and bindings are `ctx`'s own maps, shared, while
 * positions and "declared in this function" checks are `fn`'s.
 */
export function inlinedContext(ctx: LowerContext, fn: FunctionLike): LowerContext {
  const dispatch = dispatchersOf.get(ctx)!;
  const inner: LowerContext = {
    ...ctx,
    fn,
    sourceFile: fn.getSourceFile(),
    statements: [],
    expression: (e, mode) => dispatch.expression(inner, e, mode),
    block: (stmts) => dispatch.block(inner, stmts),
  };
  dispatchersOf.set(inner, dispatch);
  return inner;
}

/** Appends a statement to the block being lowered. */
export function emit(ctx: LowerContext, ...stmts: Stmt[]): void {
  ctx.statements.push(...stmts);
}

/** Runs `f` with a fresh statement list and returns what it produced; the origin is restored. */
export function collect(ctx: LowerContext, f: () => void): Stmt[] {
  const saved = ctx.statements;
  const savedOrigin = ctx.origin;
  ctx.statements = [];
  try {
    f();
    return ctx.statements;
  } finally {
    ctx.statements = saved;
    ctx.origin = savedOrigin;
  }
}

/** A loop's or an if's body: a block's statements, or a single statement as a block of one. */
export function blockOf(ctx: LowerContext, s: ts.Statement): Stmt[] {
  return ts.isBlock(s) ? ctx.block(s.statements) : ctx.block([s]);
}

/** The IR type of a node, refusing types tsgrad cannot carry. */
export function typeOfNode(ctx: LowerContext, n: ts.Node): IRType {
  return irTypeOf(ctx.checker, ctx.checker.getTypeAtLocation(n), n);
}

/** The IR type of a node, or undefined where there is none (no refusal: the caller decides). */
export function irTypeAt(ctx: LowerContext, n: ts.Node): IRType | undefined {
  return irTypeOrUndefined(ctx.checker, ctx.checker.getTypeAtLocation(n));
}

/** What a name refers to; the `s` of a shorthand `{ s }` names the variable, not the property. */
export function referencedSymbol(ctx: LowerContext, id: ts.Identifier): ts.Symbol | undefined {
  const parent = id.parent;
  if (parent && ts.isShorthandPropertyAssignment(parent) && parent.name === id)
    return ctx.checker.getShorthandAssignmentValueSymbol(parent);
  return ctx.checker.getSymbolAtLocation(id);
}

export function symbolOf(ctx: LowerContext, id: ts.Identifier): ts.Symbol {
  const s = referencedSymbol(ctx, id);
  if (!s) fail(TSG.unsupportedSyntax, id, `cannot resolve \`${id.text}\``, "check that it is declared");
  return s;
}

/** Where a node is, and its first line of text, for comments in generated code and source maps. */
export function originOf(ctx: LowerContext, n: ts.Node): Origin {
  const sf = ctx.sourceFile;
  const start = n.getStart(sf);
  const lc = sf.getLineAndCharacterOfPosition(start);
  let text = n.getText(sf).split("\n")[0]!.replace(/\s+/g, " ").trim();
  if (ts.isFunctionLike(n)) text = text.replace(/\{$/, "").trim();
  if (text.length > 72) text = text.slice(0, 69) + "...";
  return { file: sf.fileName, line: lc.line + 1, col: lc.character + 1, pos: start, end: n.getEnd(), text };
}

/** A value evaluated once, held in a new local (an array a spread or a method reads repeatedly). */
export function evaluatedOnce(ctx: LowerContext, name: string, value: Expr): Expr {
  if (value.k === "var") return value;
  const v = newVar(name, typeOfValue(value), "local", { owned: false });
  emit(ctx, decl(v, value, ctx.origin));
  return ref(v);
}

/**
 * `for (let i = 0; i < length; i++) body(i)`: the loop a spread or an array method stands for,
 * pointing back at the statement being lowered.
 */
export function countedLoop(ctx: LowerContext, length: Expr, body: (i: Var) => Stmt[]): void {
  const origin = ctx.origin;
  const i = newVar("i", NUM, "local");
  const stmts = body(i);
  emit(ctx, decl(i, num(0), origin), {
    k: "loop",
    test: op("lt", ref(i), length),
    testAtEnd: false,
    body: stmts,
    update: [assign(i, add(ref(i), num(1)), origin)],
    ...(origin ? { origin } : {}),
  });
}
