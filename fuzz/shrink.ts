/**
 * Stage 4: shrink a failing program to a small one that fails the same way.
 *
 * The program is its recorded draws (test/support/fuzz/choices.ts). Candidates edit the draws of
 * whole elements: delete a helper or a statement (its span, flag included), replace an
 * expression, a helper or a block by its simplest form (the span replayed as zeros: an atom, no
 * statements, the first option), then single draws set to zero or halved (smaller constants,
 * first choices). Every candidate is a valid program, because the generator decides what the
 * draws mean. A candidate is kept when it fails with the same signature at the same point; the
 * search goes on from it until a whole round keeps nothing or the budget is spent.
 *
 * Candidates are compiled in batches through one Program, like the campaign's programs.
 */
import { createHash } from "node:crypto";
import { Choices, type Span } from "../test/support/fuzz/choices.js";
import { generateProgram } from "../test/support/fuzz/generate.js";
import { moduleSources } from "../test/support/fuzz/harness.js";
import type { Point } from "../test/support/fuzz/checks.js";
import type { GeneratedProgram } from "../test/support/fuzz/spec.js";
import { evaluate, type Outcome } from "./evaluate.js";

export interface Shrunk {
  readonly draws: readonly number[];
  readonly program: GeneratedProgram;
  readonly outcome: Outcome;
  /** Candidates compiled, and kept. */
  readonly tried: number;
  readonly kept: number;
}

interface State {
  draws: number[];
  spans: Span[];
  program: GeneratedProgram;
  outcome: Outcome;
}

type Edit = { readonly kind: "delete"; readonly span: Span } | { readonly kind: "minimize"; readonly span: Span; readonly index: number } | { readonly kind: "draw"; readonly at: number; readonly value: number };

function replay(draws: readonly number[], name: string, edit?: Edit): { program: GeneratedProgram; draws: number[]; spans: Span[] } {
  let prefix = draws;
  let minimize;
  if (edit?.kind === "delete") prefix = [...draws.slice(0, edit.span.start), ...draws.slice(edit.span.end)];
  if (edit?.kind === "draw") prefix = draws.map((d, i) => (i === edit.at ? edit.value : d));
  if (edit?.kind === "minimize") minimize = { span: edit.index, resumeAt: edit.span.end };
  const c = new Choices(prefix, undefined, minimize);
  const program = generateProgram(c, name);
  return { program, draws: c.drawn, spans: c.spans };
}

/** The edits to try on a state, the biggest simplifications first. */
function edits(state: State): Edit[] {
  const bySize = (a: Span, b: Span) => b.end - b.start - (a.end - a.start) || a.start - b.start;
  const deletions = state.spans.filter((s) => s.deletable && s.end > s.start).sort(bySize).map((span): Edit => ({ kind: "delete", span }));
  const minimizations = state.spans
    .map((span, index) => ({ span, index }))
    .filter(({ span }) => span.end - span.start > 1 && state.draws.slice(span.start, span.end).some((d) => d !== 0))
    .sort((a, b) => bySize(a.span, b.span))
    .map(({ span, index }): Edit => ({ kind: "minimize", span, index }));
  const draws: Edit[] = [];
  for (let at = state.draws.length - 1; at >= 0; at--) {
    const d = state.draws[at]!;
    if (d === 0) continue;
    draws.push({ kind: "draw", at, value: 0 });
    if (d > 1) draws.push({ kind: "draw", at, value: Math.floor(d / 2) });
  }
  return [...deletions, ...minimizations, ...draws];
}

function sourceHash(p: GeneratedProgram): string {
  const m = moduleSources(p);
  return createHash("sha1")
    .update(m.main)
    .update(m.lib ?? "")
    .digest("hex");
}

export interface ShrinkOptions {
  readonly workDir: string;
  readonly name: string;
  readonly points: readonly Point[];
  /** Most candidates to compile. */
  readonly budget?: number;
  /** Candidates per compiled batch. */
  readonly batch?: number;
  readonly onProgress?: (tried: number, kept: number, size: number) => void;
}

export async function shrink(draws: readonly number[], target: Outcome, options: ShrinkOptions): Promise<Shrunk> {
  const budget = options.budget ?? 600;
  const batch = options.batch ?? 12;
  const first = replay(draws, options.name);
  let state: State = { ...first, outcome: target };
  const seen = new Set<string>([sourceHash(state.program)]);
  let tried = 0;
  let kept = 0;
  let serial = 0;
  let progress = true;
  while (progress && tried < budget) {
    progress = false;
    const queue = edits(state);
    let at = 0;
    while (at < queue.length && tried < budget) {
      const group: { program: GeneratedProgram; draws: number[]; spans: Span[]; id: string }[] = [];
      while (group.length < batch && at < queue.length) {
        const next = replay(state.draws, options.name, queue[at++]!);
        const hash = sourceHash(next.program);
        if (seen.has(hash)) continue;
        seen.add(hash);
        group.push({ ...next, id: `${options.name}_s${serial++}` });
      }
      if (!group.length) break;
      tried += group.length;
      const outcomes = await evaluate(options.workDir, group.map((g) => ({ id: g.id, program: g.program, points: options.points })), { stopAt: target.signature });
      const hit = outcomes.findIndex((o) => o.signature === target.signature);
      if (hit >= 0) {
        const g = group[hit]!;
        state = { draws: g.draws, spans: g.spans, program: g.program, outcome: outcomes[hit]! };
        kept++;
        progress = true;
        options.onProgress?.(tried, kept, state.draws.length);
        break; // new edits for the smaller program
      }
    }
  }
  return { draws: state.draws, program: state.program, outcome: state.outcome, tried, kept };
}
