/**
 * A helper that writes its result into a caller's array (`subtract(x, mu, out)`, C's style) is
 * refused with a diagnostic: tsgrad's functions are pure, so such a call, made for its effect,
 * used to be dropped, and the caller then read its buffer as it was before the call (a wrong
 * gradient, not a refusal). The rewrite the hint asks for (the helper returns what it computes)
 * differentiates, checked against the closed form.
 */
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { compileSource, importSource } from "./support/compile.js";

const outParameter = `import { grad } from "tsgrad";
function subtract(x: Float64Array, mu: Float64Array, out: Float64Array): number {
  for (let j = 0; j < out.length; j++) out[j] = x[j]! - mu[j]!;
  return 0;
}
function f(mu: Float64Array, x: Float64Array): number {
  const centered = new Float64Array(mu.length);
  subtract(x, mu, centered);
  let s = 0;
  for (let j = 0; j < centered.length; j++) s += centered[j]! * centered[j]!;
  return s;
}
export const g = grad(f, { wrt: [0] });
`;

describe("helpers that write into a caller's array", () => {
  it("a call made for its effect on an array argument is refused (TSG1009), not dropped", () => {
    const c = compileSource(outParameter);
    expect(c.messages, c.messages.join("\n")).toHaveLength(1);
    const d = c.diagnostics[0]!;
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    expect(d.code).toBe(91009);
    expect(c.messages[0]!.startsWith("TSG1009 8:3 "), c.messages[0]).toBe(true);
    expect(outParameter.slice(d.start!, d.start! + d.length!)).toBe("subtract(x, mu, centered)");
    expect(message).toContain("`subtract` is not used");
    expect(message).toContain("`centered`");
    expect(message).toMatch(/\n {2}hint: return the result from the helper/);
  });

  it("a void helper given arrays gets the same refusal", () => {
    const c = compileSource(outParameter.replace("out: Float64Array): number {", "out: Float64Array): void {").replace("  return 0;\n", ""));
    expect(c.messages, c.messages.join("\n")).toHaveLength(1);
    expect(c.messages[0]).toMatch(/^TSG1009 7:3 .*`subtract` is not used/s);
  });

  it("a call for its effect given only numbers is still dropped silently (it cannot change the caller)", () => {
    const source = `import { grad } from "tsgrad";
function check(x: number): number { return x; }
function f(x: number): number { check(x); return x * x; }
export const g = grad(f);
`;
    expect(compileSource(source).messages).toEqual([]);
  });

  it("the rewrite the hint asks for (the helper returns its array) gives 2 (mu - x)", async () => {
    const m = await importSource<{ g: (mu: Float64Array, x: Float64Array) => Float64Array }>(
      outParameter
        .replace("function subtract(x: Float64Array, mu: Float64Array, out: Float64Array): number {", "function subtract(x: Float64Array, mu: Float64Array): Float64Array {\n  const out = new Float64Array(x.length);")
        .replace("  return 0;\n", "  return out;\n")
        .replace("  const centered = new Float64Array(mu.length);\n  subtract(x, mu, centered);", "  const centered = subtract(x, mu);"),
    );
    const mu = Float64Array.from([1, 2, -0.5]);
    const x = Float64Array.from([0.25, -1, 3]);
    expect(Array.from(m.g(mu, x))).toEqual(Array.from(mu, (v, i) => 2 * (v - x[i]!)));
  });
});
