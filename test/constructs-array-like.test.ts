/**
 * Two last idioms: `ArrayLike<number>` (a parameter, or a generic helper's constraint) is refused
 * with a message that names it and what to write, instead of being read as an object with a
 * `length` field; and a `for ... of` over the rows of a nested array whose body the reverse sweep
 * takes leaves no empty loop in the gradient's forward sweep (checked on the emitted code), with
 * the gradient still against finite differences and forward mode.
 */
import { describe, expect, it } from "vitest";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { verifyDerivatives } from "./support/verify.js";

function rowSums(x: number[]): number {
  const A = [
    [1, 2],
    [3, -4],
    [0.5, 6],
  ];
  let s = 0;
  for (const row of A) s += Math.sin(row[0]! * x[0]! + row[1]! * x[1]!);
  return s;
}

describe("for ... of over the rows of a nested array", () => {
  it("gradient against finite differences and forward mode", () => {
    for (const x of [
      [0.3, -0.2],
      [1.5, 0.7],
    ])
      verifyDerivatives(rowSums, { grad: grad(rowSums), jvp: jvp(rowSums), valueAndGrad: valueAndGrad(rowSums) }, [x]);
  });

  it("the gradient's forward sweep has no loop left, and the reverse loop runs from A.length - 1", () => {
    const { js, messages } = compileSource(
      `import { grad } from "tsgrad";\nfunction f(x: number[]): number {\n  const A = [[1, 2], [3, 4]];\n  let s = 0;\n  for (const row of A) s += row[0]! * x[0]! + row[1]! * x[1]!;\n  return s;\n}\nexport const g = grad(f);\n`,
    );
    expect(messages).toEqual([]);
    const forward = js!.slice(js!.indexOf("// forward sweep"), js!.indexOf("// reverse sweep"));
    expect(forward).not.toMatch(/\bfor\b/);
    expect(js).toMatch(/for \(let row_index = A\.length - 1; row_index >= 0; row_index--\)/);
  });
});

describe("ArrayLike<number> is refused with what to write", () => {
  const compile = (body: string) => compileSource(`import { grad } from "tsgrad";\n${body}`).messages.filter((m) => m.startsWith("TSG"));

  it("a parameter", () => {
    expect(
      compile(`function f(v: ArrayLike<number>): number { return v[0]! * v[1]!; }\nexport const g = grad(f);\n`),
    ).toEqual([
      expect.stringMatching(
        /^TSG1010 2:12 .*`ArrayLike<number>` is not differentiated: tsgrad reads number\[\] and Float64Array.*hint: declare the parameter number\[\] or Float64Array/s,
      ),
    ]);
  });

  it("a generic helper's constraint", () => {
    expect(
      compile(
        `function sq<T extends ArrayLike<number>>(v: T): number { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!; return s; }\nfunction f(x: number[]): number { return sq(x); }\nexport const g = grad(f);\n`,
      ),
    ).toEqual([expect.stringMatching(/^TSG1010 2:\d+ .*`ArrayLike<number>` \(the constraint of `T`\) is not differentiated.*<T extends number\[\]>/s)]);
  });
});
