/**
 * Binomial checkpointing (revolve) of a loop's reverse sweep: memory bounded by a number of
 * snapshots of the loop-carried state instead of growing with the trip count.
 *
 * The plain sweep (loops.ts) saves what every iteration overwrites. A checkpointed loop instead
 * has three pieces, driven by the runtime's schedule (runtime/internal/checkpoints.ts), which
 * knows the trip count before the loop runs:
 *   - advance: the primal body, nothing saved (a copy of the source body with its own locals);
 *   - store / restore: the loop-carried state (the numbers and booleans the body assigns, the
 *     counter, the contents of arrays it writes into) copied to or from a snapshot;
 *   - step: a stretch of iterations (the runtime says how many, a few dozen) reversed with the
 *     plain sweep: the body's forward sweep over the stretch, pushing what it overwrites, then
 *     its reverse sweep popping it all: the stacks hold one stretch at most.
 * The forward sweep runs the loop to its end, storing the snapshots the schedule asks for; at the
 * loop's reverse point the schedule restores, advances, stores and steps until every iteration
 * is reversed, last to first. The schedule's unit is the stretch, so that its bookkeeping (a few
 * runtime calls per action) is paid once per stretch rather than once per iteration.
 *
 * A loop is checkpointed when its comments ask for it (`// @tsgrad checkpoint 50`, lowering reads
 * them) or, unasked, when its trip count is a constant of at least AUTO_TRIPS. What the scheme
 * cannot reverse is refused when asked for, and left to the plain sweep otherwise.
 */
import { assign, call, decl, newVar, num, op, ref, sub, add } from "../../ir/build.js";
import type { Block, Expr, Stmt, Var } from "../../ir/types.js";
import { NUM, STACK, VOID } from "../../ir/types.js";
import { exprEquals, forEachStmt, mapBlock, mapStmtExprs, stmtExprs, substitute, varsOf, writesOf } from "../../ir/visit.js";
import { foldEvaluator } from "../../rules/primitives.js";
import type { Induction } from "../../analyse/recompute.js";
import { refuse, TSG } from "../../refusal.js";
import type { Round, Sweeps, Where } from "./context.js";
import { hoist } from "./tape.js";

/** An unannotated loop whose trip count is a constant of at least this is checkpointed. */
export const AUTO_TRIPS = 100_000;
/** Snapshots when none are asked for: binom(100 + 4, 4) > 4.6 million, so 4 recomputations at most up to there. */
export const DEFAULT_SNAPSHOTS = 100;

/** The loop-carried state: what a snapshot holds. */
interface State {
  readonly scalars: readonly Var[];
  readonly arrays: readonly Var[];
}

/** The snapshots to checkpoint `s` with, or null for the plain sweep; refuses what was asked but cannot be. */
export function checkpointBudget(round: Round, s: Stmt & { k: "loop" }, ind: Induction | null, where: Where): number | null {
  const asked = s.checkpoint;
  if (asked === "off") return null;
  if (!asked) {
    // unasked: only a loop whose constant trip count is large, and only where it works
    const trips = ind ? staticTrips(round, s, ind) : null;
    if (trips === null || trips < AUTO_TRIPS) return null;
    return whyNot(round, s, ind, where) === null ? DEFAULT_SNAPSHOTS : null;
  }
  const reason = whyNot(round, s, ind, where);
  if (reason !== null)
    refuse(
      TSG.checkpoint,
      s.origin,
      `this loop cannot be checkpointed: ${reason}`,
      "checkpointing needs a `for` loop, not inside another loop, whose trip count is known when it starts (a counter against a bound the loop does not change), carrying numbers and arrays it writes in place; remove `@tsgrad checkpoint` for the plain sweep",
    );
  return asked.snapshots ?? DEFAULT_SNAPSHOTS;
}

/** Why `s` cannot be checkpointed, or null when it can. */
function whyNot(round: Round, s: Stmt & { k: "loop" }, ind: Induction | null, where: Where): string | null {
  if (where.loopDepth > 0) return "it is inside another loop";
  if (!ind || s.testAtEnd || !round.plan.closedFormLast(s, ind))
    return "its trip count is not known before it runs (the schedule needs a counter stepping by 1 against a bound the loop does not change, and not read after the loop; not a `while` on data the loop computes)";
  const state = loopState(round, s);
  return typeof state === "string" ? state : null;
}

/** The loop's constant trip count, when its first and last counter values are constants. */
function staticTrips(round: Round, s: Stmt & { k: "loop" }, ind: Induction): number | null {
  const last = round.plan.closedFormLast(s, ind);
  const first = constant(ind.initDecl.init);
  const end = last ? constant(last) : null;
  if (first === null || end === null) return null;
  return Math.max(0, (end - first) * Math.sign(ind.step) + 1);
}

function constant(e: Expr): number | null {
  if (e.k === "num") return e.value;
  if (e.k !== "op") return null;
  const f = foldEvaluator(e.op);
  const args = e.args.map(constant);
  if (!f || args.some((a) => a === null)) return null;
  return f(...(args as number[]));
}

/** The variables a snapshot must hold, or why the loop's state cannot be snapshotted. */
function loopState(round: Round, s: Stmt & { k: "loop" }): State | string {
  const blocks = [s.body, s.update];
  const declared = new Set<Var>();
  let problem: string | null = null;
  forEachStmt([...s.body, ...s.update], (t) => {
    if (t.k === "decl") declared.add(t.v);
    if ((t.k === "push" || t.k === "truncate") && problem === null) problem = `it appends to \`${t.arr.name}\``;
  });
  if (problem) return problem;
  const written = new Set<Var>();
  for (const b of blocks) for (const v of writesOf(b)) for (const name of round.plan.writes.namesOf(v)) written.add(name);
  const assigned = new Set<Var>();
  forEachStmt([...s.body, ...s.update], (t) => {
    if (t.k === "assign") assigned.add(t.v);
  });
  const scalars: Var[] = [];
  const arrays: Var[] = [];
  for (const v of written) {
    if (declared.has(v)) continue;
    if (v.type.kind === "num" || v.type.kind === "bool") scalars.push(v);
    else if (v.type.kind === "array" && v.type.elem.kind === "num" && !assigned.has(v)) {
      if (v.role === "param" || v.owned !== true) return `it writes into \`${v.name}\`, an array it does not own`;
      // scratch (every element written before it is read, each iteration): nothing to keep
      if (!overwrittenEachIteration(round, s, v)) arrays.push(v);
    } else if (v.type.kind === "array") return `it gives \`${v.name}\` a new array (write the new values into it in place)`;
    else return `it changes \`${v.name}\`, which is neither a number nor an array of numbers`;
  }
  return { scalars, arrays };
}

/**
 * Whether each iteration of `s` writes every element of the array `v` before reading any, and
 * nothing outside `s` reads `v`: then no one ever reads what `v` holds when a snapshot would be
 * taken, and snapshots leave it out (a restored state holds stale values there, which the
 * iteration overwrites first). One form is recognised, the usual scratch buffer: the body's first
 * statement mentioning `v` is `for (let j = 0; j < n; j++) { ... v[j] = value ... }`, the store at
 * that loop's top level, the loop reading nothing of `v`, and `n` the length of `v` (`v.length`,
 * or the constant or constant variable `v` was allocated with). Anything else is snapshotted.
 */
function overwrittenEachIteration(round: Round, s: Stmt & { k: "loop" }, v: Var): boolean {
  const fn = round.input.fn;
  if (readOutside(fn.body, s, v) || s.update.some((t) => mentions(t, v))) return false;
  const first = s.body.find((t) => mentions(t, v));
  if (!first || first.k !== "loop" || first.testAtEnd || !first.test) return false;
  const ind = round.plan.inductions.get(first);
  const init = ind?.initDecl.init;
  if (!ind || ind.step !== 1 || init?.k !== "num" || init.value !== 0) return false;
  const test = first.test;
  if (test.k !== "op" || test.op !== "lt" || !isRef(test.args[0]!, ind.v) || !isLengthOf(round, test.args[1]!, v)) return false;
  const writesEach = first.body.some((t) => t.k === "store" && t.arr === v && !t.accumulate && isRef(t.index, ind.v));
  return writesEach && ![...first.body, ...first.update].some((t) => reads(t, v));
}

/** Whether `n` is the length of the array `v`, which is never given another array. */
function isLengthOf(round: Round, n: Expr, v: Var): boolean {
  if (n.k === "len" && isRef(n.arr, v)) return true;
  let allocated: Expr | null = null;
  forEachStmt(round.input.fn.body, (t) => {
    if (t.k !== "decl" || t.v !== v) return;
    if (t.init.k === "alloc") allocated = t.init.length;
    else if (t.init.k === "arrayLit") allocated = num(t.init.elems.length);
  });
  if (allocated === null || !exprEquals(allocated, n)) return false;
  return n.k === "num" || (n.k === "var" && constantNumber(round, n.v));
}

/**
 * Whether `v` holds one value wherever it is read: a parameter or a variable declared once and
 * never assigned (a declaration in scope at a loop that is inside no other loop runs once).
 */
function constantNumber(round: Round, v: Var): boolean {
  if (v.type.kind !== "num") return false;
  if (round.plan.neverWritten(v)) return true;
  let declarations = 0;
  let assigned = false;
  forEachStmt(round.input.fn.body, (t) => {
    if (t.k === "decl" && t.v === v) declarations++;
    if (t.k === "assign" && t.v === v) assigned = true;
  });
  return declarations === 1 && !assigned;
}

const isRef = (e: Expr, v: Var): boolean => e.k === "var" && e.v === v;

/** Whether a statement, nested ones included, reads `v` (any expression naming it). */
function reads(t: Stmt, v: Var): boolean {
  let found = false;
  forEachStmt([t], (u) => {
    if (!found) found = stmtExprs(u).some((e) => varsOf(e).has(v));
  });
  return found;
}

/** Whether a statement reads or writes `v`. */
function mentions(t: Stmt, v: Var): boolean {
  let found = reads(t, v);
  forEachStmt([t], (u) => {
    if ((u.k === "store" || u.k === "assign" || u.k === "push" || u.k === "truncate") && ("arr" in u ? u.arr : u.v) === v) found = true;
  });
  return found;
}

/** Whether a statement of `block` outside the loop `s` reads `v`. */
function readOutside(block: Block, s: Stmt, v: Var): boolean {
  return block.some((t) => {
    if (t === s) return false;
    if (stmtExprs(t).some((e) => varsOf(e).has(v))) return true;
    if (t.k === "if") return readOutside(t.then, s, v) || readOutside(t.else, s, v);
    if (t.k === "loop") return readOutside(t.body, s, v) || readOutside(t.update, s, v);
    return false;
  });
}

/** The checkpointed loop: its forward-sweep and reverse-sweep parts. */
export function checkpointedLoop(
  round: Round,
  s: Stmt & { k: "loop" },
  ind: Induction,
  body: Sweeps,
  snapshots: number,
  where: Where,
): Sweeps {
  const o = s.origin;
  const state = loopState(round, s) as State;
  const last = round.plan.closedFormLast(s, ind)!;
  const first = ind.initDecl.init;
  const span = ind.step > 0 ? difference(last, first) : difference(first, last);
  // the same variables in every round of the pass (index.ts), so that what is needed converges
  const trips = round.plan.control(s, "trips", () => newVar("trips", NUM, "control"));
  const ck = round.plan.control(s, "checkpoints", () => newVar("checkpoints", STACK, "control"));
  const action = round.plan.control(s, "action", () => newVar("action", NUM, "control"));
  const runtime = (key: string, args: Expr[], type = NUM): Expr => call({ kind: "runtime", key }, [ref(ck), ...args], type);
  const effect = (key: string, args: Expr[]): Stmt => decl(newVar("effect", VOID, "temp"), runtime(key, args, VOID), o);
  const saves: Stmt[] = [
    ...state.scalars.map((v, j) => effect("checkpointSave", [num(j), ref(v)])),
    ...state.arrays.map((v, j) => effect("checkpointSaveArray", [num(j), ref(v)])),
  ];
  const restores: Stmt[] = [
    ...state.scalars.map((v, j) =>
      assign(v, runtime(v.type.kind === "bool" ? "checkpointRestoreBool" : "checkpointRestore", [num(j)], v.type), o),
    ),
    ...state.arrays.map((v, j) => effect("checkpointRestoreArray", [num(j), ref(v)])),
  ];
  const advance = (): Stmt[] => {
    const t = newVar("t", NUM, "local");
    const steps = renameLocals([...s.body, ...s.update]);
    return [
      decl(t, num(0), o),
      {
        k: "loop",
        test: op("lt", ref(t), ref(action)),
        testAtEnd: false,
        body: steps,
        update: [assign(t, add(ref(t), num(1)), o)],
        origin: o,
      },
    ];
  };
  const driver = (next: string, choices: Stmt[]): Stmt => ({
    k: "loop",
    test: op("ne", ref(action), { k: "field", obj: ref(ck), key: "DONE" }),
    testAtEnd: false,
    body: [...choices, assign(action, call({ kind: "runtime", key: next }, [ref(ck)], NUM), o)],
    update: [],
    origin: o,
  });
  // the action codes are read by name from the schedule's object: `action === checkpoints.STEP`
  const when = (code: "STORE" | "RESTORE" | "STEP", then: Block, otherwise: Block): Stmt => ({
    k: "if",
    cond: op("eq", ref(action), { k: "field", obj: ref(ck), key: code }),
    then,
    else: otherwise,
    origin: o,
  });
  // the schedule's object and the action are declared before both sweeps, which read them both;
  // so is the counter, which the reverse sweep restores, when the loop is inside a branch
  round.prelude.push(
    decl(
      ck,
      call({ kind: "runtime", key: "checkpoints" }, [num(snapshots), num(state.scalars.length), num(state.arrays.length)], STACK),
      o,
    ),
    decl(action, num(0), o),
  );
  if (where.nesting > 0) hoist(round, ind.v);
  const f: Stmt[] = [
    where.nesting > 0 ? assign(ind.v, ind.initDecl.init, o) : ind.initDecl,
    decl(trips, op("max", num(0), span), o),
    assign(action, runtime("checkpointStart", [ref(trips)]), o),
    // the forward sweep: the loop to its end, storing the snapshots the schedule asks for
    driver("checkpointForward", [when("STORE", saves, advance())]),
  ];
  const step = stretch(round, s, ind, body);
  const r: Stmt[] = [
    assign(action, runtime("checkpointReverse", []), o),
    // the reverse sweep: a stretch at a time, each taped and reversed from its own state
    driver("checkpointReverse", [when("STEP", step, [when("RESTORE", restores, [when("STORE", saves, advance())])])]),
  ];
  return { f, r };
}

/**
 * The plain sweep of the stretch of iterations a STEP asks for, from the state restored or
 * advanced to: the body's forward sweep that many times (the counter stepping up), then its
 * reverse sweep as many times (the counter stepping back down, to where the stretch began).
 */
function stretch(round: Round, s: Stmt & { k: "loop" }, ind: Induction, body: Sweeps): Stmt[] {
  const o = s.origin;
  const ck = round.plan.control(s, "checkpoints", () => newVar("checkpoints", STACK, "control"));
  const length = round.plan.control(s, "stretch", () => newVar("stretch", NUM, "control"));
  const t = round.plan.control(s, "stretchStep", () => newVar("t", NUM, "control"));
  const i = ind.v;
  const taped: Stmt = {
    k: "loop",
    test: op("lt", ref(t), ref(length)),
    testAtEnd: false,
    body: [...body.f, assign(i, add(ref(i), num(ind.step)), o)],
    update: [assign(t, add(ref(t), num(1)), o)],
    origin: o,
  };
  const reversed: Stmt = {
    k: "loop",
    test: op("gt", ref(t), num(0)),
    testAtEnd: false,
    body: [assign(i, sub(ref(i), num(ind.step)), o), ...body.r],
    update: [assign(t, sub(ref(t), num(1)), o)],
    origin: o,
  };
  const step: Stmt[] = [
    decl(length, call({ kind: "runtime", key: "checkpointStepLength" }, [ref(ck)], NUM), o),
    decl(t, num(0), o),
    taped,
    reversed,
  ];
  // what the taped stretch reads runs from a restored state, not from the forward sweep (needed.ts)
  round.replays.set(step, 3);
  return step;
}

/** `last - first + 1`, written as `n - first` for the usual `last = n - 1`, and as `n` when first is 0. */
function difference(last: Expr, first: Expr): Expr {
  const n =
    last.k === "op" && last.op === "sub" && last.args[1]!.k === "num" && last.args[1]!.value === 1 ? last.args[0]! : add(last, num(1));
  return first.k === "num" && first.value === 0 ? n : sub(n, first);
}

/** A copy of `block` whose declared variables are new ones (a second copy of the same code). */
function renameLocals(block: Block): Stmt[] {
  const fresh = new Map<Var, Var>();
  forEachStmt(block, (t) => {
    if (t.k === "decl") fresh.set(t.v, newVar(t.v.name, t.v.type, t.v.role, { ...(t.v.owned !== undefined ? { owned: t.v.owned } : {}) }));
  });
  if (fresh.size === 0) return [...block];
  const refs = new Map<Var, Expr>([...fresh].map(([a, b]) => [a, ref(b)]));
  return mapBlock(block, (t) => {
    const u = mapStmtExprs(t, (e) => substitute(e, refs));
    if ((u.k === "decl" || u.k === "assign") && fresh.has(u.v)) return { ...u, v: fresh.get(u.v)! };
    if ((u.k === "store" || u.k === "push") && fresh.has(u.arr)) return { ...u, arr: fresh.get(u.arr)! };
    return u;
  });
}
