/**
 * Which files the bundler plugins and the loader transform: those that import a marker, resolved
 * through the program (renamed, namespace, re-exported under another name, through a path alias),
 * never by text. A file that only mentions tsgrad, imports only types, or calls a `grad` of its own
 * is left alone.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileFiles } from "tsgrad/compile";
import { importsMarkers } from "../transformer/discover/imports.js";
import { GENERATED_DIR } from "./support/compile.js";

const dir = path.join(GENERATED_DIR, "discover-imports");
const files: Record<string, string> = {
  "ad.ts": `export { grad as derivative } from "tsgrad";\n`,
  "direct.ts": `import { grad } from "tsgrad";\nexport const d = grad((x: number) => x * x);\n`,
  "renamed.ts": `import { valueAndGrad as vg } from "tsgrad";\nexport const d = vg((x: number) => x * x);\n`,
  "namespace.ts": `import * as tg from "tsgrad";\nexport const d = tg.jvp((x: number) => x * x);\n`,
  "reexported.ts": `import { derivative } from "./ad";\nexport const d = derivative((x: number) => x * x);\n`,
  "aliased.ts": `import { derivative } from "@ad";\nexport const d = derivative((x: number) => x * x);\n`,
  "types-only.ts": `import type { Fn } from "tsgrad";\nexport type F = Fn;\n`,
  "tensor-only.ts": `import { tensor } from "tsgrad/tensor";\nexport const t = tensor([1, 2]);\n`,
  "mentions.ts": `// uses tsgrad? no: it only says "tsgrad"\nimport { grad } from "./own";\nexport const d = grad(2);\n`,
  "own.ts": `export function grad(x: number): number { return x; }\n`,
};

describe("importsMarkers", () => {
  // module resolution asks whether the folder exists on disk
  mkdirSync(dir, { recursive: true });
  const memory = new Map(Object.entries(files).map(([n, t]) => [path.join(dir, n), t]));
  const result = compileFiles(
    Object.keys(files).map((n) => path.join(dir, n)),
    { files: memory, compilerOptions: { baseUrl: dir, paths: { "@ad": ["./ad.ts"] } } },
  );
  const checker = result.program.getTypeChecker();
  const uses = (name: string) => importsMarkers(result.program.getSourceFile(path.join(dir, name))!, checker);

  it.each(["direct.ts", "renamed.ts", "namespace.ts", "reexported.ts", "aliased.ts"])("%s imports a marker", (name) => {
    expect(uses(name)).toBe(true);
  });

  it.each(["ad.ts", "types-only.ts", "tensor-only.ts", "mentions.ts", "own.ts"])("%s does not", (name) => {
    expect(uses(name)).toBe(false);
  });
});
