/**
 * A marker's options held in a `const` of the same file (`const opts = { wrt: [0] } as const;
 * grad(f, opts)`), read at build time like a literal written in the call; what cannot be known
 * at build time (a `let`, a parameter, a computed object, a const of another file) is refused
 * with TSG1013 at the options and what to write.
 * References: central finite differences, and the derivative with the same options written in
 * the call.
 */
import { describe, expect, it } from "vitest";
import { grad, jacobian, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";

function cost(w: number[], b: number, scale: number): number {
  let s = b * b;
  for (let i = 0; i < w.length; i++) s += Math.sin(w[i]! * b) * scale;
  return s;
}

function outputs(x: number[], k: number): number[] {
  return [x[0]! * x[1]! * k, Math.exp(x[1]!)];
}

const byPosition = { wrt: [0, 1] } as const;
const byName = { wrt: ["b"] } as const;
const reverse = { wrt: [0], mode: "reverse" } as const;
const parenthesised = { wrt: [1] } satisfies { wrt: readonly (0 | 1 | 2)[] };

describe("options held in a const", () => {
  it("wrt by position and by name: gradients against finite differences and against the options written in the call", () => {
    const w = [0.3, -1.2, 0.8];
    const b = 0.7;
    const [gw, gb] = grad(cost, byPosition)(w, b, 2);
    expectClose(gw, numericGradient(cost, [w, b, 2], 0), 1e-7, "w");
    expectClose(gb, numericGradient(cost, [w, b, 2], 1), 1e-7, "b");
    expect(grad(cost, byPosition)(w, b, 2)).toEqual(grad(cost, { wrt: [0, 1] })(w, b, 2));
    const named = valueAndGrad(cost, byName)(w, b, 2);
    expectClose(named.grad, numericGradient(cost, [w, b, 2], 1), 1e-7, "b by name");
    expect(named.value).toBe(cost(w, b, 2));
    expectClose(grad(cost, parenthesised)(w, b, 2), numericGradient(cost, [w, b, 2], 1), 1e-7, "satisfies");
  });

  it("jacobian's mode and wrt", () => {
    const x = [0.4, -0.6];
    const J = jacobian(outputs, reverse)(x, 3);
    expectClose(J, [[x[1]! * 3, x[0]! * 3], [0, Math.exp(x[1]!)]], 1e-12, "jacobian");
  });
});

describe("options that cannot be known at build time: TSG1013 with what to write", () => {
  const compile = (body: string) =>
    compileSource(`import { grad } from "tsgrad";\nfunction f(x: number, y: number): number { return x * y; }\n${body}`).messages.filter((m) =>
      m.startsWith("TSG"),
    );

  it("a let", () => {
    expect(compile(`let opts = { wrt: [0] as [0] };\nexport const g = grad(f, opts);\n`)).toEqual([
      expect.stringMatching(/^TSG1013 4:26 .*options must be known at build time.*`opts` is declared with `let`.*hint: write the options in the call.*as const/s),
    ]);
  });

  it("a parameter", () => {
    expect(compile(`export function make(opts: { wrt: [0] }) { return grad(f, opts); }\n`)).toEqual([
      expect.stringMatching(/^TSG1013 3:59 .*`opts` is a parameter, which each call may give other options/),
    ]);
  });

  it("a const computed by an expression, and an expression in the call", () => {
    expect(
      compile(
        `const made = Object.freeze({ wrt: [0] as [0] });\nexport const g = grad(f, made);\nexport const h = grad(f, true ? { wrt: [1] as [1] } : { wrt: [0] as [0] });\n`,
      ),
    ).toEqual([
      expect.stringMatching(/^TSG1013 4:26 .*`made` is a `const` whose value is computed, not an object literal/),
      expect.stringMatching(/^TSG1013 5:26 .*it is an expression computed when the program runs/),
    ]);
  });

  it("a const of another file", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nimport { opts } from "./options.js";\nfunction f(x: number, y: number): number { return x * y; }\nexport const g = grad(f, opts);\n`,
      { "options.ts": `export const opts = { wrt: [0] } as const;\n` },
    );
    expect(messages.filter((m) => m.startsWith("TSG"))).toEqual([expect.stringMatching(/^TSG1013 4:26 .*`opts` is declared in another file/)]);
  });
});
