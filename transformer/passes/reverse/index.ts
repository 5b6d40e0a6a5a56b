/**
 * Reverse mode (adjoint) pass: IR -> IR.
 *
 * Input: a function in A-normal form with structured control flow (passes/structure.ts) and its
 * activity. Output: a forward sweep (the primal, plus whatever it must record) and a reverse
 * sweep (adjoint statements in reverse order), which the assembler wraps into a gradient,
 * value-and-gradient or pullback function.
 *
 * The invariant that makes it work: at the reverse point of each statement, every primal
 * variable the reverse sweep reads ("needed") holds the value it had when that statement ran
 * forward. It is kept by
 *   - saving a needed value before the forward sweep overwrites it and restoring it when the
 *     reverse sweep passes that write (tape.ts);
 *   - recomputing cheap values instead of saving them, when their inputs did not change since
 *     (analyse/recompute.ts, decided once in plan.ts);
 *   - replaying loops by trip count (loops.ts) and branches by their condition when it still
 *     holds, or by a recorded direction (branches.ts).
 *
 * Where each construct is reversed: blocks.ts (blocks, the dispatch), definitions.ts
 * (assignments, element stores, pushes), partials.ts (primitive operations), calls.ts (calls,
 * custom rules, tensor operations), arrays.ts and records.ts (their adjoints), branches.ts,
 * loops.ts. Adjoint variables: adjoints.ts.
 *
 * Which values are needed is found by rounds (below): generate the sweeps, read what the reverse
 * sweep reads (needed.ts), generate again saving those values.
 */
import { newVar } from "../../ir/build.js";
import type { Param, Var } from "../../ir/types.js";
import { countWork } from "../../ir/work.js";
import { newRound, type ReverseInput, type ReverseOutput, type Round } from "./context.js";
import { seedStatements } from "./adjoints.js";
import { reverseBlock } from "./blocks.js";
import { deadRestores, neededValues } from "./needed.js";
import { Plan } from "./plan.js";

export type { ReverseInput, ReverseOutput } from "./context.js";

export function reversePass(input: ReverseInput): ReverseOutput {
  const paramAdjoints = new Map<Var, Var>();
  input.fn.params.forEach((p: Param, i) => {
    if (!input.wrt[i]) return;
    for (const leaf of p.leaves)
      if (leaf.type.kind === "num" || leaf.type.kind === "array" || leaf.type.kind === "tensor")
        paramAdjoints.set(
          leaf,
          newVar(`${leaf.name}_bar`, leaf.type, "adjoint", {
            shapeLike: leaf,
            ...(leaf.type.kind === "array" ? { owned: true } : {}),
          }),
        );
  });
  const plan = new Plan(input.fn.body);
  for (const [leaf, adj] of paramAdjoints) (leaf.type.kind === "array" ? plan.arrayAdjoints : plan.scalarAdjoints).set(leaf, adj);
  // Generate without saves to learn what the reverse sweep reads; then generate again saving
  // those values. Saving adds restores, which may read more (a restore under a branch reads the
  // branch condition): repeat until the needed set stops growing.
  // Restores that nothing in the reverse sweep reads before the variable changes again are dead:
  // their saves are dropped in the next round (an accumulator's old values in `s += e`).
  let needed: Set<Var> | null = null;
  for (let rounds = 1; ; rounds++) {
    countWork("reverse.rounds");
    const current = newRound(input, plan, paramAdjoints, needed);
    const draft = generate(current);
    const found = neededValues(draft.reverse, current);
    const stable = needed !== null && [...found].every((v) => needed!.has(v));
    // a restore is dead only in a draft with every needed save: before that, code that reads it
    // (the replay of a branch whose direction is not saved yet) may still be missing
    const dead = stable ? deadRestores(draft.reverse, current) : [];
    for (const s of dead) plan.skipSaves.add(s);
    if (stable && dead.length === 0) return { paramAdjoints, ...draft };
    needed = new Set([...(needed ?? []), ...found]);
    if (rounds > 21) throw new Error("reverse pass: the set of needed values does not converge");
  }
}

/** One round: both sweeps of the whole function, saving the round's needed values. */
function generate(round: Round): Omit<ReverseOutput, "paramAdjoints"> {
  const body = round.input.fn.body.filter((s) => s.k !== "return");
  const { f, r, adjointDecls } = reverseBlock(round, body, { loopDepth: 0, nesting: 0 });
  // the seed goes right after the top-level adjoint declarations
  const reverse = [...r.slice(0, adjointDecls), ...seedStatements(round), ...r.slice(adjointDecls)];
  return { prelude: round.prelude, forward: f, reverse };
}
