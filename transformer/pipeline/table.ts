/**
 * The program's function table: source functions by key (`file#position`), lowered to IR on
 * demand and cached for the life of the Program.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { isMarkerSymbol, markerOfCall, ruleKindOf, tensorOpOf, type MarkerCall } from "../discover/markers.js";
import { resolveRequest } from "../discover/requests.js";
import { lowerFunction, lowerRuleWrapper } from "../lower/function.js";
import type { LowerHost } from "../lower/host.js";
import { isModuleLevel, resolveAlias, type FunctionLike } from "../syntax/declarations.js";
import type { IRFunction } from "../ir/types.js";
import { derivedKey, parseDerivedKey } from "../ir/keys.js";
import type { FunctionTable } from "./derive.js";

export class ProgramTable implements FunctionTable, LowerHost {
  readonly checker: ts.TypeChecker;
  private readonly decls = new Map<string, FunctionLike>();
  private readonly lowered = new Map<string, IRFunction>();
  private readonly ruleBindings = new Map<string, ts.VariableDeclaration>();

  constructor(readonly program: ts.Program) {
    this.checker = program.getTypeChecker();
  }

  functionKey(decl: FunctionLike): string {
    const key = `${decl.getSourceFile().fileName}#${decl.getStart()}`;
    this.decls.set(key, decl);
    return key;
  }

  /** `grad(lse)` of `const lse = customVjp(...)`: a function that calls the binding (lowerRuleWrapper). */
  ruleBindingKey(decl: ts.VariableDeclaration): string {
    const key = `${decl.getSourceFile().fileName}#${decl.getStart()}:rule`;
    this.ruleBindings.set(key, decl);
    return key;
  }

  isMarker(symbol: ts.Symbol): boolean {
    return isMarkerSymbol(this.checker, symbol);
  }

  tensorOp(symbol: ts.Symbol): string | undefined {
    return tensorOpOf(resolveAlias(this.checker, symbol));
  }

  ruleKind(symbol: ts.Symbol) {
    return ruleKindOf(resolveAlias(this.checker, symbol));
  }

  markerOf(call: ts.CallExpression) {
    return markerOfCall(this.checker, call);
  }

  /**
   * Resolves a marker used inside a function body to the key of the derived function it names.
   * Nothing is generated here: the key is a recipe, and whichever module's pipeline meets a call
   * of it generates it. Markers there apply to functions directly (not to other markers' results).
   */
  markerTarget(marker: MarkerCall): { key: string; arity: number; source: FunctionLike | undefined } {
    const request = resolveRequest(
      {
        checker: this.checker,
        functionKey: (decl) => this.functionKey(decl),
        ruleBindingKey: (decl) => this.ruleBindingKey(decl),
        sourceOf: (key) => {
          if (parseDerivedKey(key))
            fail(
              TSG.nestedMarker,
              marker.call,
              `inside a differentiated function, ${marker.kind}(...) must apply to a function, not to another marker's result`,
              "name the inner derivative as a function of its own and differentiate that",
            );
          return this.source(key);
        },
        derive: derivedKey,
      },
      marker,
    );
    if (
      request.derived === "gradAux" ||
      request.derived === "valueAndGradAux" ||
      request.derived === "vjpAux" ||
      request.derived === "jvpAux" ||
      request.derived === "withAux"
    )
      fail(
        TSG.nestedMarker,
        marker.call,
        `${marker.kind}(..., { hasAux: true }) cannot be called inside a differentiated function yet`,
        "call it outside, or differentiate the loss alone there (a function that returns the number)",
      );
    const params = this.source(request.key).params.filter((p) => !p.captured).length;
    const tangents = request.derived === "jvp" || request.derived === "hvp" ? request.mask.filter(Boolean).length : 0;
    const decl = this.decls.get(request.key);
    return { key: derivedKey(request.derived, request.mask, request.key), arity: params + tangents, source: decl };
  }

  declaration(key: string): FunctionLike | undefined {
    return this.decls.get(key);
  }

  source(key: string): IRFunction {
    let fn = this.lowered.get(key);
    if (!fn) {
      const decl = this.decls.get(key);
      const binding = this.ruleBindings.get(key);
      if (binding) fn = lowerRuleWrapper(this, binding, key);
      else if (!decl) throw new Error(`unknown function key ${key}`);
      else fn = lowerFunction(this, decl, key);
      this.lowered.set(key, fn);
    }
    return fn;
  }

  /**
   * How generated code in `fromFile` can call the source function `key` by name: directly (same
   * module), through an import (exported from its module), or not at all (then it gets a copy).
   */
  reference(key: string, fromFile: string): { name: string; file: string; exported: boolean } | null {
    const decl = this.decls.get(key);
    if (!decl || !isModuleLevel(decl)) return null;
    const named = ts.isFunctionDeclaration(decl) ? decl : decl.parent;
    const nameNode = (named as ts.FunctionDeclaration | ts.VariableDeclaration).name;
    if (!nameNode || !ts.isIdentifier(nameNode)) return null;
    const file = decl.getSourceFile().fileName;
    const exported = this.isExportedFromModule(nameNode);
    if (file !== fromFile && !exported) return null;
    return { name: nameNode.text, file, exported };
  }

  private isExportedFromModule(name: ts.Identifier): boolean {
    return this.isExportedName(name.getSourceFile().fileName, name.text);
  }

  /** Whether module `file` exports a binding called `name`. */
  isExportedName(file: string, name: string): boolean {
    const sf = this.program.getSourceFile(file);
    const moduleSym = sf && this.checker.getSymbolAtLocation(sf);
    if (!moduleSym) return false;
    return this.checker.getExportsOfModule(moduleSym).some((e) => e.getName() === name);
  }
}

const tables = new WeakMap<ts.Program, ProgramTable>();

export function tableFor(program: ts.Program): ProgramTable {
  let t = tables.get(program);
  if (!t) {
    t = new ProgramTable(program);
    tables.set(program, t);
  }
  return t;
}
