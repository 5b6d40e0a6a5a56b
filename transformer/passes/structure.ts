/**
 * Jump elimination: rewrites `break`, `continue` and early `return` into structured control flow,
 * so that the function has one exit (a final `return` of a variable) and every loop one way out
 * (its test). The reverse pass needs this: it replays loops by trip count and branches by their
 * recorded direction, which is only possible when control flow is a tree.
 *
 * A return outside loops nests the rest of the block in the other branch (no flag); jumps inside
 * loops set a boolean flag that guards the rest of the body and stops the loop.
 */
import { assign, bool, decl, newVar, not, op, ref, zeroValue } from "../ir/build.js";
import type { Block, Expr, IRFunction, Stmt, Var } from "../ir/types.js";
import { BOOL } from "../ir/types.js";
import { refuse, TSG } from "../refusal.js";

interface LoopFrame {
  readonly label?: string;
  brk?: Var;
  cont?: Var;
}

interface Ctx {
  readonly loops: LoopFrame[];
  readonly result: Var;
  done?: Var;
}

/** The function with one exit, a final `return`, and no `break` or `continue`. */
export function structure(fn: IRFunction): IRFunction {
  const body = fn.body;
  const last = body[body.length - 1];
  // fast path: the only return is the last statement and there are no jumps at all
  if (!hasJumps(body.slice(0, -1)) && (!last || last.k === "return") && !(last && containsJumpsInside(last))) {
    return fn;
  }
  const t = fn.returnType;
  // an array result is whichever array a return gives: a read-only alias, rebound by each return
  const result = newVar("result", t, "local", t.kind === "array" ? { owned: false } : {});
  const ctx: Ctx = { loops: [], result };
  const [stmts] = lowerBlock(body, ctx);
  if (t.kind === "array" && t.elem.kind !== "num")
    refuse(
      TSG.unsupportedSyntax,
      fn.origin,
      "a function returning nested arrays may only return at its end (one return statement)",
      "assign the result to local variables and return it once, at the end",
    );
  const prelude: Stmt[] = [decl(result, zeroValue(t))];
  if (ctx.done) prelude.push(decl(ctx.done, bool(false)));
  return { ...fn, body: [...prelude, ...stmts, { k: "return", value: ref(result) }] };
}

function hasJumps(block: Block): boolean {
  return block.some((s) => s.k === "return" || s.k === "break" || s.k === "continue" || containsJumpsInside(s));
}
function containsJumpsInside(s: Stmt): boolean {
  if (s.k === "if") return hasJumps(s.then) || hasJumps(s.else);
  if (s.k === "loop") return hasJumps(s.body) || hasJumps(s.update);
  return false;
}

/** True when every path through the block ends in a return. */
function alwaysReturns(block: Block): boolean {
  const last = block[block.length - 1];
  if (!last) return false;
  if (last.k === "return" || last.k === "throw") return true;
  if (last.k === "if") return alwaysReturns(last.then) && alwaysReturns(last.else);
  return false;
}

const anyOf = (flags: readonly Var[]): Expr => flags.map((f) => ref(f)).reduce((a, b) => op("or", a, b));

/** Lowers a block; returns the statements and the flags that may be set when it finishes. */
function lowerBlock(block: Block, ctx: Ctx): [Stmt[], Var[]] {
  const out: Stmt[] = [];
  let set: Var[] = [];
  for (let i = 0; i < block.length; i++) {
    const s = block[i]!;
    const rest = block.slice(i + 1);
    // Outside loops, `if (c) { ...; return }` followed by more code: the rest becomes the else
    // branch, which reads like the source and needs no flag.
    if (s.k === "if" && ctx.loops.length === 0 && rest.length > 0) {
      const thenReturns = alwaysReturns(s.then);
      const elseReturns = alwaysReturns(s.else);
      if (thenReturns !== elseReturns) {
        const [t, tf] = lowerBlock(thenReturns ? s.then : [...s.then, ...rest], ctx);
        const [e, ef] = lowerBlock(elseReturns ? s.else : [...s.else, ...rest], ctx);
        out.push({ ...s, then: t, else: e });
        return [out, union(tf, ef)];
      }
    }
    const [stmts, flags] = lowerStmt(s, ctx);
    out.push(...stmts);
    set = union(set, flags);
    if (s.k === "return" || s.k === "break" || s.k === "continue" || s.k === "throw") return [out, set]; // the rest is dead
    if (flags.length > 0 && rest.length > 0) {
      const [r, rf] = lowerBlock(rest, ctx);
      if (r.length > 0) out.push({ k: "if", cond: not(anyOf(flags)), then: r, else: [] });
      return [out, union(set, rf)];
    }
  }
  return [out, set];
}

function union(a: readonly Var[], b: readonly Var[]): Var[] {
  return [...new Set([...a, ...b])];
}

function findLoop(ctx: Ctx, label: string | undefined): LoopFrame {
  if (label === undefined) return ctx.loops[ctx.loops.length - 1]!;
  for (let i = ctx.loops.length - 1; i >= 0; i--) if (ctx.loops[i]!.label === label) return ctx.loops[i]!;
  throw new Error(`jump to unknown label ${label}`);
}

function lowerStmt(s: Stmt, ctx: Ctx): [Stmt[], Var[]] {
  switch (s.k) {
    case "return": {
      const out: Stmt[] = [];
      if (s.value) out.push(assign(ctx.result, s.value, s.origin));
      if (ctx.loops.length === 0) {
        // outside loops a return only has to skip the rest, which the callers nest or guard
        ctx.done ??= newVar("done", BOOL, "control");
        out.push(assign(ctx.done, bool(true), s.origin));
        return [out, [ctx.done]];
      }
      ctx.done ??= newVar("done", BOOL, "control");
      out.push(assign(ctx.done, bool(true), s.origin));
      return [out, [ctx.done]];
    }
    case "break": {
      const loop = findLoop(ctx, s.label);
      loop.brk ??= newVar("broke", BOOL, "control");
      return [[assign(loop.brk, bool(true), s.origin)], [loop.brk]];
    }
    case "continue": {
      const loop = findLoop(ctx, s.label);
      loop.cont ??= newVar("skip", BOOL, "control");
      return [[assign(loop.cont, bool(true), s.origin)], [loop.cont]];
    }
    case "if": {
      const [t, tf] = lowerBlock(s.then, ctx);
      const [e, ef] = lowerBlock(s.else, ctx);
      return [[{ ...s, then: t, else: e }], union(tf, ef)];
    }
    case "loop": {
      if (!hasJumps(s.body) && !hasJumps(s.update)) return [[s], []];
      const frame: LoopFrame = { label: s.label };
      ctx.loops.push(frame);
      const [body, bodyFlags] = lowerBlock(s.body, ctx);
      ctx.loops.pop();
      const out: Stmt[] = [];
      const cont = frame.cont;
      const stopping = bodyFlags.filter((f) => f !== cont);
      if (frame.brk) out.push(decl(frame.brk, bool(false)));
      if (cont) out.push(decl(cont, bool(false)));
      const newBody = cont ? [assign(cont, bool(false)), ...body] : body;
      let update = s.update;
      let test = s.test;
      if (stopping.length > 0) {
        const stop = not(anyOf(stopping));
        test = test ? op("and", stop, test) : stop;
        if (update.length > 0) update = [{ k: "if", cond: stop, then: update, else: [] }];
      }
      out.push({ ...s, label: undefined, test, body: newBody, update });
      const escaping = stopping.filter((f) => f !== frame.brk);
      return [out, escaping];
    }
    default:
      return [[s], []];
  }
}
