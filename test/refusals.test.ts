/**
 * Every refusal: a compile-time diagnostic at the offending code, with a stable TSG code, the
 * offending text and a hint; never a crash, never code that computes something wrong. And the
 * compiler survives odd but valid TypeScript thrown at it.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "./support/compile.js";

interface Case {
  readonly name: string;
  readonly code: string;
  /** line:col of the offending node, 1-based, in `source`. */
  readonly at: string;
  /** Text the message must quote. */
  readonly quotes: string;
  readonly source: string;
  readonly siblings?: Record<string, string>;
}

const header = `import { grad, jvp } from "tsgrad";\n`;

const cases: Case[] = [
  {
    name: "a call whose body is not visible (declared in a .d.ts)",
    code: "TSG1002",
    at: "3:44",
    quotes: "external(x)",
    source: `${header}import { external } from "./ext";\nfunction f(x: number): number { return 2 * external(x); }\nexport const g = grad(f);\n`,
    siblings: { "ext.d.ts": "export declare function external(x: number): number;\n" },
  },
  {
    name: "console.log has no derivative rule",
    code: "TSG1002",
    at: "2:33",
    quotes: "console.log(x)",
    source: `${header}function f(x: number): number { console.log(x); return x * x; }\nexport const g = grad(f);\n`,
  },
  {
    name: "writes to a module variable",
    code: "TSG1003",
    at: "3:33",
    quotes: "calls = calls + 1",
    source: `${header}let calls = 0;\nfunction f(x: number): number { calls = calls + 1; return x * x; }\nexport const g = grad(f);\n`,
  },
  {
    name: "writes into a parameter array",
    code: "TSG1011",
    at: "2:35",
    quotes: "x[0] = 1",
    source: `${header}function f(x: number[]): number { x[0] = 1; return x[1]! * x[0]!; }\nexport const g = grad(f);\n`,
  },
  {
    name: "writes into a module array",
    code: "TSG1003",
    at: "3:33",
    quotes: "cache[0] = x",
    source: `${header}const cache = [0];\nfunction f(x: number): number { cache[0] = x; return x; }\nexport const g = grad(f);\n`,
  },
  {
    name: "try/catch",
    code: "TSG1004",
    at: "2:33",
    quotes: "try {",
    source: `${header}function f(x: number): number { try { return x; } catch { return 0; } }\nexport const g = grad(f);\n`,
  },
  {
    name: "async function",
    code: "TSG1005",
    at: "2:1",
    quotes: "async function f",
    source: `${header}async function f(x: number): Promise<number> { return x; }\nexport const g = grad(f as unknown as (x: number) => number);\n`,
  },
  {
    name: "generator function",
    code: "TSG1005",
    at: "2:1",
    quotes: "function* f",
    source: `${header}function* f(x: number): Generator<number> { yield x; }\nexport const g = grad(f as unknown as (x: number) => number);\n`,
  },
  {
    name: "eval",
    code: "TSG1006",
    at: "2:40",
    quotes: 'eval("x")',
    source: `${header}function f(x: number): number { return eval("x") * x; }\nexport const g = grad(f);\n`,
  },
  {
    name: "dynamic keys into a tuple parameter",
    code: "TSG1007",
    at: "2:61",
    quotes: "p[k]",
    source: `${header}function f(p: [number, number], k: number): number { return p[k] * p[0]; }\nexport const g = grad(f, { wrt: ["p"] });\n`,
  },
  {
    name: "an any-typed parameter",
    code: "TSG1008",
    at: "2:12",
    quotes: "x: any",
    source: `${header}function f(x: any, y: number): number { return x * y; }\nexport const g = grad(f);\n`,
  },
  {
    name: "an any-typed module constant",
    code: "TSG1008",
    at: "3:44",
    quotes: "loose",
    source: `${header}const loose: any = 3;\nfunction f(x: number): number { return x * loose; }\nexport const g = grad(f);\n`,
  },
  {
    name: "Math.random",
    code: "TSG1014",
    at: "2:44",
    quotes: "Math.random()",
    source: `${header}function f(x: number): number { return x * Math.random(); }\nexport const g = grad(f);\n`,
  },
  {
    name: "reassigning an array variable",
    code: "TSG1015",
    at: "2:56",
    quotes: "a = [x]",
    source: `${header}function f(x: number): number { let a: number[] = [1]; a = [x]; return a[0]!; }\nexport const g = grad(f);\n`,
  },
  {
    name: "switch",
    code: "TSG1009",
    at: "2:44",
    quotes: "switch (k)",
    source: `${header}function f(x: number, k: number): number { switch (k) { default: return x; } }\nexport const g = grad(f);\n`,
  },
  {
    name: "a closure reading an enclosing function's local",
    code: "TSG1012",
    at: "4:42",
    quotes: "scale",
    source: `${header}export function make(scale: number) {\n  const inner = (x: number) => x * scale;\n  return grad((x: number): number => x * scale);\n}\n`,
  },
  {
    name: "grad of a function returning an array",
    code: "TSG1016",
    at: "3:23",
    quotes: "f",
    source: `${header}function f(x: number): number[] { return [x, x * x]; }\nexport const g = grad(f);\n`,
  },
  {
    name: "wrt naming an unknown parameter",
    code: "TSG1013",
    at: "3:34",
    quotes: '"z"',
    source: `${header}function f(x: number, y: number): number { return x * y; }\nexport const g = grad(f, { wrt: ["z"] });\n`,
  },
  {
    name: "wrt out of declaration order",
    code: "TSG1013",
    at: "3:39",
    quotes: '"x"',
    source: `${header}function f(x: number, y: number): number { return x * y; }\nexport const g = grad(f, { wrt: ["y", "x"] });\n`,
  },
  {
    name: "vjp of a derivative (not yet)",
    code: "TSG1017",
    at: "3:22",
    quotes: "grad(f)",
    source: `import { grad, vjp } from "tsgrad";\nfunction f(x: number): number { return x * x * x; }\nexport const g = vjp(grad(f));\n`,
  },
  {
    name: "++ inside an expression",
    code: "TSG1018",
    at: "2:55",
    quotes: "i++",
    source: `${header}function f(x: number[]): number { let i = 0; return x[i++]!; }\nexport const g = grad(f);\n`,
  },
];

describe("refusals: code, position, offending text, hint", () => {
  for (const c of cases)
    it(`${c.code}: ${c.name}`, () => {
      const result = compileSource(c.source, c.siblings);
      const tsg = result.messages.filter((m) => m.startsWith("TSG"));
      expect(tsg.length, result.messages.join("\n")).toBeGreaterThan(0);
      const first = tsg[0]!;
      expect(first, first).toMatch(new RegExp(`^${c.code} ${c.at} ${c.code}: `));
      expect(first).toContain(c.quotes);
      expect(first).toMatch(/\n {2}hint: \S/);
      expect(first).not.toContain("internal error");
    });
});

describe("the compiler never crashes", () => {
  const odd = [
    "class P { constructor(public v: number) {} get w() { return this.v; } }\nfunction f(x: number): number { return new P(x).w; }",
    'function f(x: number): number { const s = `${x}`; return s.length * x; }',
    "function f(p: { a?: { b: number } }): number { return p.a?.b ?? 0; }",
    "function f(x: number[]): number { return Math.max(...x); }",
    "function f(x: number): number { const [a, b] = [x, 2 * x]; return a * b; }",
    "function f(x: number): number { block: { if (x > 0) break block; } return x; }",
    'function f(x: number): number { if (x < 0) throw new Error(`negative ${x}`); return x; }',
    "function f(x: number): number { return [x, 2].map((v) => v * v)[0]!; }",
    "function f(x: number): number { const o = { x }; return o.x * 2; }",
    "function f(x: number): number { let y = x; y ||= 2; return y; }",
    "function f(x: bigint): number { return Number(x); }",
    "function f(x: number): number { return typeof x === 'number' ? x : 0; }",
    "function f(x: number): number { for (const k in { a: 1 }) x += k.length; return x; }",
    "function f(x: number): number { with (Math) { return x; } }",
  ];
  for (const body of odd)
    it(body.split("\n").pop()!.slice(0, 70), () => {
      let result: ReturnType<typeof compileSource> | undefined;
      expect(() => {
        result = compileSource(`${header}${body}\nexport const g = grad(f as unknown as (x: number) => number);\n`);
      }).not.toThrow();
      for (const m of result!.messages) expect(m).not.toContain("internal error");
    });

  it("one refused marker does not stop the others in the file", () => {
    const result = compileSource(
      `${header}function bad(x: number): number { try { return x; } catch { return 0; } }\nfunction good(x: number): number { return x * x; }\nexport const b = grad(bad);\nexport const g = grad(good);\nexport const j = jvp(good);\n`,
    );
    expect(result.messages.filter((m) => m.startsWith("TSG"))).toHaveLength(1);
    expect(result.js).toContain("function good_grad(");
    expect(result.js).toContain("function good_jvp(");
    expect(result.js).toContain("export const g = good_grad;");
    expect(result.js).toContain("export const b = grad(bad);");
  });
});
