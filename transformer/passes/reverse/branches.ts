/**
 * The reverse of `if`: the reverse sweep takes the same branch as the forward sweep did, by
 * evaluating the condition again when it still holds the same value there, or by a direction
 * recorded in the forward sweep.
 */
import { newVar, ref } from "../../ir/build.js";
import type { Expr, Stmt } from "../../ir/types.js";
import { BOOL } from "../../ir/types.js";
import type { Round, Sweeps, Where } from "./context.js";
import { definition } from "./definitions.js";

/** `s` with its branches already reversed (`then` and `otherwise`, see blocks.ts). */
export function reverseIf(round: Round, s: Stmt & { k: "if" }, then: Sweeps, otherwise: Sweeps, where: Where): Sweeps {
  if (then.r.length === 0 && otherwise.r.length === 0) return { f: [{ ...s, then: then.f, else: otherwise.f }], r: [] };
  const { plan } = round;
  const f: Stmt[] = [];
  const after: Stmt[] = [];
  let cond: Expr = s.cond;
  if (!plan.replaysBranch(s, where.loopDepth)) {
    // record the direction taken
    const br = plan.control(s, "branch", () => newVar("branch", BOOL, "control"));
    const d = definition(round, { k: "decl", v: br, init: cond, origin: s.origin }, br, cond, true, where);
    f.push(...d.f);
    after.push(...d.r);
    cond = ref(br);
  }
  f.push({ ...s, cond, then: then.f, else: otherwise.f });
  return { f, r: [{ k: "if", cond, then: then.r, else: otherwise.r, origin: s.origin }, ...after] };
}
