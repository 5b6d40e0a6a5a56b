/**
 * The data every generating function of the reverse pass is given: the pass's input, its Plan,
 * the values this round saves, and what the round produces besides the two sweeps. A new Round is
 * made for each round of the needed-values fixpoint (index.ts) and passed explicitly; nothing
 * round-specific is kept anywhere else.
 */
import type { Block, Expr, IRFunction, Stmt, Var } from "../../ir/types.js";
import type { Activity } from "../../analyse/activity.js";
import type { Plan } from "./plan.js";

export interface ReverseInput {
  /** Structured, A-normal-form function. */
  readonly fn: IRFunction;
  /** The returned atom. */
  readonly result: Expr;
  readonly activity: Activity;
  /** Parameters (by position) whose adjoints are wanted. */
  readonly wrt: readonly boolean[];
  /** The adjoint of the result to propagate: 1 for a gradient, the cotangent for a pullback. */
  readonly seed: Expr;
}

export interface ReverseOutput {
  /** Adjoint variable of each differentiated parameter leaf; the assembler declares them. */
  readonly paramAdjoints: ReadonlyMap<Var, Var>;
  /** Declarations that must precede both sweeps (hoisted variables, saved values, stacks). */
  readonly prelude: readonly Stmt[];
  readonly forward: readonly Stmt[];
  readonly reverse: readonly Stmt[];
}

/** What a statement (or block) turns into: its forward-sweep and reverse-sweep statements. */
export interface Sweeps {
  readonly f: Stmt[];
  readonly r: Stmt[];
}

/** Where a statement sits in the primal. */
export interface Where {
  /** Loops enclosing the statement in the forward sweep. */
  readonly loopDepth: number;
  /** Blocks enclosing it (0 at the function's top level). */
  readonly nesting: number;
}

export interface Round {
  readonly input: ReverseInput;
  readonly plan: Plan;
  /** Adjoint variable of each differentiated parameter leaf. */
  readonly paramAdjoints: ReadonlyMap<Var, Var>;
  /** The values whose overwrites this round saves; null in the first round, which only probes. */
  readonly needed: ReadonlySet<Var> | null;
  /** Declarations before both sweeps: hoisted variables, saved values, the stacks. */
  readonly prelude: Stmt[];
  /** Variables already declared in the prelude. */
  readonly hoisted: Set<Var>;
  /** The shared stacks, declared on first use (numbers and booleans; everything else). */
  readonly stacks: { f64: Var | null; ref: Var | null };
  /** Variables the reverse sweep recomputes (they are not needed from the forward sweep). */
  readonly recomputedVars: Set<Var>;
  /**
   * The restore expression of each save of a number, boolean or element, and the function's
   * statement it belongs to: how the fixpoint maps a dead restore back to a save to drop.
   */
  readonly restoreOwners: Map<Expr, Stmt>;
  /**
   * Blocks of the reverse sweep that start with forward-sweep code (a checkpointed loop's taped
   * step, checkpoint.ts), and how many statements of it: what that code reads is not needed from
   * the forward sweep (the step runs from a restored state; needed.ts skips it).
   */
  readonly replays: Map<Block, number>;
}

export function newRound(input: ReverseInput, plan: Plan, paramAdjoints: ReadonlyMap<Var, Var>, needed: ReadonlySet<Var> | null): Round {
  return {
    input,
    plan,
    paramAdjoints,
    needed,
    prelude: [],
    hoisted: new Set(),
    stacks: { f64: null, ref: null },
    recomputedVars: new Set(),
    restoreOwners: new Map(),
    replays: new Map(),
  };
}

/** Whether `v` carries a derivative this pass propagates. */
export function isActive(round: Round, v: Var): boolean {
  if (v.role === "param") return round.paramAdjoints.has(v) && round.input.activity.isActive(v);
  return round.input.activity.isActive(v);
}

/** Whether the reverse sweep reads `v` at a point where the forward sweep has overwritten it. */
export function isNeeded(round: Round, v: Var): boolean {
  return round.needed !== null && round.needed.has(v);
}
