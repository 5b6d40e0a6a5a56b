/**
 * A primitive without a derivative rule is a defect of tsgrad, and must never pass for a constant:
 * here the rule table is loaded without its `tanh` entry (as if someone had added the primitive
 * and forgotten its rule), and the transformer, run from its sources, must report an internal
 * error at each marker that reaches it, in both modes, rather than generate code in which the
 * primitive's derivative is a silent zero. A user's refusal looks different (a TSG code of its
 * own and no "internal error").
 */
import path from "node:path";
import ts from "typescript";
import { describe, expect, it, vi } from "vitest";
import type { OpName } from "../transformer/ir/types.js";

vi.mock("../transformer/rules/scalar.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../transformer/rules/scalar.js")>();
  const { tanh: _forgotten, ...rest } = actual.scalarRules;
  return { ...actual, scalarRules: rest };
});

const { compileFiles } = await import("../transformer/host/compile.js");
const { derivativeKind, MissingRuleError, partialReads } = await import("../transformer/rules/registry.js");

const DIR = path.join(path.dirname(new URL(import.meta.url).pathname), ".generated", "missing-rule");

function compile(source: string): { messages: string[]; js: string } {
  const file = path.join(DIR, "main.ts");
  const result = compileFiles([file], { files: new Map([[file, source]]) });
  expect(result.errors, "the program itself is valid").toEqual([]);
  const messages = result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  return { messages, js: result.outputs.get(file)! };
}

const source = `import { grad, jvp, hvp } from "tsgrad";
export function f(x: number, y: number): number { return Math.tanh(x) * y + x * y; }
export function g(x: number, y: number): number { return Math.sin(x) * y; }
export const df = grad(f);
export const jf = jvp(f);
export const hf = hvp((p: number[]) => f(p[0]!, p[1]!));
export const dg = grad(g);
`;

describe("a primitive without a rule", () => {
  it("is an internal error at every marker that reaches it, in both modes, not a zero derivative", () => {
    const { messages, js } = compile(source);
    // grad, jvp and hvp of f: one internal error each, naming the primitive
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      expect(m).toContain("internal error");
      expect(m).toContain("no derivative rule for primitive `tanh`");
    }
    // nothing was generated for them: each marker call compiles to code that throws its refusal ...
    expect(js).toContain('export const df = (() => { throw new Error("tsgrad refused grad(f) at ');
    expect(js).toContain('export const jf = (() => { throw new Error("tsgrad refused jvp(f) at ');
    expect(js).not.toMatch(/function f_(grad|jvp)\d*\(/);
    // ... while a function without the primitive is still differentiated
    expect(js).not.toContain("export const dg = grad(g);");
  });

  it("is an error of its own kind, where booleans and select have no rule by nature", () => {
    expect(() => derivativeKind("tanh")).toThrow(MissingRuleError);
    expect(() => partialReads("tanh", 1, 0)).toThrow(MissingRuleError);
    expect(() => derivativeKind("erf" as OpName)).toThrow(/no derivative rule for primitive `erf`/);
    for (const op of ["lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not"] as const) expect(derivativeKind(op)).toBe("boolean");
    expect(derivativeKind("select")).toBe("select");
    expect(derivativeKind("floor")).toBe("zero");
    expect(derivativeKind("sin")).toBe("differentiable");
  });
});
