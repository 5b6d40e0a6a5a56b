/**
 * A primitive without a derivative rule is a defect of tsgrad, and must never pass for a constant.
 *
 * At build time: the primitive table's type makes the rule part of an entry, so the table with
 * one rule deleted (here the real transformer/rules/primitives.ts, with `tanh`'s partials cut out)
 * does not type-check, and tsgrad's own build fails.
 *
 * At run time, should an entry lose its rule anyway: the transformer, run from its sources with
 * `tanh`'s rule taken out of the table, reports an internal error at each marker that reaches it,
 * in both modes, rather than generate code in which the primitive's derivative is a silent zero;
 * and an internal error is not a user's refusal (no TSG code).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { compileFiles } from "../transformer/host/compile.js";
import { InternalError, INTERNAL_ERROR_CODE } from "../transformer/refusal.js";
import { derivativeKind, MissingRuleError, partialReads } from "../transformer/rules/registry.js";
import { primitives } from "../transformer/rules/primitives.js";
import type { OpName } from "../transformer/ir/types.js";

const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), "..");
const TABLE = path.join(ROOT, "transformer/rules/primitives.ts");
const DIR = path.join(ROOT, "test/.generated/missing-rule");

/** Type errors of the primitive table's source, given as text (it imports nothing). */
function typeErrors(source: string): string[] {
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts"] };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile;
  host.getSourceFile = (name, version, ...rest) =>
    name === TABLE ? ts.createSourceFile(name, source, version) : read.call(host, name, version, ...rest);
  const program = ts.createProgram([TABLE], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("a primitive without a derivative rule fails tsgrad's build", () => {
  const source = readFileSync(TABLE, "utf8");

  it("the table as it is type-checks", () => {
    expect(typeErrors(source)).toEqual([]);
  });

  it("with one rule deleted, the table is a type error", () => {
    const entry = /^ {2}tanh: \{ kind: "math", arity: 1, math: "tanh", partials: \[[^\n]*\] \},$/m;
    expect(source).toMatch(entry);
    const errors = typeErrors(source.replace(entry, '  tanh: { kind: "math", arity: 1, math: "tanh" },'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join("\n")).toMatch(/tanh/);
  });

  it("a new Math function added without its rule is a type error too", () => {
    const withErf = source.replace("  // ---- piecewise constant", '  erf: { kind: "math", arity: 1, math: "erf" },\n  // ---- piecewise constant');
    expect(withErf).not.toBe(source);
    expect(typeErrors(withErf).length).toBeGreaterThan(0);
    const withRule = source.replace("  // ---- piecewise constant", '  erf: { kind: "math", arity: 1, math: "erf", partials: [(x, y) => x] },\n  // ---- piecewise constant');
    expect(typeErrors(withRule)).toEqual([]);
  });
});

describe("a primitive whose rule is missing at run time", () => {
  const table = primitives as unknown as Record<string, unknown>;
  const tanh = table.tanh;
  // as if the entry had lost its rule (the type forbids it; a cast or a bad merge would not)
  table.tanh = { kind: "math", arity: 1, math: "tanh" };
  afterAll(() => {
    table.tanh = tanh;
  });

  function compile(source: string): { diagnostics: ts.Diagnostic[]; js: string } {
    const file = path.join(DIR, "main.ts");
    const result = compileFiles([file], { files: new Map([[file, source]]) });
    expect(result.errors, "the program itself is valid").toEqual([]);
    return { diagnostics: [...result.diagnostics], js: result.outputs.get(file)! };
  }

  const source = `import { grad, jvp, hvp } from "tsgrad";
export function f(x: number, y: number): number { return Math.tanh(x) * y + x * y; }
export function g(x: number, y: number): number { return Math.sin(x) * y; }
export const df = grad(f);
export const jf = jvp(f);
export const hf = hvp((p: number[]) => f(p[0]!, p[1]!));
export const dg = grad(g);
`;

  it("is an internal error at every marker that reaches it, in both modes, not a zero derivative", () => {
    const { diagnostics, js } = compile(source);
    // grad, jvp and hvp of f: one internal error each, naming the primitive
    expect(diagnostics).toHaveLength(3);
    for (const d of diagnostics) {
      const m = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      expect(d.code).toBe(INTERNAL_ERROR_CODE);
      expect(m).toContain("internal error in tsgrad, please report");
      expect(m).toContain("no derivative rule for primitive `tanh`");
      expect(m).not.toMatch(/TSG\d{4}/);
    }
    // nothing was generated for them: the markers compile to code that throws ...
    expect(js).not.toContain("f_grad");
    expect(js).not.toContain("f_jvp");
    // ... while a function without the primitive is still differentiated
    expect(js).toContain("g_grad");
  });

  it("is an error of its own kind, where booleans and select have no rule by nature", () => {
    expect(() => derivativeKind("tanh")).toThrow(MissingRuleError);
    expect(() => partialReads("tanh", 1, 0)).toThrow(InternalError);
    expect(() => derivativeKind("erf" as OpName)).toThrow(/no derivative rule for primitive `erf`/);
    for (const op of ["lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not"] as const) expect(derivativeKind(op)).toBe("boolean");
    expect(derivativeKind("select")).toBe("select");
    expect(derivativeKind("floor")).toBe("zero");
    expect(derivativeKind("sin")).toBe("differentiable");
  });
});
