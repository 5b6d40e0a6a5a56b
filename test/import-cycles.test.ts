/**
 * The layering of the shipped code: no module of transformer/ or runtime/ imports itself back
 * through a chain of imports (type-only imports included: a cycle of types is still two modules
 * that cannot be understood one without the other). A cycle is reported as the chain of files.
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

  it("has no cycle in transformer/ and runtime/", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(importCycles(files)).toEqual([]);
  });
});
