/**
 * Calls, by what the callee resolves to. `resolveCallee` decides, with the TypeChecker, which kind
 * of function a call reaches (a derivative, a tensor operation, Math, an array method, a function
 * with its own rule, one of the program's functions, ...); `lowerCall` lowers each kind with the
 * module that owns it, and refuses the kinds that cannot be differentiated.
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import type { Expr, IRType } from "../../ir/types.js";
import { index } from "../../ir/build.js";
import type { MarkerCall } from "../../discover/markers.js";
import { reverseCall, sortCall } from "./sort.js";
import { atIndex, concatCall, fillCall, fromCall, sliceCall } from "../arrays.js";
import { ARRAY_METHODS, arrayMethodCall, ITERATORS } from "./array-methods.js";
import { irTypeAt, type LowerContext, type Mode } from "../context.js";
import {
  declarationWithBody,
  functionOfDeclaration,
  isModuleLevel,
  isStatic,
  qualifiedMember,
  resolveAlias,
  type FunctionLike,
} from "../../syntax/declarations.js";
import { refuseMisplacedRule } from "../refusals.js";
import { OUTER, unwrap } from "../../syntax/unwrap.js";
import { customRuleCall, customRuleOf, stopGradientCall, type CustomRule } from "./custom-rules.js";
import { derivativeCall, invokedMarker } from "./derivatives.js";
import { isGlobalBinding, mathCall } from "./math.js";
import { numberFunctionCall, numberFunctionOf } from "./number-guards.js";
import { tensorCall } from "./tensor-ops.js";
import { userCall } from "./user-functions.js";

/** What a call's callee is. The order of `resolveCallee`'s tests decides between overlapping kinds. */
export type Callee =
  /** `eval(...)`: refused. */
  | { readonly kind: "eval" }
  /** `grad(h)(x)`, or `dh(x)` for `const dh = grad(h)`: a call of the derived function. */
  | { readonly kind: "derivative"; readonly marker: MarkerCall }
  /** A marker used inside the function without being called right away: refused. */
  | { readonly kind: "uncalledMarker" }
  /** `customVjp(...)(x)` or `customVjp(...)` in the body, not in a module-level const: refused. */
  | { readonly kind: "misplacedRule"; readonly rule: string; readonly node: ts.Node }
  /** An operation of tsgrad/tensor, by its name in the registry. */
  | { readonly kind: "tensor"; readonly name: string }
  /** `Number.isFinite(x)`, `isNaN(x)`, `parseFloat("1e-8")`, ...: guards and constants as data. */
  | { readonly kind: "number"; readonly name: string }
  /** `Math.f(...)` on the global Math. */
  | { readonly kind: "math"; readonly name: string }
  /** `xs.slice()`, `xs.slice(start, end)`; `Array(n).fill(v)`. */
  | { readonly kind: "slice"; readonly callee: ts.PropertyAccessExpression }
  | { readonly kind: "fill"; readonly callee: ts.PropertyAccessExpression }
  | { readonly kind: "concat"; readonly callee: ts.PropertyAccessExpression }
  | { readonly kind: "sort"; readonly callee: ts.PropertyAccessExpression }
  | { readonly kind: "reverse"; readonly callee: ts.PropertyAccessExpression }
  /** `xs.at(i)`: an element read, from the end when `i` is negative. */
  | { readonly kind: "at"; readonly callee: ts.PropertyAccessExpression }
  /** `xs.entries()`, `.keys()`, `.values()`: what a for...of loop iterates, and nothing else (loops.ts). */
  | { readonly kind: "iterator"; readonly name: string }
  /** `xs.map(...)`, `.reduce`, `.forEach`, `.filter`, `.some`, `.every`, `.includes`, `.indexOf`: loops. */
  | { readonly kind: "arrayMethod"; readonly callee: ts.PropertyAccessExpression }
  /** `Float64Array.from(xs)`, `Array.from(xs)`: a copy. */
  | { readonly kind: "from"; readonly storage: "f64" | "array" }
  | { readonly kind: "stopGradient" }
  /** A module-level `const f = customVjp(...)`, `customJvp(...)` or `nonDifferentiable(...)`. */
  | { readonly kind: "customRule"; readonly rule: CustomRule }
  /** A function of the program declared at module level (also through imports). */
  | { readonly kind: "user"; readonly fn: FunctionLike }
  /** A function bound with `let` or `var` inside another function: refused (it may be rebound). */
  | { readonly kind: "nested"; readonly name: string }
  /** A named function whose body tsgrad cannot see (declared in a .d.ts, a method, ...): refused. */
  | { readonly kind: "bodiless"; readonly name: string; readonly decl: ts.Declaration | undefined }
  /** `obj.m(x)` of a method of a class of the program that is not static: refused. */
  | { readonly kind: "instanceMethod"; readonly name: string }
  /** Anything else: refused. */
  | { readonly kind: "opaque" };

const OPAQUE: Callee = { kind: "opaque" };

export function lowerCall(ctx: LowerContext, e: ts.CallExpression, mode: Mode): Expr {
  // `this.f(x)`: refused as `this` (expressions.ts), even where `f` is a static method
  if (ts.isPropertyAccessExpression(e.expression) && unwrap(e.expression.expression, OUTER).kind === ts.SyntaxKind.ThisKeyword)
    ctx.expression(e.expression.expression, "value");
  return lowerCallTo(ctx, e, resolveCallee(ctx, e), mode);
}

function lowerCallTo(ctx: LowerContext, e: ts.CallExpression, callee: Callee, mode: Mode): Expr {
  switch (callee.kind) {
    case "eval":
      fail(TSG.evalCall, e, "eval cannot be differentiated", "write the computation as code");
    case "derivative":
      return derivativeCall(ctx, callee.marker, e);
    case "uncalledMarker":
      fail(
        TSG.nestedMarker,
        e,
        "inside a differentiated function, a marker's result must be called right away or bound with const",
        "write `grad(h)(x)`, or `const dh = grad(h);` then `dh(x)`",
      );
    case "misplacedRule":
      refuseMisplacedRule(callee.node, callee.rule);
    case "tensor":
      return tensorCall(ctx, e, callee.name);
    case "math":
      return mathCall(ctx, e, callee.name, mode);
    case "number":
      return numberFunctionCall(ctx, e, callee.name);
    case "slice":
      // not a flat number array: `slice` is then whatever method the object has
      return sliceCall(ctx, e, callee.callee) ?? lowerCallTo(ctx, e, namespaceFunction(ctx, callee.callee) ?? OPAQUE, mode);
    case "fill":
      return fillCall(ctx, e, callee.callee);
    case "sort":
      return sortCall(ctx, e, callee.callee) ?? lowerCallTo(ctx, e, namespaceFunction(ctx, callee.callee) ?? OPAQUE, mode);
    case "reverse":
      return reverseCall(ctx, e, callee.callee) ?? lowerCallTo(ctx, e, namespaceFunction(ctx, callee.callee) ?? OPAQUE, mode);
    case "concat":
      return concatCall(ctx, e, callee.callee) ?? lowerCallTo(ctx, e, namespaceFunction(ctx, callee.callee) ?? OPAQUE, mode);
    case "at": {
      const read = atIndex(ctx, e, callee.callee);
      return read ? index(read.arr, read.at) : lowerCallTo(ctx, e, namespaceFunction(ctx, callee.callee) ?? OPAQUE, mode);
    }
    case "iterator":
      fail(
        TSG.unsupportedSyntax,
        e,
        `\`.${callee.name}()\` of an array is supported only as what a for...of loop iterates`,
        callee.name === "entries"
          ? "write `for (const [i, v] of xs.entries())`, or an index loop"
          : `write \`for (const v of xs.${callee.name}())\`, or an index loop`,
      );
    case "from":
      return fromCall(ctx, e, callee.storage);
    case "arrayMethod":
      return arrayMethodCall(ctx, e, callee.callee, mode);
    case "stopGradient":
      return stopGradientCall(ctx, e, mode);
    case "customRule":
      return customRuleCall(ctx, callee.rule, e);
    case "user":
      return userCall(ctx, e, callee.fn);
    case "nested":
      fail(
        TSG.capturedLocal,
        e,
        `\`${callee.name}\` is a function bound with let or var inside another function, which may be rebound`,
        "declare it with const or as a function declaration",
      );
    case "bodiless": {
      const file = callee.decl?.getSourceFile();
      const where = file?.isDeclarationFile ? ` (it is declared in ${file.fileName.split("/").pop()})` : "";
      fail(
        TSG.opaqueCall,
        e,
        `\`${callee.name}\` has no body tsgrad can see${where} and no derivative rule`,
        "call a function written in TypeScript in this program, or give this one a custom rule",
      );
    }
    case "instanceMethod":
      fail(
        TSG.opaqueCall,
        e,
        `\`${callee.name}\` is an instance method, whose code depends on the object it is called on`,
        "make it a static method or a function that takes what it reads from the object as parameters",
      );
    case "opaque":
      fail(
        TSG.opaqueCall,
        e,
        "this call has no body tsgrad can see and no derivative rule",
        "call Math.*, array methods slice/push/fill, or functions of your own program",
      );
  }
}

/** Resolves a call's callee with the TypeChecker; refuses nothing itself (lowerCall does). */
export function resolveCallee(ctx: LowerContext, e: ts.CallExpression): Callee {
  const callee = e.expression;
  if (ts.isIdentifier(callee) && callee.text === "eval") return { kind: "eval" };
  const marker = invokedMarker(ctx, callee);
  if (marker) return { kind: "derivative", marker };
  if (ts.isCallExpression(callee) && ts.isIdentifier(callee.expression)) {
    const helper = ctx.checker.getSymbolAtLocation(callee.expression);
    const rule = helper && ctx.host.ruleKind(helper);
    if (rule) return { kind: "misplacedRule", rule, node: callee };
  }
  // a tensor operation, called by name or through a namespace (`T.matmul`)
  const opSymbol = ctx.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
  const tensorOp = opSymbol && ctx.host.tensorOp(opSymbol);
  if (tensorOp) return { kind: "tensor", name: tensorOp };
  const numberFunction = numberFunctionOf(ctx, callee);
  if (numberFunction) return { kind: "number", name: numberFunction };
  switch (callee.kind) {
    case ts.SyntaxKind.PropertyAccessExpression:
      return methodCallee(ctx, e, callee as ts.PropertyAccessExpression);
    case ts.SyntaxKind.Identifier:
      return namedCallee(ctx, e, callee as ts.Identifier);
    default:
      return OPAQUE;
  }
}

/** `obj.name(...)`: Math, an array method, or a function of a namespace import. */
function methodCallee(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression): Callee {
  const obj = callee.expression;
  const name = callee.name.text;
  if (ts.isIdentifier(obj) && obj.text === "Math" && isGlobalBinding(ctx, obj)) return { kind: "math", name };
  if (name === "slice" && e.arguments.length <= 2 && !e.arguments.some(ts.isSpreadElement)) return { kind: "slice", callee };
  if (name === "fill") return { kind: "fill", callee };
  const receiver = receiverType(ctx, obj);
  if (name === "concat" && receiver?.kind === "array") return { kind: "concat", callee };
  if (name === "sort" && receiver?.kind === "array") return { kind: "sort", callee };
  if (name === "reverse" && receiver?.kind === "array") return { kind: "reverse", callee };
  if (ARRAY_METHODS.has(name) && receiver?.kind === "array") return { kind: "arrayMethod", callee };
  if (name === "at" && receiver?.kind === "array") return { kind: "at", callee };
  if (ITERATORS.has(name) && e.arguments.length === 0 && receiver?.kind === "array") return { kind: "iterator", name };
  if (name === "from" && ts.isIdentifier(obj) && (obj.text === "Float64Array" || obj.text === "Array") && isGlobalBinding(ctx, obj))
    return { kind: "from", storage: obj.text === "Float64Array" ? "f64" : "array" };
  return namespaceFunction(ctx, callee) ?? OPAQUE;
}

/**
 * A function named through its holder: of another module through a namespace import
 * (`models.loss(...)`), of a namespace (`NS.cube(x)`), or a class's static method (`K.sq(x)`).
 * An instance method depends on the object it is called on, and is refused.
 */
function namespaceFunction(ctx: LowerContext, callee: ts.PropertyAccessExpression): Callee | undefined {
  const member = ctx.checker.getSymbolAtLocation(callee.name);
  const target = member && resolveAlias(ctx.checker, member);
  const d = target && declarationWithBody(target);
  const fn = d && functionOfDeclaration(d);
  if (fn && fn.body && !fn.getSourceFile().isDeclarationFile && (isModuleLevel(fn) || qualifiedMember(d) !== undefined))
    return { kind: "user", fn };
  if (d && !d.getSourceFile().isDeclarationFile && (ts.isMethodDeclaration(d) || ts.isPropertyDeclaration(d)) && !isStatic(d))
    return { kind: "instanceMethod", name: callee.getText() };
  return undefined;
}

/** `f(...)`: a marker, a rule helper, a function with its own rule, or one of the program's functions. */
function namedCallee(ctx: LowerContext, e: ts.CallExpression, callee: ts.Identifier): Callee {
  const sym = ctx.checker.getSymbolAtLocation(callee);
  if (!sym) return OPAQUE;
  const target = resolveAlias(ctx.checker, sym);
  if (ctx.host.isMarker(target)) return { kind: "uncalledMarker" };
  const helper = ctx.host.ruleKind(target);
  if (helper === "stopGradient") return { kind: "stopGradient" };
  if (helper) return { kind: "misplacedRule", rule: helper, node: e };
  const decl = declarationWithBody(target);
  const rule = decl && customRuleOf(ctx, decl);
  if (rule) return { kind: "customRule", rule };
  const fn = decl ? functionOfDeclaration(decl) : undefined;
  // a function declared inside another is lifted with what it captures (captures.ts)
  if (fn && fn.body && !fn.getSourceFile().isDeclarationFile)
    return isModuleLevel(fn) || isConstFunction(fn) ? { kind: "user", fn } : { kind: "nested", name: callee.text };
  return { kind: "bodiless", name: callee.text, decl };
}

/** A function declaration, or a function bound to a `const`: a name that always means that function. */
function isConstFunction(fn: FunctionLike): boolean {
  if (ts.isFunctionDeclaration(fn)) return true;
  const d = fn.parent;
  return ts.isVariableDeclaration(d) && ts.isVariableDeclarationList(d.parent) && (d.parent.flags & ts.NodeFlags.Const) !== 0;
}

/**
 * The IR type of a method call's receiver: its TypeScript type's, or, for a local TypeScript types
 * `any[]` (`const a = Array(n).fill(0)`), the array its initialiser made.
 */
function receiverType(ctx: LowerContext, obj: ts.Expression): IRType | undefined {
  const t = irTypeAt(ctx, obj);
  if (t || !ts.isIdentifier(obj)) return t;
  const sym = ctx.checker.getSymbolAtLocation(obj);
  return sym ? ctx.vars.get(sym)?.type : undefined;
}
