/**
 * Names: what an identifier refers to, resolved with the TypeChecker. A parameter or local is
 * its IR variable; a module-level constant or array becomes a global variable the generated code
 * reads; anything else (a variable of an enclosing function, a value without a declaration tsgrad
 * can read) is refused.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { newVar, num, ref } from "../ir/build.js";
import type { Expr, IRType, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";
import { referencedSymbol, symbolOf, type LowerContext, type Mode } from "./context.js";
import { optionalRead } from "./optional.js";
import { isExported, isModuleLevel, qualifiedMember, resolveAlias } from "../syntax/declarations.js";
import { irTypeOf, irTypeOrUndefined } from "./types.js";

export function identifier(ctx: LowerContext, e: ts.Identifier, mode: Mode = "value"): Expr {
  if (e.text === "undefined") fail(TSG.unsupportedType, e, "undefined cannot be differentiated", "use a number");
  const sym = referencedSymbol(ctx, e);
  const optional = sym && ctx.optionals.get(sym);
  if (optional) return optionalRead(ctx, e, optional, mode);
  if (!sym) {
    const special = nonFiniteConstant(e);
    if (special) return special;
    fail(TSG.unsupportedSyntax, e, `\`${e.text}\` does not resolve to a declaration`, "declare it");
  }
  if (ctx.records.has(sym))
    fail(
      TSG.unsupportedSyntax,
      e,
      "a tuple or object can only be read field by field here",
      "read its fields (r[0], r.value) instead of the whole value",
    );
  if (ctx.markerBindings.has(sym)) fail(TSG.nestedMarker, e, "a derivative function can only be called here", "call it: `dh(x)`");
  const local = ctx.vars.get(sym);
  if (local) {
    if (local.type.kind === "record")
      fail(
        TSG.unsupportedSyntax,
        e,
        "a structured parameter can only be read field by field",
        "read its fields (p.w, p[0]) instead of the whole value",
      );
    return ref(local);
  }
  const target = resolveAlias(ctx.checker, sym);
  const declNode = target.valueDeclaration ?? target.declarations?.[0];
  if (declNode && declNode.getSourceFile().isDeclarationFile) {
    const special = nonFiniteConstant(e);
    if (special) return special;
  }
  return ref(global(ctx, e, target));
}

/**
 * A module-level tuple or object (`const PAIR = [0.3, 1.7] as const`, `const CONFIG = { rate: 0.1 }`):
 * data read field by field where the function reads it, as module-level numbers and arrays are.
 */
export function moduleRecord(ctx: LowerContext, e: ts.Identifier): Var | undefined {
  if (isModuleNumberTuple(ctx, e)) return undefined;
  const sym = referencedSymbol(ctx, e);
  if (!sym || ctx.vars.has(sym)) return undefined;
  const target = resolveAlias(ctx.checker, sym);
  const d = target.valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !isModuleLevel(d)) return undefined;
  const v = global(ctx, e, target, true);
  return v.type.kind === "record" ? v : undefined;
}

/** A module-level tuple of numbers, which generated code reads as an array (see global). */
export function isModuleNumberTuple(ctx: LowerContext, e: ts.Expression): boolean {
  e = unwrap(e, OUTER);
  if (!ts.isIdentifier(e)) return false;
  const sym = referencedSymbol(ctx, e);
  if (!sym || ctx.vars.has(sym) || ctx.records.has(sym) || ctx.leaves.has(sym)) return false;
  const d = resolveAlias(ctx.checker, sym).valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !isModuleLevel(d)) return false;
  const t = irTypeOrUndefined(ctx.checker, ctx.checker.getTypeAtLocation(e));
  return t !== undefined && isNumberTuple(t);
}

function isNumberTuple(t: IRType): boolean {
  return t.kind === "record" && t.tuple && t.fields.length > 0 && t.fields.every((f) => f.type.kind === "num");
}

/** The global `NaN` and `Infinity`: numbers, not bindings generated code must import. */
function nonFiniteConstant(e: ts.Identifier): Expr | undefined {
  if (e.text === "NaN") return num(NaN);
  if (e.text === "Infinity") return num(Infinity);
  return undefined;
}

/**
 * A module-level binding read by the function (constants, arrays, nested arrays), or a member
 * read by its qualified name (`NS.D`, `K.C`, see memberGlobal).
 */
function global(ctx: LowerContext, e: ts.Identifier, sym: ts.Symbol, records = false): Var {
  const known = ctx.globals.get(sym);
  if (known) return known;
  const declNode = sym.valueDeclaration;
  const member = declNode && qualifiedMember(declNode);
  if (member) return memberGlobal(ctx, e, sym, member);
  if (declNode && ts.isVariableDeclaration(declNode) && ts.isModuleBlock(declNode.parent.parent.parent))
    fail(
      TSG.capturedLocal,
      e,
      `\`${e.text}\` is a constant of the namespace \`${(declNode.parent.parent.parent.parent as ts.ModuleDeclaration).name.getText()}\` ` +
        "that the namespace does not export (or a `let`): generated code, at module level, reads it by its qualified name",
      "export it from the namespace as a const, or declare it at module level",
    );
  if (!declNode || !ts.isVariableDeclaration(declNode) || !isModuleLevel(declNode)) {
    if (declNode && declNode.pos >= ctx.fn.pos && declNode.end <= ctx.fn.end)
      fail(TSG.unsupportedSyntax, e, `\`${e.text}\` is used before its declaration`, "declare the variable before reading it");
    if (declNode && (ts.isParameter(declNode) || ts.isVariableDeclaration(declNode)))
      fail(
        TSG.capturedLocal,
        e,
        `\`${e.text}\` is a local variable of an enclosing function; ` + "generated code lives at module level and cannot see it",
        "pass it as a parameter, or move the function to module level",
      );
    fail(
      TSG.unsupportedSyntax,
      e,
      `\`${e.text}\` cannot be read here`,
      "read numbers, booleans or arrays declared at module level, or parameters",
    );
  }
  if (declNode.getSourceFile().isDeclarationFile)
    fail(
      TSG.unsupportedSyntax,
      e,
      `\`${e.text}\` is declared without a value tsgrad can read`,
      "declare the value in a TypeScript source file",
    );
  let type = irTypeOf(ctx.checker, ctx.checker.getTypeAtLocation(e), e);
  // `const W = [1, 2, 3] as const` is a tuple to TypeScript; as data it is an array of numbers,
  // read with computed indices too (`W[i % 3]`)
  if (isNumberTuple(type)) type = { kind: "array", elem: NUM, storage: "array" };
  if (type.kind === "record" && !records)
    fail(
      TSG.unsupportedSyntax,
      e,
      "a module-level tuple or object can only be read field by field here",
      "read its fields (`P[0]`, `CONFIG.rate`)",
    );
  const v = newVar(e.text, type, "global", {
    external: { file: declNode.getSourceFile().fileName, name: sym.getName(), exported: isExported(declNode) },
    ...(type.kind === "array" ? { owned: false } : {}),
  });
  ctx.globals.set(sym, v);
  return v;
}

/**
 * A constant of a namespace (`NS.D`, or `D` inside `NS`) or a static property of a class
 * (`K.C`): generated code, at module level, reads it by its qualified name.
 */
export function memberGlobal(ctx: LowerContext, at: ts.Node, sym: ts.Symbol, member: { name: string; top: ts.Node }): Var {
  const known = ctx.globals.get(sym);
  if (known) return known;
  const type = irTypeOf(ctx.checker, ctx.checker.getTypeAtLocation(at), at);
  if (type.kind === "record" || type.kind === "tensor")
    fail(
      TSG.unsupportedType,
      at,
      `\`${member.name}\` holds a ${type.kind === "record" ? "tuple or object" : "tensor"}, which cannot be read here yet`,
      "use numbers and arrays, or pass the value as a parameter",
    );
  const v = newVar(sym.getName(), type, "global", {
    external: { file: member.top.getSourceFile().fileName, name: member.name, exported: isExported(member.top) },
    ...(type.kind === "array" ? { owned: false } : {}),
  });
  ctx.globals.set(sym, v);
  return v;
}

/** A local or parameter variable that may be assigned; refuses outer variables. */
export function localOf(ctx: LowerContext, id: ts.Identifier, node: ts.Node): Var {
  const sym = symbolOf(ctx, id);
  if (ctx.captured.has(sym))
    fail(
      TSG.outerWrite,
      node,
      `\`${id.text}\` belongs to an enclosing function: a closure that writes it changes state ` +
        "outside itself, which tsgrad cannot differentiate",
      "compute the new value in a local variable and return it, or make it a parameter",
    );
  const v = ctx.vars.get(sym);
  if (v && v.role !== "param") return v;
  if (v && v.role === "param") {
    if (v.type.kind === "record") fail(TSG.outerWrite, node, "structured parameters cannot be reassigned", "copy the fields into locals");
    return v;
  }
  fail(
    TSG.outerWrite,
    node,
    `\`${id.text}\` is declared outside the differentiated function, ` + "and writing it is a side effect tsgrad cannot differentiate",
    "compute the value in a local variable and return it",
  );
}
