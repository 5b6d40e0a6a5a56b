/**
 * From a marker call to a request of the pipeline: which function, which derivative, with
 * respect to which parameters. Options are read at compile time (`{ wrt: ["w", "b"] }` must be
 * literal), and the target must be a function tsgrad can see.
 */
import ts from "typescript";
import { fail, TSG } from "../diagnostics.js";
import { functionOfDeclaration, isFunctionLike, resolveAlias, type FunctionLike } from "../lower/host.js";
import type { DerivedKind } from "../pipeline.js";
import type { ProgramTable } from "../table.js";
import type { MarkerCall } from "./markers.js";

export interface Request {
  readonly marker: MarkerCall;
  readonly target: FunctionLike;
  readonly key: string;
  readonly derived: DerivedKind;
  /** Which parameters are differentiated, by position. */
  readonly mask: boolean[];
}

const DERIVED: Record<MarkerCall["kind"], DerivedKind> = {
  grad: "grad",
  valueAndGrad: "valueAndGrad",
  jvp: "jvp",
  vjp: "vjpPublic",
  checkGrad: "grad",
};

export function resolveRequest(table: ProgramTable, marker: MarkerCall): Request {
  const { call, kind } = marker;
  const arg = call.arguments[0];
  if (!arg)
    fail(TSG.unsupportedTarget, call, `${kind}() needs the function to differentiate`, `write ${kind}(f)`);
  const target = targetFunction(table.checker, arg);
  const key = table.functionKey(target);
  const fn = table.source(key);
  const names = target.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ""));
  let mask = fn.params.map((p) => p.differentiable);
  const options = kind === "checkGrad" ? undefined : call.arguments[1];
  if (options) mask = wrtMask(options, names, fn.params.map((p) => p.differentiable));
  if (!mask.some(Boolean))
    fail(TSG.unsupportedTarget, arg, "this function has no parameter to differentiate (number, number[], Float64Array, or a tuple/object of those)", "give it a numeric parameter");
  const returns = fn.returnType;
  if ((kind === "grad" || kind === "valueAndGrad" || kind === "checkGrad") && returns.kind !== "num")
    fail(TSG.unsupportedOutput, arg, `${kind} needs a function that returns a number`, "use vjp for functions returning arrays, or reduce the output to a number");
  if ((kind === "jvp" || kind === "vjp") && !(returns.kind === "num" || (returns.kind === "array" && returns.elem.kind === "num")))
    fail(TSG.unsupportedOutput, arg, `${kind} needs a function that returns a number, number[] or Float64Array`, "return a number or a flat array");
  return { marker, target, key, derived: DERIVED[kind], mask };
}

function targetFunction(checker: ts.TypeChecker, arg: ts.Expression): FunctionLike {
  let e = arg;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  if (isFunctionLike(e)) return e;
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const sym = checker.getSymbolAtLocation(ts.isIdentifier(e) ? e : e.name);
    const target = sym && resolveAlias(checker, sym);
    const decl = target?.valueDeclaration ?? target?.declarations?.[0];
    const fn = decl && functionOfDeclaration(decl);
    if (fn && fn.body && !fn.getSourceFile().isDeclarationFile) return fn;
    if (decl?.getSourceFile().isDeclarationFile)
      fail(TSG.opaqueCall, arg, "this function's body is not visible (it is declared in a .d.ts file)", "differentiate a function written in TypeScript in this program");
  }
  if (ts.isCallExpression(e))
    fail(TSG.nestedMarker, arg, "derivatives of derivatives (grad(grad(f)), jvp(grad(f))) are not supported yet", "differentiate a function that computes the derivative you need by hand, for now");
  fail(TSG.unsupportedTarget, arg, "the argument must name a function declared in this program, or be an arrow function", "pass a function declaration's name or an arrow function");
}

function wrtMask(options: ts.Expression, names: readonly string[], differentiable: readonly boolean[]): boolean[] {
  if (!ts.isObjectLiteralExpression(options))
    fail(TSG.badOptions, options, "options must be an object literal", "write { wrt: [\"w\", \"b\"] }");
  let mask: boolean[] | undefined;
  for (const prop of options.properties) {
    if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name))
      fail(TSG.badOptions, prop, "options must be plain `key: value` properties", "write { wrt: [\"w\", \"b\"] }");
    if (prop.name.text !== "wrt") fail(TSG.badOptions, prop, `unknown option \`${prop.name.text}\``, "the supported option is wrt");
    let init = prop.initializer;
    while (ts.isAsExpression(init) || ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init)) init = init.expression;
    if (!ts.isArrayLiteralExpression(init))
      fail(TSG.badOptions, prop.initializer, "wrt must be an array literal of parameter names", "write wrt: [\"w\", \"b\"]");
    mask = names.map(() => false);
    for (const el of init.elements) {
      let i: number;
      if (ts.isNumericLiteral(el)) {
        i = Number(el.text);
        if (!Number.isInteger(i) || i < 0 || i >= names.length)
          fail(TSG.badOptions, el, `${el.text} is not a parameter position of this function (it has ${names.length})`, `use a position from 0 to ${names.length - 1}`);
      } else if (ts.isStringLiteral(el) || ts.isNoSubstitutionTemplateLiteral(el)) {
        i = names.indexOf(el.text);
        if (i < 0) fail(TSG.badOptions, el, `\`${el.text}\` is not a parameter of this function (it has ${names.join(", ")})`, "name one of its parameters");
      } else
        fail(TSG.badOptions, el, "wrt entries must be parameter names or positions written as literals (known at compile time)", "write wrt: [\"w\"] or wrt: [0]");
      if (!differentiable[i]) fail(TSG.badOptions, el, `parameter \`${names[i]}\` cannot carry a derivative`, "choose a number, array, or tuple/object parameter");
      if (mask[i]) fail(TSG.badOptions, el, `parameter \`${names[i]}\` is listed twice`, "list each parameter once");
      if (mask.slice(i + 1).some(Boolean))
        fail(TSG.badOptions, el, "wrt must list parameters in the order the function declares them (gradients come in that order)", `move \`${names[i]}\` before the parameters declared after it`);
      mask[i] = true;
    }
  }
  return mask ?? [...differentiable];
}
