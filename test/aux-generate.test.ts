/**
 * `tsgrad generate` of functions with hasAux whose aux is set at several returns: the generated
 * TypeScript type-checks (strict) whatever the aux holds, arrays of arrays and tensors included
 * (the aux is declared `let aux!: A` before the returns assign it, where a zero of its type would
 * be mistyped), and the generated module computes what the plain functions do.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { GENERATED_DIR } from "./support/compile.js";
import { generatedProject } from "./support/generate.js";
import { typeErrorsOf } from "./support/typecheck.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const project = path.join(GENERATED_DIR, "aux-generate");

const SOURCE = `import { grad, hessian, jvp, valueAndGrad, vjp } from "tsgrad";
import { tensor, type Tensor } from "tsgrad/tensor";

export function rowsAndTensor(x: number[]): [number, { rows: number[][]; t: Tensor }] {
  const rows: number[][] = [];
  for (let i = 0; i < x.length; i++) rows.push([x[i]!, 2 * x[i]!]);
  if (x[0]! > 0) return [x[0]! * x[0]!, { rows, t: tensor([1, 2]) }];
  return [x[1]! * 3, { rows: [[1]], t: tensor([3]) }];
}

export function nested(x: number[]): [number, number[][]] {
  if (x[0]! > 0) return [x[0]! * x[0]!, [[x[0]!]]];
  return [x[1]! * 3, [[1, 2]]];
}

export function tensorAux(x: number): [number, Tensor] {
  if (x > 0) return [x * x, tensor([x])];
  return [-x, tensor([1, 2])];
}

export function mixed(x: number[]): [number, [number[][], string]] {
  if (x.length > 2) return [x[2]! * x[0]!, [[[x[1]!, 1]], "long"]];
  return [x[0]! * x[1]!, [[[0]], "short"]];
}

export const g1 = grad(rowsAndTensor, { hasAux: true });
export const g2 = valueAndGrad(nested, { hasAux: true });
export const g3 = jvp(tensorAux, { hasAux: true });
export const g4 = vjp(mixed, { hasAux: true });
export const g5 = hessian(nested, { hasAux: true });
`;

beforeAll(() => {
  generatedProject("aux-generate", { "src/aux.ts": SOURCE });
});

describe("tsgrad generate with hasAux and several returns", () => {
  it("the generated file type-checks, the aux declared with its type", () => {
    const out = path.join(project, "out/src/aux.ts");
    expect(typeErrorsOf(pathToFileURL(out))).toEqual([]);
    expect(readFileSync(out, "utf8")).toMatch(/let aux!: \{\s*rows: number\[\]\[\];\s*t: Tensor;?\s*\}/);
  });

  it("the generated module gives the plain functions' aux and the gradients", async () => {
    // run the generated TypeScript through the CLI's own runner, printing what the plain calls print
    const runner = path.join(project, "out/src/check.ts");
    writeFileSync(
      runner,
      `import { g1, g2, g3, g4, g5, rowsAndTensor, nested, tensorAux, mixed } from "./aux.js";\n` +
        `const a = g1([0.5, 2]); const b = g1([-0.5, 2]); const c = g2([0.5, 1]); const d = g2([-1, 1]);\n` +
        `const e = g3(0.7, 1); const f = g3(-0.7, 1); const h = g4([2, 3, 4]); const k = g4([2, 3]); const l = g5([0.5, 1]);\n` +
        `console.log(JSON.stringify({\n` +
        `  grads: [a.grad, b.grad, c.grad, d.grad, e.tangent, f.tangent, h.pullback(1), k.pullback(1), l.hessian],\n` +
        `  aux: [a.aux.rows, [...a.aux.t.data], b.aux.rows, [...b.aux.t.data], c.aux, d.aux, [...e.aux.data], [...f.aux.data], h.aux[1], h.aux[0].length, k.aux[1], l.aux],\n` +
        `  plain: [rowsAndTensor([0.5, 2])[1].rows, [...rowsAndTensor([0.5, 2])[1].t.data], rowsAndTensor([-0.5, 2])[1].rows, [...rowsAndTensor([-0.5, 2])[1].t.data], nested([0.5, 1])[1], nested([-1, 1])[1], [...tensorAux(0.7)[1].data], [...tensorAux(-0.7)[1].data], mixed([2, 3, 4])[1][1], mixed([2, 3, 4])[1][0].length, mixed([2, 3])[1][1], nested([0.5, 1])[1]],\n` +
        `}));\n`,
    );
    const r = spawnSync(process.execPath, [path.join(root, "bin/tsgrad.js"), "run", runner], { encoding: "utf8", cwd: project });
    expect(r.stderr).toBe("");
    const { grads, aux, plain } = JSON.parse(r.stdout) as { grads: unknown[]; aux: unknown[]; plain: unknown[] };
    expect(aux).toEqual(plain);
    // closed forms: d(x0²)/dx = [2 x0, 0]; d(3 x1)/dx = [0, 3]; d(x²)/dx = 2x, d(-x)/dx = -1; [x2, 0, x0], [x1, x0]
    expect(grads).toEqual([
      [1, 0],
      [0, 3],
      [1, 0],
      [0, 3],
      1.4,
      -1,
      [4, 0, 2],
      [3, 2],
      [
        [2, 0],
        [0, 0],
      ],
    ]);
  });
});
