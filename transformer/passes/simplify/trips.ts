/**
 * Closed-form trip counts. When dead code elimination has reduced a forward loop to counting its
 * own iterations (`for (let i = 0; i + 1 < x.length; i++) trips++`), and the count follows from
 * integer arithmetic on array lengths, the loop becomes `trips = x.length - 1` (a count <= 0
 * means no iteration to every reverse loop, so no clamping is needed).
 */
import { num, op } from "../../ir/build.js";
import type { Block, Stmt, Var } from "../../ir/types.js";
import { readsOf, varsOf, writesOf } from "../../ir/visit.js";
import { isLengthArithmetic, offsetOf } from "../../analyse/recompute.js";

export function closedFormTrips(body: Block): Stmt[] {
  return mapBlockPairs(body);
}

function mapBlockPairs(block: Block): Stmt[] {
  const out: Stmt[] = [];
  const rebuilt = block.map((s) => {
    if (s.k === "if") return { ...s, then: mapBlockPairs(s.then), else: mapBlockPairs(s.else) };
    if (s.k === "loop") return { ...s, body: mapBlockPairs(s.body), update: mapBlockPairs(s.update) };
    return s;
  });
  for (let i = 0; i < rebuilt.length; i++) {
    const init = rebuilt[i]!;
    const loop = rebuilt[i + 1];
    if (init.k === "decl" && loop?.k === "loop") {
      const replaced = countingLoop(init, loop);
      if (replaced) {
        out.push(...replaced);
        i++;
        continue;
      }
    }
    out.push(init);
  }
  return out;
}

/**
 * `trips = trips + 1` of the reverse pass's own trip counter (role "control"): declared 0 right
 * before its loop and never read inside it. A user's counter (`n = n + 1`) may start anywhere and
 * be read in the loop, so it is never folded.
 */
function incrementOf(s: Stmt): Var | null {
  if (s.k !== "assign" || s.v.role !== "control" || s.value.k !== "op" || s.value.op !== "add") return null;
  const [a, b] = s.value.args;
  return a?.k === "var" && a.v === s.v && b?.k === "num" && b.value === 1 ? s.v : null;
}

/**
 * `let i = c; loop (i + d < E) { ...; trips++; ... } update { i++ }` where nothing in the body
 * writes i or what E reads: the count is E - d - c. Returns the replacement statements: the count,
 * then the loop without its counting (or nothing, when counting was all it did).
 */
/** `i = i + 1` gives 1, `i = i - 1` gives -1. */
function stepOf(s: Stmt & { k: "assign" }): number | null {
  const e = s.value;
  if (e.k !== "op" || (e.op !== "add" && e.op !== "sub")) return null;
  const [a, b] = e.args;
  if (a?.k !== "var" || a.v !== s.v || b?.k !== "num" || b.value !== 1) return null;
  return e.op === "add" ? 1 : -1;
}

function countingLoop(d: Stmt & { k: "decl" }, loop: Stmt & { k: "loop" }): Stmt[] | null {
  const i = d.v;
  if (loop.testAtEnd || !loop.test || !isLengthArithmetic(d.init)) return null;
  if (loop.update.length !== 1) return null;
  const counters = loop.body.map(incrementOf);
  const at = counters.findIndex((v) => v !== null && v !== i);
  if (at < 0) return null;
  const trips = counters[at]!;
  const update = loop.update[0]!;
  const step = update.k === "assign" && update.v === i ? stepOf(update) : null;
  if (step === null) return null;
  const t = loop.test;
  // i + c < E (counting up) or i + c >= E (counting down), and the mirrored forms
  if (t.k !== "op") return null;
  const up = step === 1 && (t.op === "lt" || t.op === "le");
  const down = step === -1 && (t.op === "gt" || t.op === "ge");
  if (!up && !down) return null;
  const c = offsetOf(t.args[0]!, i);
  const bound = t.args[1]!;
  if (c === null || varsOf(bound).has(i) || varsOf(bound).has(trips) || !isLengthArithmetic(bound)) return null;
  const rest = loop.body.filter((_, k) => k !== at);
  const written = writesOf(rest);
  if (readsOf(rest).has(trips)) return null;
  if (
    written.has(i) ||
    written.has(trips) ||
    [...varsOf(bound)].some((v) => written.has(v)) ||
    [...varsOf(d.init)].some((v) => written.has(v))
  )
    return null;
  // up: i = init, init + 1, ... while i + c < E: E - c - init times (+1 for <=)
  // down: i = init, init - 1, ... while i + c > E: init + c - E times (+1 for >=)
  const inclusive = t.op === "le" || t.op === "ge" ? 1 : 0;
  const count = up
    ? op("add", op("sub", op("sub", bound, num(c)), d.init), num(inclusive))
    : op("add", op("sub", op("add", d.init, num(c)), bound), num(inclusive));
  // `trips` was declared 0 before: this assignment replaces the counting. A negative count is
  // left as is: every reverse loop runs zero times for any trips <= 0.
  const counted: Stmt = { k: "assign", v: trips, value: count, origin: loop.origin };
  return rest.length === 0 ? [counted] : [counted, d, { ...loop, body: rest }];
}
