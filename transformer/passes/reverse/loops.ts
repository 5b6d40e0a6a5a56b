/**
 * The reverse of loops (for, while, do): forward, the loop, counting its trips; reverse, the
 * body's reverse as many times, an induction variable running backwards from its last value.
 * When the count follows from the loop's test, nothing is counted at all.
 */
import { add, assign, decl, mul, newVar, num, op, ref, sub } from "../../ir/build.js";
import type { Expr, Stmt } from "../../ir/types.js";
import { NUM } from "../../ir/types.js";
import { varsOf } from "../../ir/visit.js";
import { isCheap, type Induction } from "../../analyse/recompute.js";
import type { Round, Sweeps, Where } from "./context.js";
import { definition } from "./definitions.js";
import { checkpointBudget, checkpointedLoop } from "./checkpoint.js";

/**
 * `s` with its body and update already reversed (blocks.ts; with an induction variable the
 * update is not reversed, `update` is empty: the reverse loop runs the counter itself).
 */
export function reverseLoop(
  round: Round,
  s: Stmt & { k: "loop" },
  ind: Induction | null,
  body: Sweeps,
  update: Sweeps,
  where: Where,
): Sweeps {
  const { plan } = round;
  const o = s.origin;
  const f: Stmt[] = [];
  const snapshots = body.r.length === 0 && update.r.length === 0 ? null : checkpointBudget(round, s, ind, where);
  if (snapshots !== null) return checkpointedLoop(round, s, ind!, body, snapshots, where);
  if (body.r.length === 0 && update.r.length === 0) {
    if (ind) f.push(ind.initDecl);
    f.push({ ...s, body: body.f, update: ind ? s.update : update.f });
    return { f, r: [] };
  }
  // a count that follows from the loop's test and what never changes: nothing is kept, the
  // reverse loop starts from the last value in closed form
  const last = ind ? plan.closedFormLast(s, ind) : null;
  if (ind && last) {
    const i = ind.v;
    const first = ind.initDecl.init;
    f.push(ind.initDecl, { ...s, body: body.f, update: s.update });
    const test = ind.step > 0 ? op("ge", ref(i), first) : op("le", ref(i), first);
    const step = [assign(i, sub(ref(i), num(ind.step)), o)];
    const reverse: Stmt = {
      k: "loop",
      test,
      testAtEnd: false,
      body: [...update.r, ...body.r],
      update: step,
      origin: o,
    };
    return { f, r: [decl(i, last, o), reverse] };
  }
  // reverse of the bookkeeping declarations (restoring them when they were saved), in
  // mirrored order after the reverse loop
  const after: Stmt[] = [];
  const trips = plan.control(s, "trips", () => newVar("trips", NUM, "control"));
  const tripsDef = definition(round, { k: "decl", v: trips, init: num(0), origin: o }, trips, num(0), true, where);
  f.push(...tripsDef.f);
  after.unshift(...tripsDef.r);
  if (ind) f.push(ind.initDecl);
  let first: Expr | null = null;
  if (ind) {
    const init = ind.initDecl.init;
    // a first value computed from what never changes (x.length - 1) is recomputed, not kept
    if (init.k === "num" || (isCheap(init) && [...varsOf(init)].every((u) => plan.neverWritten(u)))) first = init;
    else {
      const firstVar = plan.control(s, "first", () => newVar(`${ind.v.name}_first`, NUM, "control"));
      const firstDecl: Stmt = { k: "decl", v: firstVar, init: ref(ind.v), origin: o };
      const firstDef = definition(round, firstDecl, firstVar, ref(ind.v), true, where);
      f.push(...firstDef.f);
      after.unshift(...firstDef.r);
      first = ref(firstVar);
    }
  }
  f.push({ ...s, body: [assign(trips, add(ref(trips), num(1)), o), ...body.f], update: ind ? s.update : update.f });
  const revBody = [...update.r, ...body.r];
  if (ind && first) {
    // i runs from its last value back to its first: i = first + (trips - 1) * step, ...
    const i = ind.v;
    const last = add(first, mul(sub(ref(trips), num(1)), num(ind.step)));
    const test = ind.step > 0 ? op("ge", ref(i), first) : op("le", ref(i), first);
    const step = [assign(i, sub(ref(i), num(ind.step)), o)];
    const reverse: Stmt = { k: "loop", test, testAtEnd: false, body: revBody, update: step, origin: o };
    return { f, r: [decl(i, last, o), reverse, ...after] };
  }
  const k = newVar("trip", NUM, "local");
  const countDown = [assign(k, sub(ref(k), num(1)), o)];
  const reverse: Stmt = {
    k: "loop",
    test: op("gt", ref(k), num(0)),
    testAtEnd: false,
    body: revBody,
    update: countDown,
    origin: o,
  };
  return { f, r: [decl(k, ref(trips), o), reverse, ...after] };
}
