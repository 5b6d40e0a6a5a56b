/**
 * From a marker call to a request of the pipeline: which function, which derivative, with
 * respect to which parameters. Options are read at compile time (`{ wrt: ["w", "b"] }` must be
 * literal), and the target must be a function tsgrad can see, or another marker's result
 * (`grad(grad(g))`, `jvp(grad(f))`), which the pipeline generates first.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import type { IRFunction, IRType } from "../ir/types.js";
import { declarationWithBody, functionOfDeclaration, isFunctionLike, resolveAlias, type FunctionLike } from "../syntax/declarations.js";
import { derivedKey, type DerivedKind } from "../ir/keys.js";
import { unwrap, type Wrapper } from "../syntax/unwrap.js";
import { markerOfCall, ruleKindOf, type MarkerCall, type MarkerKind } from "./markers.js";
import { auxPair, auxType } from "../ir/aux.js";

/** What a marker's argument and options are read through: `(f)`, `f as F`, `[...] satisfies W`. */
const VALUE_WRAPPERS: readonly Wrapper[] = ["parens", "as", "satisfies"];

export interface Request {
  readonly marker: MarkerCall;
  /** Key of the function differentiated: a source function, or a generated one. */
  readonly key: string;
  readonly derived: DerivedKind;
  /** Which parameters are differentiated, by position. */
  readonly mask: boolean[];
}

/**
 * What resolving needs from the pipeline: the checker, a key for each function it names, IR by
 * key, and generation of nested markers.
 */
export interface RequestContext {
  readonly checker: ts.TypeChecker;
  functionKey(decl: FunctionLike): string;
  /** The key of the function `(...args) => f(...args)` for `const f = customVjp(...)` and its kin. */
  ruleBindingKey(decl: ts.VariableDeclaration): string;
  sourceOf(key: string): IRFunction;
  derive(kind: DerivedKind, mask: readonly boolean[], key: string): string;
}

export function resolveRequest(ctx: RequestContext, marker: MarkerCall): Request {
  const { call, kind } = marker;
  const arg = call.arguments[0];
  if (!arg) fail(TSG.unsupportedTarget, call, `${kind}() needs the function to differentiate`, `write ${kind}(f)`);
  const options = kind === "checkGrad" ? {} : readOptions(ctx.checker, call.arguments[1], allowedOptions(kind));
  const askedAux = readHasAux(options.hasAux);
  // before lowering, which would refuse an array of mixed elements for its type, not its shape
  if (askedAux) refuseUntypedPair(ctx.checker, arg, kind);
  const target = targetKey(ctx, arg);
  const fn = ctx.sourceOf(target.key);
  // checkGrad has no options (the function's arguments follow it): a function that returns a
  // pair [loss, aux] is checked on its loss, as grad(f, { hasAux: true }) differentiates it
  const hasAux = askedAux || (kind === "checkGrad" && !target.derived && auxType(fn.returnType) !== undefined);
  // what a closure captures leads its parameters, and is data (lower/captures.ts): `wrt` names
  // and counts the parameters the user wrote
  const own = fn.params.filter((p) => !p.captured);
  const captured = fn.params.length - own.length;
  const names = own.map((p) => p.root.name);
  const differentiable = own.map((p) => p.differentiable);
  // an optional parameter (`clip?: number`) is data at the marker: it may be left out (lower/optional.ts).
  // A defaulted one (`delta = 1`) too, unless `wrt` names it: a hyperparameter the caller may not
  // even pass, and one TypeScript cannot tell from an optional one (`Parameters<F>` says
  // `delta?: number` for both), so that the gradient's type and value agree
  const optional = own.map((p) => p.root.optional === true);
  const byDefault = differentiable.map((d, i) => d && !optional[i] && own[i]!.root.defaultValue === undefined);
  const mask = [
    ...Array<boolean>(captured).fill(false),
    ...(options.wrt ? wrtMask(options.wrt, names, differentiable, optional) : byDefault),
  ];
  if (!mask.some(Boolean))
    fail(
      TSG.unsupportedTarget,
      arg,
      "this function has no parameter to differentiate (number, number[], Float64Array, or a tuple/object of those)",
      "give it a numeric parameter",
    );
  // with hasAux, grad, valueAndGrad, jvp and vjp have derivatives of their own that return the
  // aux; hvp, hessian and jacobian are checked on the output, and wrapped at the end
  if (hasAux && !WRAPPED_AUX.has(kind)) return auxRequest(marker, target, mask, fn.returnType, arg);
  const returns = hasAux ? auxOutput(kind, target, fn.returnType, arg) : fn.returnType;
  const scalarOut = returns.kind === "num";
  const flatOut = (returns.kind === "array" && returns.elem.kind === "num") || returns.kind === "tensor";
  const nested = (what: string): never =>
    fail(
      TSG.nestedMarker,
      arg,
      `${kind} of ${what} is not supported yet`,
      "use hvp(f) for Hessian-vector products, jvp(grad(f)) for directional second derivatives",
    );

  if ((kind === "grad" || kind === "valueAndGrad" || kind === "checkGrad" || kind === "hvp" || kind === "hessian") && !scalarOut)
    fail(
      TSG.unsupportedOutput,
      arg,
      `${kind} needs a function that returns a number${target.derived ? " (the derivative of a function of several parameters is a tuple: use jvp or hvp)" : ""}`,
      "use vjp or jvp for functions returning arrays, or reduce the output to a number",
    );
  if ((kind === "jvp" || kind === "vjp") && !(scalarOut || flatOut || target.derived))
    fail(
      TSG.unsupportedOutput,
      arg,
      `${kind} needs a function that returns a number, number[], Float64Array or Tensor`,
      "return a number, a flat array or a tensor",
    );

  let derived: DerivedKind;
  switch (kind) {
    case "grad":
    case "valueAndGrad":
      if (target.derived) {
        // the derivative of a function of one number: forward mode along 1
        const only = mask.filter(Boolean).length === 1 && fn.params[mask.indexOf(true)]!.root.type.kind === "num";
        if (!only) nested("a derivative with respect to several numbers or an array");
        derived = kind === "grad" ? "derivative" : "valueAndDerivative";
      } else derived = kind;
      break;
    case "jvp":
      derived = "jvp";
      break;
    case "vjp":
      if (target.derived) nested("a derivative");
      derived = "vjpPublic";
      break;
    case "checkGrad":
      if (target.derived) nested("a derivative");
      derived = "grad";
      break;
    case "hvp":
      if (target.derived) nested("a derivative");
      derived = "hvp";
      break;
    case "jacobian": {
      if (target.derived) nested("a derivative");
      const chosen = fn.params.filter((_, i) => mask[i]);
      const t = chosen[0]?.root.type;
      const arrays = t?.kind === "array" && t.elem.kind === "num" && flatOut;
      const tensors = t?.kind === "tensor" && returns.kind === "tensor";
      if (chosen.length !== 1 || !(arrays || tensors))
        fail(
          TSG.unsupportedTarget,
          arg,
          "jacobian needs one differentiated parameter, an array (number[] or Float64Array) with an array result, or a tensor with a tensor result",
          "put the inputs in one array or tensor, and name it with wrt when the function has others; use jvp or vjp for other shapes",
        );
      const mode = jacobianMode(options.mode);
      derived = mode === "forward" ? "jacobianForward" : mode === "reverse" ? "jacobianReverse" : "jacobian";
      break;
    }
    case "hessian": {
      if (target.derived) nested("a derivative");
      const chosen = fn.params.filter((_, i) => mask[i]);
      const t = chosen[0]?.root.type;
      if (chosen.length !== 1 || !t || !(t.kind === "num" || t.kind === "tensor" || (t.kind === "array" && t.elem.kind === "num")))
        fail(
          TSG.unsupportedTarget,
          arg,
          "hessian needs exactly one differentiated parameter: a number, number[], Float64Array or Tensor",
          "put the variables in one array, or choose one with wrt; hvp works with several",
        );
      derived = "hessian";
      break;
    }
  }
  if (hasAux) return { marker, key: ctx.derive(derived, mask, derivedKey("withoutAux", [], target.key)), derived: "withAux", mask };
  return { marker, key: target.key, derived, mask };
}

/** Markers whose hasAux form is their derivative of the output alone, beside the aux of a plain call. */
const WRAPPED_AUX: ReadonlySet<MarkerKind> = new Set<MarkerKind>(["hvp", "hessian", "jacobian"]);

/** hasAux on a marker of a derivative: a derivative returns no `[first, aux]` pair to split. */
function refuseAuxOfDerivative(kind: MarkerKind, target: { derived: boolean }, first: "loss" | "output", arg: ts.Expression): void {
  if (!target.derived) return;
  fail(
    TSG.nestedMarker,
    arg,
    `${kind}(..., { hasAux: true }) of a derivative is not supported: a derivative returns no [${first}, aux] pair`,
    `differentiate a function that returns [${first}, aux]`,
  );
}

/** hvp, hessian, jacobian with hasAux: the type of the output, the first of the pair `[output, aux]`. */
function auxOutput(kind: MarkerKind, target: { derived: boolean }, returns: IRType, arg: ts.Expression): IRType {
  refuseAuxOfDerivative(kind, target, "output", arg);
  const pair = auxPair(returns);
  const number = kind !== "jacobian";
  if (!pair || (number && pair.output.kind !== "num"))
    fail(
      TSG.unsupportedOutput,
      arg,
      number
        ? `with hasAux, ${kind} needs a function that returns a pair [loss, aux] whose first element is a number`
        : "with hasAux, jacobian needs a function that returns a pair [output, aux] (the output an array or a tensor)",
      returns.kind === "num" || returns.kind === "array" || returns.kind === "tensor"
        ? "return [output, aux], or leave out hasAux"
        : PAIR_HINT,
    );
  return pair.output;
}

/** The key of what a marker differentiates: a function, or the result of an inner marker. */
function targetKey(ctx: RequestContext, arg: ts.Expression): { key: string; derived: boolean } {
  let e = unwrap(arg, VALUE_WRAPPERS);
  // `const dcost = grad(cost); jvp(dcost)`: the marker the const holds
  const bound = ts.isIdentifier(e) ? boundMarkerCall(ctx.checker, e) : undefined;
  if (bound) e = bound;
  if (ts.isCallExpression(e)) {
    const inner = markerOfCall(ctx.checker, e);
    if (inner === "grad") {
      const request = resolveRequest(ctx, { call: e, kind: inner });
      return { key: ctx.derive(request.derived, request.mask, request.key), derived: true };
    }
    if (inner)
      fail(
        TSG.nestedMarker,
        arg,
        `a derivative of ${inner}(...) is not supported yet`,
        "differentiate grad(f): jvp(grad(f)), grad(grad(g)) for g of one number, or use hvp(f)",
      );
  }
  const binding = ruleBinding(ctx.checker, e);
  if (binding) return { key: ctx.ruleBindingKey(binding), derived: false };
  return { key: ctx.functionKey(targetFunction(ctx.checker, e, arg)), derived: false };
}

/** `lse` bound at module level to `customVjp(...)`, `customJvp(...)` or `nonDifferentiable(...)`. */
function ruleBinding(checker: ts.TypeChecker, e: ts.Expression): ts.VariableDeclaration | undefined {
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  const sym = checker.getSymbolAtLocation(ts.isIdentifier(e) ? e : e.name);
  const d = sym && resolveAlias(checker, sym).valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
  const init = unwrap(d.initializer, VALUE_WRAPPERS);
  if (!ts.isCallExpression(init) || !ts.isIdentifier(init.expression)) return undefined;
  const helper = checker.getSymbolAtLocation(init.expression);
  const kind = helper && ruleKindOf(resolveAlias(checker, helper));
  return kind && kind !== "stopGradient" ? d : undefined;
}

/** The marker call a `const` binds (`const dcost = grad(cost)`), for a name that refers to one. */
function boundMarkerCall(checker: ts.TypeChecker, id: ts.Identifier): ts.CallExpression | undefined {
  const sym = checker.getSymbolAtLocation(id);
  const d = sym && resolveAlias(checker, sym).valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !(d.parent.flags & ts.NodeFlags.Const)) return undefined;
  const init = unwrap(d.initializer, VALUE_WRAPPERS);
  return ts.isCallExpression(init) && markerOfCall(checker, init) ? init : undefined;
}

function targetFunction(checker: ts.TypeChecker, e: ts.Expression, arg: ts.Expression): FunctionLike {
  if (isFunctionLike(e)) return e;
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const sym = checker.getSymbolAtLocation(ts.isIdentifier(e) ? e : e.name);
    const target = sym && resolveAlias(checker, sym);
    const decl = target && declarationWithBody(target);
    const fn = decl && functionOfDeclaration(decl);
    if (fn && fn.body && !fn.getSourceFile().isDeclarationFile) return fn;
    if (decl?.getSourceFile().isDeclarationFile)
      fail(
        TSG.opaqueCall,
        arg,
        "this function's body is not visible (it is declared in a .d.ts file)",
        "differentiate a function written in TypeScript in this program",
      );
  }
  fail(
    TSG.unsupportedTarget,
    arg,
    "the argument must name a function declared in this program, or be an arrow function",
    "pass a function declaration's name or an arrow function",
  );
}

type OptionName = "wrt" | "mode" | "hasAux";

/** The options a marker takes: `hasAux` where JAX has it (and hvp), `mode` for jacobian. */
function allowedOptions(kind: MarkerKind): OptionName[] {
  if (kind === "jacobian") return ["wrt", "mode", "hasAux"];
  if (kind === "checkGrad") return ["wrt"];
  return ["wrt", "hasAux"];
  return ["wrt"];
}

/** `hasAux: true` or `hasAux: false`, literal (the result's shape depends on it). */
function readHasAux(prop: ts.PropertyAssignment | undefined): boolean {
  if (!prop) return false;
  const v = unwrap(prop.initializer, VALUE_WRAPPERS);
  if (v.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (v.kind === ts.SyntaxKind.FalseKeyword) return false;
  fail(TSG.badOptions, prop.initializer, "hasAux must be the literal true or false", "write { hasAux: true }");
}

const PAIR_HINT = "return [loss, aux] with the return type annotated as [number, A] (or write `return [loss, aux] as const`)";

/**
 * With hasAux, a function whose result TypeScript types as an array rather than a tuple: an
 * unannotated `return [loss, aux]` is `(number | A)[]`.
 */
function refuseUntypedPair(checker: ts.TypeChecker, arg: ts.Expression, kind: MarkerKind): void {
  const signature = checker.getTypeAtLocation(arg).getCallSignatures()[0];
  const result = signature && checker.getReturnTypeOfSignature(signature);
  if (result && checker.isArrayType(result))
    fail(
      TSG.unsupportedOutput,
      arg,
      `with hasAux, ${kind} needs a function that returns a pair ${kind === "jacobian" ? "[output, aux]" : "[loss, aux]"}, and this one's result is typed as an array (${checker.typeToString(result)})`,
      kind === "jacobian"
        ? "return [output, aux] with the return type annotated as [number[], A] (or write `return [output, aux] as const`)"
        : PAIR_HINT,
    );
}

/**
 * `grad(f, { hasAux: true })`, `valueAndGrad`, `jvp` and `vjp` likewise: f returns [loss, aux]; the
 * derivative is the loss's, and the aux comes back beside it (passes/aux.ts).
 */
function auxRequest(
  marker: MarkerCall,
  target: { key: string; derived: boolean },
  mask: boolean[],
  returns: IRType,
  arg: ts.Expression,
): Request {
  const { kind } = marker;
  refuseAuxOfDerivative(kind, target, "loss", arg);
  if (!auxType(returns))
    fail(
      TSG.unsupportedOutput,
      arg,
      `with hasAux, ${kind} needs a function that returns a pair [loss, aux] whose first element is a number`,
      returns.kind === "num" ? `return [loss, aux], or leave out hasAux` : PAIR_HINT,
    );
  const derived: DerivedKind =
    kind === "grad" || kind === "checkGrad"
      ? "gradAux"
      : kind === "valueAndGrad"
        ? "valueAndGradAux"
        : kind === "jvp"
          ? "jvpAux"
          : "vjpAux";
  return { marker, key: target.key, derived, mask };
}

/**
 * A marker's options, an object literal read at compile time: the properties it may have. The
 * literal is written in the call, or is the initializer of a `const` of the same file that the
 * call names (`const opts = { wrt: [0] } as const; grad(f, opts)`).
 */
function readOptions(
  checker: ts.TypeChecker,
  options: ts.Expression | undefined,
  allowed: readonly OptionName[],
): { wrt?: ts.PropertyAssignment; mode?: ts.PropertyAssignment; hasAux?: ts.PropertyAssignment } {
  if (!options) return {};
  const literal = optionsLiteral(checker, options, allowed);
  const found: { wrt?: ts.PropertyAssignment; mode?: ts.PropertyAssignment; hasAux?: ts.PropertyAssignment } = {};
  for (const prop of literal.properties) {
    if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name))
      fail(TSG.badOptions, prop, "options must be plain `key: value` properties", 'write { wrt: ["w", "b"] }');
    const name = prop.name.text;
    if (!(allowed as readonly string[]).includes(name))
      fail(
        TSG.badOptions,
        prop,
        `unknown option \`${name}\``,
        `the supported option${allowed.length > 1 ? "s are" : " is"} ${allowed.join(" and ")}`,
      );
    found[name as OptionName] = prop;
  }
  return found;
}

/**
 * The object literal of a marker's options: written in the call, or the initializer of the
 * `const` the call names, in the same file (the checker's symbol, through `as const` and
 * parentheses). What cannot be known at build time is refused with what to write: a `let` or
 * `var` (it may hold other options when the call runs), a parameter, a `const` computed by an
 * expression, or one imported from another file.
 */
function optionsLiteral(checker: ts.TypeChecker, options: ts.Expression, allowed: readonly OptionName[]): ts.ObjectLiteralExpression {
  const example = `{ ${allowed.map((a) => (a === "wrt" ? 'wrt: ["w"]' : a === "mode" ? 'mode: "forward"' : "hasAux: true")).join(", ")} }`;
  const e = unwrap(options, VALUE_WRAPPERS);
  if (ts.isObjectLiteralExpression(e)) return e;
  const why = ts.isIdentifier(e) ? constantOptions(checker, e) : "it is an expression computed when the program runs";
  if (typeof why !== "string") return why;
  fail(
    TSG.badOptions,
    options,
    `options must be known at build time: an object literal written in the call, or a \`const\` of this file initialized with one; ${why}`,
    `write the options in the call (${example}), or declare \`const opts = ${example} as const\` in this file`,
  );
}

/** The object literal a `const` of the marker's file holds, or why the name does not give one. */
function constantOptions(checker: ts.TypeChecker, id: ts.Identifier): ts.ObjectLiteralExpression | string {
  const sym = checker.getSymbolAtLocation(id);
  const d = sym && resolveAlias(checker, sym).valueDeclaration;
  const name = `\`${id.text}\``;
  if (!d) return `${name} is not a declared value`;
  if (ts.isParameter(d)) return `${name} is a parameter, which each call may give other options`;
  if (!ts.isVariableDeclaration(d) || !ts.isVariableDeclarationList(d.parent)) return `${name} is not a variable holding an object literal`;
  if (d.getSourceFile() !== id.getSourceFile()) return `${name} is declared in another file`;
  if (!(d.parent.flags & ts.NodeFlags.Const))
    return `${name} is declared with \`${d.parent.flags & ts.NodeFlags.Let ? "let" : "var"}\`, and may hold other options when the call runs`;
  const init = d.initializer && unwrap(d.initializer, VALUE_WRAPPERS);
  if (!init || !ts.isObjectLiteralExpression(init)) return `${name} is a \`const\` whose value is computed, not an object literal`;
  return init;
}

/** `mode: "forward" | "reverse"`, or nothing (chosen at run time by the sizes). */
function jacobianMode(prop: ts.PropertyAssignment | undefined): "forward" | "reverse" | undefined {
  if (!prop) return undefined;
  const v = unwrap(prop.initializer, VALUE_WRAPPERS);
  if (!ts.isStringLiteral(v) || (v.text !== "forward" && v.text !== "reverse"))
    fail(TSG.badOptions, v, 'mode must be the literal "forward" or "reverse"', 'write { mode: "forward" } or { mode: "reverse" }');
  return v.text;
}

function wrtMask(
  prop: ts.PropertyAssignment,
  names: readonly string[],
  differentiable: readonly boolean[],
  optional: readonly boolean[],
): boolean[] {
  const init = unwrap(prop.initializer, VALUE_WRAPPERS);
  if (!ts.isArrayLiteralExpression(init))
    fail(TSG.badOptions, prop.initializer, "wrt must be an array literal of parameter names", 'write wrt: ["w", "b"]');
  const mask = names.map(() => false);
  for (const el of init.elements) {
    let i: number;
    if (ts.isNumericLiteral(el)) {
      i = Number(el.text);
      if (!Number.isInteger(i) || i < 0 || i >= names.length)
        fail(
          TSG.badOptions,
          el,
          `${el.text} is not a parameter position of this function (it has ${names.length})`,
          `use a position from 0 to ${names.length - 1}`,
        );
    } else if (ts.isStringLiteral(el) || ts.isNoSubstitutionTemplateLiteral(el)) {
      i = names.indexOf(el.text);
      if (i < 0)
        fail(
          TSG.badOptions,
          el,
          `\`${el.text}\` is not a parameter of this function (it has ${names.join(", ")})`,
          "name one of its parameters",
        );
    } else
      fail(
        TSG.badOptions,
        el,
        "wrt entries must be parameter names or positions written as literals (known at compile time)",
        'write wrt: ["w"] or wrt: [0]',
      );
    if (!differentiable[i])
      fail(TSG.badOptions, el, `parameter \`${names[i]}\` cannot carry a derivative`, "choose a number, array, or tuple/object parameter");
    if (optional[i])
      fail(
        TSG.badOptions,
        el,
        `parameter \`${names[i]}\` is optional: a derivative with respect to a value that may be left out has no place in the gradient`,
        `make it required (\`${names[i]}: number\`) or give it a default value (\`${names[i]} = 1\`)`,
      );
    if (mask[i]) fail(TSG.badOptions, el, `parameter \`${names[i]}\` is listed twice`, "list each parameter once");
    if (mask.slice(i + 1).some(Boolean))
      fail(
        TSG.badOptions,
        el,
        "wrt must list parameters in the order the function declares them (gradients come in that order)",
        `move \`${names[i]}\` before the parameters declared after it`,
      );
    mask[i] = true;
  }
  return mask;
}
