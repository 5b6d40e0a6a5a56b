/**
 * A project of its own under the generated-tests folder, written from `files` (paths under it),
 * with a strict tsconfig, and `tsgrad generate` run on it into `out/`: the folder, for the test
 * to read and type-check what was generated.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATED_DIR } from "./compile.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

export function generatedProject(name: string, files: Record<string, string>): string {
  const project = path.join(GENERATED_DIR, name);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(path.join(project, "src"), { recursive: true });
  writeFileSync(
    path.join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, module: "ESNext", moduleResolution: "Bundler", target: "ES2022", types: [] },
      include: ["src"],
    }),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(project, file), text);
  const r = spawnSync(process.execPath, [path.join(root, "bin/tsgrad.js"), "generate", "-p", project, "--out", path.join(project, "out")], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`generate failed: ${r.stderr}`);
  return project;
}
