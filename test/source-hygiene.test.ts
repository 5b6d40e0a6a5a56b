/**
 * The repository's own source stays as it is meant to read: formatted by prettier (with
 * .prettierrc.json; `npm run format` rewrites it), and no file of the compiler or the runtime
 * longer than 600 lines (a longer one has outgrown its one job: split it by concern).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIRS = ["transformer", "runtime", "language-service"];
const MAX_LINES = 600;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else if (/\.(ts|js|cjs)$/.test(name)) out.push(full);
  }
  return out;
}

const files = SOURCE_DIRS.flatMap((d) => filesUnder(path.join(ROOT, d)));

describe("the source of the compiler and the runtime", () => {
  it("is found", () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it("is formatted by prettier (npm run format)", async () => {
    const unformatted: string[] = [];
    for (const file of files) {
      const options = { ...(await prettier.resolveConfig(file)), filepath: file };
      if (!(await prettier.check(readFileSync(file, "utf8"), options))) unformatted.push(path.relative(ROOT, file));
    }
    expect(unformatted).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: path.relative(ROOT, f), lines: readFileSync(f, "utf8").split("\n").length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
