/**
 * Split mode for recursive calls, in emitted code. A pullback in joint mode (`h_adjoint`)
 * recomputes its function's primal before its reverse sweep, and its caller's forward sweep ran
 * that primal already: in a recursion each level recomputes every level below it, so the
 * derivative costs the primal times the depth (det's expansion by minors: 7 to 10 times the
 * primal). Split mode runs each level's forward sweep once:
 *
 *     t = minorDeterminant_forward(a, ell, row + 1, used2);   // the forward sweep: the value,
 *                                                             // and what its reverse reads saved
 *     ...
 *     minorDeterminant_reverse(a, ell, row + 1, used2, seed, a_bar);   // pops it back
 *
 * The forward half is the pullback's forward sweep that also keeps the function's value, and
 * pushes onto the shared stacks, at its end, every local its reverse sweep reads; the reverse half
 * pops them, then runs the reverse sweep. The stacks stay balanced because the caller's reverse
 * sweep runs each call's reverse exactly where it mirrors the call's forward: the reverse pass
 * marks the two calls as a pair (Expr `pair`), and a pair is split only where each of its calls
 * occurs once in the function, each in its sweep, and nothing replays a forward sweep
 * (checkpointed loops do). The rewrite is made before simplification, which then neither moves
 * nor drops the halves (they have effects, ir/keys.ts derivesFromPullback): a primal call moved
 * past the caller's own pushes would push its saved values out of their order.
 *
 * Only emitted code is rewritten: forward mode over a split half would have to carry tangents
 * through the stacks, so the IR other passes differentiate keeps the joint calls.
 */
import { decl, assign, newVar, ref, zeroValue } from "../ir/build.js";
import { derivedKey } from "../ir/keys.js";
import type { Block, Expr, IRType, Stmt, Var } from "../ir/types.js";
import { BOOL, STACK } from "../ir/types.js";
import { forEachStmt, forEachSubExpr, mapBlock, mapExpr, mapStmtExprs, stmtExprs } from "../ir/visit.js";
import { isCheckpointCall } from "../ir/calls.js";
import type { Assembled } from "./assemble.js";

type Call = Expr & { k: "call" };

/** Whether calls of the source function `key` may go through its split halves, for these active arguments. */
export type CanSplit = (active: readonly boolean[], key: string) => boolean;

/**
 * `body` with each pair of calls that may be split calling the two halves, where the shared
 * stacks have room (`roomOnTape`, a budget of values): split mode saves values for every call of
 * the recursion's whole tree, so past the budget a call recomputes in joint mode, as before, and
 * memory grows with the depth only. The choice is saved beside the call:
 *
 *     const room = tsgrad.roomOnTape();
 *     if (room) t = h_forward(args); else t = h(args);
 *     stack.pushBool(room);
 *     ...
 *     const taped = stack.popBool();
 *     if (taped) h_reverse(args, seed, x_bar); else h_adjoint(args, seed, x_bar);
 */
export function splitCalls(body: Block, canSplit: CanSplit): Block {
  const forward = new Map<number, Call[]>();
  const reverse = new Map<number, Call[]>();
  /** Pairs with a call elsewhere (the simplifier moved a primal call past the reverse sweep's start). */
  const misplaced = new Set<number>();
  let replays = false;
  // the forward call before the reverse sweep begins, the pullback's after
  const marker = body.findIndex((s) => s.k === "section" && s.sweep === "reverse");
  if (marker < 0) return body;
  /** Calls in statements of the shapes rewritten below. */
  const shaped = new Set<Call>();
  body.forEach((top, at) =>
    forEachStmt([top], (s) => {
      const call = forwardCallOf(s) ?? reverseCallOf(s);
      if (call) shaped.add(call);
      for (const e of stmtExprs(s))
        forEachSubExpr(e, (x) => {
          if (x.k !== "call") return;
          if (isCheckpointCall(x.fn)) replays = true;
          if (x.pair === undefined) return;
          const into = x.fn.kind === "user" && at < marker ? forward : x.fn.kind === "vjp" && at > marker ? reverse : undefined;
          if (!into) return void misplaced.add(x.pair);
          const calls = into.get(x.pair) ?? [];
          calls.push(x);
          into.set(x.pair, calls);
        });
    }),
  );
  if (replays || reverse.size === 0) return body;
  /** Each call of a pair split, with its split half. */
  const halves = new Map<Call, Call>();
  for (const [pair, [adjoint, ...more]] of reverse) {
    const primal = forward.get(pair);
    if (!adjoint || more.length > 0 || primal?.length !== 1 || misplaced.has(pair) || adjoint.fn.kind !== "vjp") continue;
    if (!shaped.has(primal[0]!) || !shaped.has(adjoint)) continue;
    const { key, active } = adjoint.fn;
    if (primal[0]!.fn.key !== key || !canSplit(active, key)) continue;
    halves.set(primal[0]!, { ...primal[0]!, fn: { kind: "user", key: derivedKey("splitForward", active, key) } });
    halves.set(adjoint, { ...adjoint, fn: { kind: "user", key: derivedKey("splitReverse", active, key) } });
  }
  if (halves.size === 0) return body;
  // the choices go on the number stack the function already declares, or one it declares first
  const known = body.find((s) => s.k === "decl" && s.init.k === "newStack" && s.init.of === "f64");
  const stack = known?.k === "decl" ? known.v : newVar("stack", STACK, "control");
  const declared: Stmt[] = known ? [] : [decl(stack, { k: "newStack", of: "f64" })];
  const rewritten = mapBlock(body, (s): Stmt | Stmt[] => {
    const primal = forwardCallOf(s);
    if (primal && halves.has(primal) && (s.k === "decl" || s.k === "assign")) {
      const room = newVar("room", BOOL, "control");
      const roomCall: Expr = { k: "call", fn: { kind: "runtime", key: "roomOnTape" }, args: [], type: BOOL };
      const into = (value: Expr): Stmt => assign(s.v, value, s.origin);
      return [
        decl(room, roomCall, s.origin),
        ...(s.k === "decl" ? [decl(s.v, zeroValue(s.v.type), s.origin)] : []),
        { k: "if", cond: ref(room), then: [into(halves.get(primal)!)], else: [into(primal)], origin: s.origin },
        { k: "stackPush", stack, value: ref(room), origin: s.origin },
      ];
    }
    const adjoint = reverseCallOf(s);
    if (adjoint && halves.has(adjoint)) {
      const taped = newVar("taped", BOOL, "control");
      const [before, onTape, recomputed] = withEither(s, adjoint, halves.get(adjoint)!);
      return [
        decl(taped, { k: "pop", stack, type: BOOL }, s.origin),
        ...before,
        { k: "if", cond: ref(taped), then: [onTape], else: [recomputed], origin: s.origin },
      ];
    }
    return s;
  });
  return [...declared, ...rewritten];
}

/** The call of a source function a forward-sweep statement makes: `t = h(args)`, as the reverse pass writes it. */
function forwardCallOf(s: Stmt): Call | null {
  const value = s.k === "decl" ? s.init : s.k === "assign" ? s.value : null;
  return value?.k === "call" && value.fn.kind === "user" && value.pair !== undefined ? value : null;
}

/**
 * The pullback call a reverse-sweep statement makes, in the shapes the reverse pass writes: a
 * call declared (for its effect, or its adjoints), or added into an adjoint.
 */
function reverseCallOf(s: Stmt): Call | null {
  let value: Expr | undefined;
  if (s.k === "decl") value = s.init;
  else if (s.k === "store" && s.accumulate) value = s.value;
  else if (s.k === "assign" && s.value.k === "op" && s.value.op === "add") {
    const [a, b] = s.value.args;
    value = a?.k === "var" && a.v === s.v ? b : b?.k === "var" && b.v === s.v ? a : undefined;
  }
  return value?.k === "call" && value.fn.kind === "vjp" && value.pair !== undefined ? value : null;
}

/**
 * `s` (of reverseCallOf's shapes) calling the reverse half `half` instead of the pullback `call`,
 * and calling it as it was: what goes before the branch, and its two branches.
 */
function withEither(s: Stmt, call: Call, half: Call): [Stmt[], Stmt, Stmt] {
  const swap = (with_: Call): Stmt => mapStmtExprs(s, (e) => mapExpr(e, (x) => (x === call ? with_ : x)));
  if (s.k !== "decl") return [[], swap(half), swap(call)];
  // a declared result: declared before the branch, assigned in each
  if (s.v.type.kind === "void") return [[], decl(s.v, half, s.origin), decl(newVar(s.v.name, s.v.type, "temp"), call, s.origin)];
  return [[decl(s.v, zeroValue(s.v.type), s.origin)], assign(s.v, half, s.origin), assign(s.v, call, s.origin)];
}

/** The two halves of a pullback, as assembled functions. */
export interface SplitHalves {
  readonly forward: Assembled;
  readonly reverse: Assembled;
}

/**
 * Cuts a pullback that keeps its value (assembleValuePullback, simplified, its own pairs split)
 * into its two halves; null where it cannot be: its forward sweep reads the seed or the adjoint
 * arrays it is given, or replays a forward sweep (checkpointing), or its sections are not where
 * assembly put them. `primalParams`: how many of its parameters are the function's own; `sink`,
 * the stack whose one push holds the value (it keeps the value alive through simplification), of
 * type `valueType`.
 */
export function cutAtSweeps(pullback: Assembled, primalParams: number, sink: Var, valueType: IRType): SplitHalves | null {
  const body = pullback.body;
  const at = body.findIndex((s) => s.k === "section" && s.sweep === "reverse");
  const keep = body.findIndex((s) => s.k === "stackPush" && s.stack === sink);
  if (at < 0 || keep < 0 || keep > at) return null;
  const kept = body[keep] as Stmt & { k: "stackPush" };
  const before = body.slice(0, at).filter((s) => s !== kept && !(s.k === "decl" && s.v === sink));
  const after = body.slice(at);
  const pullbackOnly = new Set(pullback.params.slice(primalParams));
  let cannot = false;
  forEachStmt(before, (s) => {
    for (const e of stmtExprs(s))
      forEachSubExpr(e, (x) => {
        if ((x.k === "var" && pullbackOnly.has(x.v)) || (x.k === "call" && isCheckpointCall(x.fn))) cannot = true;
      });
    if ((s.k === "assign" || s.k === "store") && pullbackOnly.has(s.k === "assign" ? s.v : s.arr)) cannot = true;
  });
  if (cannot) return null;
  const readAfter = readsOf(after);
  const assignedBefore = new Set<Var>();
  forEachStmt(before, (s) => {
    if (s.k === "assign") assignedBefore.add(s.v);
  });
  const primal = new Set(pullback.params.slice(0, primalParams));
  // the shared stacks' handles are declared again in the reverse half; a constant declaration
  // nothing before the cut uses moves there; every other local the reverse sweep reads is saved
  const stacks: Stmt[] = [];
  const moved: Stmt[] = [];
  const forwardBody: Stmt[] = [];
  const saved: Var[] = [];
  const readBefore = readsOf(before);
  for (const s of before) {
    if (s.k === "decl" && s.v.type.kind === "stack") {
      stacks.push(s);
      forwardBody.push(s);
    } else if (s.k === "decl" && isConstant(s.init) && !readBefore.has(s.v) && !assignedBefore.has(s.v)) {
      if (readAfter.has(s.v) || assignsIn(after, s.v)) moved.push(s);
    } else {
      forwardBody.push(s);
      if (s.k === "decl" && readAfter.has(s.v)) saved.push(s.v);
    }
  }
  for (const p of primal) if (assignedBefore.has(p) && readAfter.has(p)) saved.push(p);
  const stackOf = (v: Var): Var => {
    const of = v.type.kind === "num" || v.type.kind === "bool" ? "f64" : "ref";
    const known = stacks.find((s) => s.k === "decl" && s.init.k === "newStack" && s.init.of === of);
    if (known?.k === "decl") return known.v;
    const stack = newVar(of === "f64" ? "stack" : "refStack", STACK, "control");
    const d = decl(stack, { k: "newStack", of });
    stacks.push(d);
    forwardBody.unshift(d);
    return stack;
  };
  const pushes: Stmt[] = saved.map((v) => ({ k: "stackPush", stack: stackOf(v), value: ref(v) }));
  const pops: Stmt[] = [...saved].reverse().map((v) => {
    const value: Expr = { k: "pop", stack: stackOf(v), type: v.type };
    return primal.has(v) ? assign(v, value) : decl(v, value);
  });
  const forwardHalf: Assembled = {
    params: pullback.params.slice(0, primalParams),
    body: [...forwardBody, ...pushes, { k: "return", value: kept.value }],
    returnType: valueType,
  };
  const reverseHalf: Assembled = {
    params: pullback.params,
    body: [...stacks, ...pops, ...moved, ...after],
    returnType: pullback.returnType,
  };
  return { forward: forwardHalf, reverse: reverseHalf };
}

function isConstant(e: Expr): boolean {
  return e.k === "num" || e.k === "bool";
}

function readsOf(block: Block): Set<Var> {
  const read = new Set<Var>();
  forEachStmt(block, (s) => {
    for (const e of stmtExprs(s)) forEachSubExpr(e, (x) => x.k === "var" && read.add(x.v));
    if (s.k === "store") read.add(s.arr);
  });
  return read;
}

function assignsIn(block: Block, v: Var): boolean {
  let found = false;
  forEachStmt(block, (s) => {
    if (s.k === "assign" && s.v === v) found = true;
  });
  return found;
}
