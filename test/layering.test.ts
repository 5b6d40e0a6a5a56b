/**
 * The layering of the shipped code (ARCHITECTURE.md, "Layers"): each part of transformer/ and
 * runtime/ imports only the parts below it, and no module imports itself back through a chain of
 * imports. Type-only imports count: a cycle of types is still two modules that cannot be
 * understood one without the other. A cycle is reported as the chain of files.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

/** The repository's own modules a file imports or re-exports (relative specifiers only). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith("."))
    .map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, ".ts")));
}

/**
 * Cycles of a graph, each as the nodes along it: one per back edge of a depth-first walk from the
 * nodes in sorted order, so none exactly when the graph has no cycle.
 */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const visit = (f: string): void => {
    state.set(f, "open");
    trail.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === "open") found.push([...trail.slice(trail.indexOf(t)), t]);
      else if (!state.has(t)) visit(t);
    }
    trail.pop();
    state.set(f, "done");
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return found;
}

function importCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));
  return cycles(graph).map((c) => c.map((f) => path.relative(root, f)));
}

/**
 * What each part may import besides itself: a folder of transformer/ or runtime/, or a module at
 * the top of transformer/. Listed bottom up; everything a part may import is listed before it.
 */
const LAYERS: Record<string, readonly string[]> = {
  // the one table of primitives: plain data, at the bottom, so that the IR's types derive from it
  "transformer/rules/primitives.ts": [],
  "runtime/tensor": [],
  "runtime/internal": ["runtime/tensor"],
  "runtime/types.ts": ["runtime/tensor"],
  "runtime/rules.ts": ["runtime/types.ts"],
  "runtime/markers.ts": ["runtime/tensor", "runtime/types.ts"],
  // and the one setting of the stacks generated code uses that users may change (setTapeBudget)
  "runtime/index.ts": ["runtime/markers.ts", "runtime/rules.ts", "runtime/types.ts", "runtime/internal"],
  "transformer/compiler.ts": [],
  "transformer/refusal.ts": [],
  "transformer/diagnostics.ts": ["transformer/compiler.ts", "transformer/refusal.ts"],
  "transformer/ir": ["transformer/refusal.ts"],
  "transformer/syntax": ["transformer/compiler.ts"],
  "transformer/rules": ["transformer/compiler.ts", "transformer/refusal.ts", "transformer/ir", "runtime/tensor"],
  "transformer/discover": ["transformer/compiler.ts", "transformer/refusal.ts", "transformer/diagnostics.ts", "transformer/ir", "transformer/syntax"],
  "transformer/lower": ["transformer/compiler.ts", "transformer/refusal.ts", "transformer/diagnostics.ts", "transformer/ir", "transformer/syntax", "transformer/rules", "transformer/discover"],
  "transformer/analyse": ["transformer/refusal.ts", "transformer/ir", "transformer/rules"],
  "transformer/passes": ["transformer/refusal.ts", "transformer/ir", "transformer/rules", "transformer/analyse"],
  "transformer/emit": ["transformer/compiler.ts", "transformer/refusal.ts", "transformer/diagnostics.ts", "transformer/ir", "transformer/syntax", "transformer/rules", "transformer/discover", "transformer/analyse"],
};
// every part of the transformer may read the table of primitives
for (const part of Object.keys(LAYERS))
  if (part.startsWith("transformer/") && part !== "transformer/rules/primitives.ts") LAYERS[part] = [...LAYERS[part]!, "transformer/rules/primitives.ts"];
const BELOW_PIPELINE = Object.keys(LAYERS).filter((k) => k.startsWith("transformer/"));
LAYERS["transformer/pipeline"] = BELOW_PIPELINE.filter((k) => k !== "transformer/pipeline");
LAYERS["transformer/index.ts"] = [...BELOW_PIPELINE, "transformer/pipeline"];
LAYERS["transformer/host"] = [...LAYERS["transformer/index.ts"], "transformer/index.ts"];
LAYERS["transformer/cli"] = [...LAYERS["transformer/host"], "transformer/host"];

/** The part a file belongs to: its folder under transformer/ or runtime/, or the file itself at their top (and the table of primitives). */
function partOf(file: string): string {
  const relative = path.relative(root, file).split(path.sep).join("/");
  if (relative === "transformer/rules/primitives.ts") return relative;
  const parts = relative.split("/");
  return parts.length > 2 ? parts.slice(0, 2).join("/") : parts.join("/");
}

describe("import graph", () => {
  const files = [...sourceFiles(path.join(root, "transformer")), ...sourceFiles(path.join(root, "runtime"))];

  it("finds the cycles of a graph, and reads the imports of a file", () => {
    // the detector itself: transformer/index.ts reaches the compiler module
    expect(importsOf(path.join(root, "transformer/index.ts"))).toContain(path.join(root, "transformer/compiler.ts"));
    const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
    expect(cycles(graph({ a: ["b"], b: ["c"], c: ["a"], d: ["a"] }))).toEqual([["a", "b", "c", "a"]]);
    expect(cycles(graph({ a: ["b", "c"], b: ["c"], c: [] }))).toEqual([]);
    expect(cycles(graph({ a: ["a"] }))).toEqual([["a", "a"]]);
  });

  it("imports only downwards: each part of transformer/ and runtime/ imports the parts below it", () => {
    const wrong: string[] = [];
    for (const f of files)
      for (const t of importsOf(f)) {
        const [from, to] = [partOf(f), partOf(t)];
        if (from === to) continue;
        const allowed = LAYERS[from];
        if (!allowed) wrong.push(`${from} has no place in the layers (add it to LAYERS and ARCHITECTURE.md)`);
        else if (!allowed.includes(to)) wrong.push(`${path.relative(root, f)} imports ${path.relative(root, t)}: ${from} may not import ${to}`);
      }
    expect([...new Set(wrong)]).toEqual([]);
  });

  it("has no cycle in transformer/ and runtime/", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(importCycles(files)).toEqual([]);
  });
});
