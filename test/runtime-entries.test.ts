/**
 * The runtime's two entries: `tsgrad` is what users call (markers, rule helpers), and generated
 * code takes its helpers (the reverse sweep's stacks, adjoint zeros, ...) from `tsgrad/internal`,
 * also when the file gets its markers through a module of the user's that re-exports them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import * as publicEntry from "tsgrad";
import { compileFiles } from "tsgrad/compile";
import * as internalEntry from "tsgrad/internal";
import { compileSource, GENERATED_DIR } from "./support/compile.js";

// a loop that overwrites what the reverse sweep reads back: its gradient needs the shared stack
const NEWTON = `export function root(a: number): number {
  let y = a;
  for (let k = 0; k < 6; k++) y = 0.5 * (y + a / y);
  return y;
}
`;

describe("runtime entries", () => {
  it("the public entry holds what users call, the internal one what generated code calls", () => {
    expect(Object.keys(publicEntry).sort()).toEqual(
      [
        "checkGrad",
        "customJvp",
        "customVjp",
        "grad",
        "hessian",
        "hvp",
        "jacobian",
        "jvp",
        "nonDifferentiable",
        "setTapeBudget",
        "stopGradient",
        "valueAndGrad",
        "vjp",
      ].sort(),
    );
    for (const helper of ["stack", "refStack", "zerosLike", "hessianFromHvp", "jacobianForward", "jacobianReverse", "jacobianRows", "identityDirections", "sameShape", "dot", "roomOnTape"])
      expect(internalEntry, helper).toHaveProperty(helper);
  });

  it("generated code imports its helpers from tsgrad/internal", () => {
    const c = compileSource(`import { grad } from "tsgrad";\n${NEWTON}export const droot = grad(root);\n`);
    expect(c.messages).toEqual([]);
    expect(c.js).toMatch(/^import \* as tsgrad from "tsgrad\/internal";$/m);
    expect(c.js).not.toMatch(/import \* as tsgrad\d* from "tsgrad";/);
  });

  it("and so when the markers come through a module that re-exports them", async () => {
    const dir = path.join(GENERATED_DIR, "runtime-entries");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "ad.ts"), `export { grad as derivative } from "tsgrad";\n`);
    const main = path.join(dir, "main.ts");
    writeFileSync(main, `import { derivative } from "./ad.js";\n${NEWTON}export const droot = derivative(root);\n`);
    const r = compileFiles([main]);
    expect(r.diagnostics).toEqual([]);
    const js = r.outputs.get(main)!;
    // installed, the markers are declared under node_modules/tsgrad: "tsgrad/internal"; here, where
    // "tsgrad" is this repository itself, the internal entry by its path
    expect(js).toMatch(/^import \* as tsgrad from "(tsgrad\/internal|(\.\.\/)+dist\/runtime\/internal\/index\.js)";$/m);
    writeFileSync(path.join(dir, "ad.mjs"), r.outputs.get(path.join(dir, "ad.ts"))!);
    writeFileSync(path.join(dir, "main.mjs"), js.replace('"./ad.js"', '"./ad.mjs"'));
    const m = (await import(/* @vite-ignore */ pathToFileURL(path.join(dir, "main.mjs")).href)) as { droot: (a: number) => number };
    // d sqrt(a)/da = 1 / (2 sqrt(a)); six Newton steps from a = 2 have converged
    expect(m.droot(2)).toBeCloseTo(1 / (2 * Math.sqrt(2)), 10);
    expect(internalEntry.stack.size).toBe(0);
  });
});
