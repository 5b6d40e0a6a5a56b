/**
 * The tape: saving a value before the forward sweep overwrites it, and the expression that gives
 * it back in the reverse sweep. Outside loops a value is saved in a local of its own; inside
 * them on one of the runtime's shared stacks (one push per overwrite, never per operation), which
 * every generated function leaves as it found them.
 */
import { assign, decl, newVar, ref, zeroValue } from "../../ir/build.js";
import type { Expr, IRType, Stmt, Var } from "../../ir/types.js";
import { STACK } from "../../ir/types.js";
import type { Round, Where } from "./context.js";

/** The stack values of `type` go on, declared in the prelude on first use. */
function stackFor(round: Round, type: IRType): Var {
  if (type.kind !== "num" && type.kind !== "bool") {
    if (!round.stacks.ref) {
      round.stacks.ref = newVar("refStack", STACK, "control");
      round.prelude.push(decl(round.stacks.ref, { k: "newStack", of: "ref" }));
    }
    return round.stacks.ref;
  }
  if (!round.stacks.f64) {
    round.stacks.f64 = newVar("stack", STACK, "control");
    round.prelude.push(decl(round.stacks.f64, { k: "newStack", of: "f64" }));
  }
  return round.stacks.f64;
}

/**
 * Saves `value` (of `type`) before an overwrite, appending the forward-sweep statement to `f`;
 * returns the expression that gives it back in the reverse sweep (a pop, or a local outside
 * loops).
 */
export function save(round: Round, value: Expr, type: IRType, hint: string, where: Where, f: Stmt[]): Expr {
  if (where.loopDepth > 0) {
    const stack = stackFor(round, type);
    f.push({ k: "stackPush", stack, value });
    return { k: "pop", stack, type };
  }
  const saved = newVar(`${hint}_saved`, type, "saved");
  round.prelude.push(decl(saved, zeroValue(type)));
  f.push(assign(saved, value));
  return ref(saved);
}

/**
 * Declares `v` in the prelude (once): a variable of a nested block that the reverse sweep reads,
 * whose forward-sweep scope it would otherwise be outside of.
 */
export function hoist(round: Round, v: Var): void {
  if (round.hoisted.has(v)) return;
  round.hoisted.add(v);
  round.prelude.push(decl(v, zeroValue(v.type)));
}
