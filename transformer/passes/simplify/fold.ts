/**
 * Algebraic folding of expressions: constants, identities, signs. Derivative code is full of
 * `1 * g`, `0 + e` and `-(-x)` straight from the rules; this makes it read like hand-written code.
 * A structural zero times anything is zero here (the derivative code's zeros are exact: they
 * mean "does not depend"), as in every AD tool.
 *
 * Two modes. `exact` (for primal values) only rewrites what gives bit-identical results, so a
 * generated function's value is the source function's value to the last bit; `algebraic` (for
 * tangents and adjoints) also reassociates constants and rewrites `a * (1 / y)` as `a / y`.
 */
export type FoldMode = "exact" | "algebraic";
import { num, op } from "../../ir/build.js";
import type { Expr, Stmt } from "../../ir/types.js";
import { exprEquals, mapExpr } from "../../ir/visit.js";
import { foldEvaluator } from "../../rules/primitives.js";

const isNum = (e: Expr, v?: number): e is { k: "num"; value: number } => e.k === "num" && (v === undefined || e.value === v);

/** Counts of a sum/difference tree: integer constants and non-constant terms by sign. */
interface SumShape {
  /** False when a constant in it is not an integer (then nothing regroups). */
  readonly integral: boolean;
  readonly constants: number;
  readonly plus: number;
  readonly minus: number;
}

/**
 * The shape of a sum, memoized by node: folding visits every node of a long sum bottom-up, and
 * each asks about the whole sum below it, so without the memo a sum of n terms costs O(n²).
 */
const shapes = new WeakMap<Expr, SumShape>();
function sumShape(x: Expr): SumShape {
  if (x.k === "num") return { integral: Number.isInteger(x.value), constants: 1, plus: 0, minus: 0 };
  if (x.k !== "op" || (x.op !== "add" && x.op !== "sub")) return { integral: true, constants: 0, plus: 1, minus: 0 };
  let shape = shapes.get(x);
  if (!shape) {
    const a = sumShape(x.args[0]!);
    const b = sumShape(x.args[1]!);
    const add = x.op === "add";
    shape = {
      integral: a.integral && b.integral,
      constants: a.constants + b.constants,
      plus: a.plus + (add ? b.plus : b.minus),
      minus: a.minus + (add ? b.minus : b.plus),
    };
    shapes.set(x, shape);
  }
  return shape;
}

/**
 * x + c where e is a sum/difference of one non-constant term and integer constants, when that
 * has fewer constants than e (`1 + (n - 1)` is `n`); null otherwise.
 */
function linearOffset(e: Expr, mode: FoldMode): Expr | null {
  // without terms of both signs nothing cancels: more than one term, or fewer than two
  // constants, cannot become one term plus one constant
  const shape = sumShape(e);
  if (!shape.integral) return null;
  if ((shape.plus === 0 || shape.minus === 0) && (shape.plus + shape.minus > 1 || shape.constants < 2)) return null;
  let constants = 0;
  const terms: { sign: number; e: Expr }[] = [];
  let total = 0;
  const walk = (x: Expr, sign: number): boolean => {
    if (x.k === "num") {
      if (!Number.isInteger(x.value)) return false;
      total += sign * x.value;
      constants++;
      return true;
    }
    if (x.k === "op" && (x.op === "add" || x.op === "sub"))
      return walk(x.args[0]!, sign) && walk(x.args[1]!, x.op === "add" ? sign : -sign);
    terms.push({ sign, e: x });
    return true;
  };
  if (!walk(e, 1)) return null;
  // x - x cancels (only lengths in primal code, where regrouping is exact: integers)
  for (let i = 0; i < terms.length; i++)
    for (let j = i + 1; j < terms.length; j++)
      if (terms[i]!.sign === -terms[j]!.sign && exprEquals(terms[i]!.e, terms[j]!.e) && (mode === "algebraic" || isLength(terms[i]!.e))) {
        terms.splice(j, 1);
        terms.splice(i, 1);
        i--;
        constants += 2; // two terms became constants (zero)
        break;
      }
  if (terms.length === 0) return constants >= 2 ? num(total) : null;
  if (terms.length !== 1 || constants < 2 || terms[0]!.sign !== 1) return null;
  const t = terms[0]!.e;
  // regrouping is exact for integers: in primal code, only for lengths
  if (mode === "exact" && !isLength(t)) return null;
  if (total === 0) return t;
  return total > 0 ? op("add", t, num(total)) : op("sub", t, num(-total));
}

/** Integer-valued by construction: an array length, or integer arithmetic on lengths. */
function isLength(e: Expr): boolean {
  if (e.k === "len") return true;
  if (e.k === "num") return Number.isInteger(e.value);
  if (e.k === "op" && (e.op === "add" || e.op === "sub" || e.op === "mul")) return e.args.every(isLength);
  if (e.k === "op" && e.op === "neg") return isLength(e.args[0]!);
  return false;
}

/** A product with a constant factor inside its leftmost spine: (c, the rest). */
function splitConstant(e: Expr): { c: number; rest: Expr } | null {
  if (e.k !== "op" || e.op !== "mul") return null;
  const [a, b] = e.args as [Expr, Expr];
  if (isNum(a)) return { c: a.value, rest: b };
  const inner = splitConstant(a);
  return inner ? { c: inner.c, rest: op("mul", inner.rest, b) } : null;
}

export function foldExpr(e: Expr, mode: FoldMode = "algebraic"): Expr {
  // rules build new nodes from folded parts; a few rounds reach the fixpoint
  const fold = (x: Expr): Expr => foldNode(x, mode);
  let cur = e;
  for (let i = 0; i < 4; i++) {
    const next = mapExpr(cur, fold);
    if (exprEquals(next, cur)) return next;
    cur = next;
  }
  return cur;
}

function foldNode(e: Expr, mode: FoldMode): Expr {
  if (e.k !== "op") return e;
  const a = e.args[0]!;
  const b = e.args[1]!;
  // constants
  const f = foldEvaluator(e.op);
  if (f && e.args.every((x) => x.k === "num")) {
    const v = f(...e.args.map((x) => (x as { value: number }).value));
    if (Number.isFinite(v) && (Number.isInteger(v) || e.op !== "div")) return num(v);
  }
  switch (e.op) {
    case "add": {
      // c + (x - d) and (x - d) + c, (x + d) + c: collect the constants (index arithmetic)
      const offset = linearOffset(e, mode);
      if (offset) return offset;
      // x + 0 is +0 where x is -0: primal values keep it, unless x is an integer (a length, an index)
      if (isNum(a, 0) && (mode === "algebraic" || isLength(b))) return b;
      if (isNum(b, 0) && (mode === "algebraic" || isLength(a))) return a;
      if (b.k === "op" && b.op === "neg") return foldNode(op("sub", a, b.args[0]!), mode);
      // a + (-2 * y) -> a - 2 * y (exact: negation is)
      if (b.k === "op" && b.op === "mul" && isNum(b.args[0]!) && b.args[0].value < 0)
        return foldNode(op("sub", a, op("mul", num(-b.args[0].value), b.args[1]!)), mode);
      if (a.k === "op" && a.op === "neg") return foldNode(op("sub", b, a.args[0]!), mode);
      if (exprEquals(a, b)) return foldNode(op("mul", num(2), a), mode);
      if (isNum(b) && b.value < 0) return op("sub", a, num(-b.value));
      return e;
    }
    case "sub": {
      const offset = linearOffset(e, mode);
      if (offset) return offset;
      if (isNum(b, 0)) return a;
      if (isNum(b) && b.value < 0) return op("add", a, num(-b.value));
      // 0 - x is +0 where x is 0, -x is -0
      if (isNum(a, 0) && (mode === "algebraic" || isLength(b))) return foldNode(op("neg", b), mode);
      if (b.k === "op" && b.op === "neg") return foldNode(op("add", a, b.args[0]!), mode);
      return e;
    }
    case "mul":
      // 0 * x is -0 for a negative x and NaN for an infinite one: primal values keep it (the
      // value of atan2(0 * x, y) depends on it), tangents and adjoints drop what it multiplies
      if ((isNum(a, 0) || isNum(b, 0)) && mode === "algebraic") return num(0);
      if (isNum(a, 1)) return b;
      if (isNum(b, 1)) return a;
      if (isNum(a, -1)) return foldNode(op("neg", b), mode);
      if (isNum(b, -1)) return foldNode(op("neg", a), mode);
      if (a.k === "op" && a.op === "neg") return foldNode(op("neg", foldNode(op("mul", a.args[0]!, b), mode)), mode);
      if (b.k === "op" && b.op === "neg") return foldNode(op("neg", foldNode(op("mul", a, b.args[0]!), mode)), mode);
      // constants to the front: x * 2 -> 2 * x (exact); 2 * (3 * x) * y -> 6 * x * y (not exact)
      if (isNum(b) && !isNum(a)) return foldNode(op("mul", b, a), mode);
      if (mode === "exact") return e;
      // (c ? 1 : 0) * x -> c ? x : 0: a partial that is an indicator (max, min) selects, so the
      // side not taken contributes a structural zero, not 0 * Infinity
      const picked = pickWith(a, b, mode) ?? pickWith(b, a, mode);
      if (picked) return picked;
      if (isNum(a)) {
        const inner = splitConstant(b);
        if (inner) return foldNode(op("mul", num(a.value * inner.c), inner.rest), mode);
      } else {
        const left = splitConstant(a);
        if (left) return foldNode(op("mul", num(left.c), op("mul", left.rest, b)), mode);
      }
      // a * (1 / y) -> a / y
      if (b.k === "op" && b.op === "div" && isNum(b.args[0]!, 1)) return foldNode(op("div", a, b.args[1]!), mode);
      if (a.k === "op" && a.op === "div" && isNum(a.args[0]!, 1)) return foldNode(op("div", b, a.args[1]!), mode);
      // c * (d / y) -> (c * d) / y keeps constants together
      if (isNum(a) && b.k === "op" && b.op === "div" && isNum(b.args[0]!))
        return op("div", num(a.value * (b.args[0] as { value: number }).value), b.args[1]!);
      return e;
    case "div":
      if (isNum(a, 0)) return num(0);
      if (isNum(b, 1)) return a;
      if (a.k === "op" && a.op === "neg") return foldNode(op("neg", foldNode(op("div", a.args[0]!, b), mode)), mode);
      return e;
    case "neg":
      if (isNum(a)) return num(-a.value);
      if (a.k === "op" && a.op === "neg") return a.args[0]!;
      if (a.k === "op" && a.op === "sub") return op("sub", a.args[1]!, a.args[0]!);
      if (a.k === "op" && a.op === "mul" && isNum(a.args[0]!))
        return foldNode(op("mul", num(-(a.args[0] as { value: number }).value), a.args[1]!), mode);
      return e;
    case "pow":
      if (isNum(b, 1)) return a;
      if (isNum(b, 0)) return num(1);
      return e;
    case "select":
      if (a.k === "bool") return a.value ? b : e.args[2]!;
      if (exprEquals(b, e.args[2]!)) return b;
      return e;
    case "not":
      if (a.k === "bool") return { k: "bool", value: !a.value };
      if (a.k === "op" && a.op === "not") return a.args[0]!;
      return e;
    case "and":
      if (a.k === "bool") return a.value ? b : a;
      if (b.k === "bool" && b.value) return a;
      return e;
    case "or":
      if (a.k === "bool") return a.value ? a : b;
      if (b.k === "bool" && !b.value) return a;
      return e;
    default:
      return e;
  }
}

/** `sel * x` for an indicator `sel = c ? 1 : 0` (or `c ? 0 : 1`): the selection of x or 0. */
function pickWith(sel: Expr, x: Expr, mode: FoldMode): Expr | null {
  if (sel.k !== "op" || sel.op !== "select") return null;
  const [c, t, f] = sel.args;
  const zeroOrOne = (v: Expr | undefined) => v !== undefined && (isNum(v, 0) || isNum(v, 1));
  if (!zeroOrOne(t) || !zeroOrOne(f)) return null;
  const side = (v: Expr) => (isNum(v, 1) ? x : num(0));
  return foldNode(op("select", c!, side(t!), side(f!)), mode);
}

const DERIVATIVE_ROLES = new Set(["adjoint", "tangent"]);

/** Statements computing tangents or adjoints (free to reassociate), not primal values. */
export function isDerivativeStatement(s: Stmt): boolean {
  if (s.k === "decl" || s.k === "assign") return DERIVATIVE_ROLES.has(s.v.role);
  if (s.k === "store") return DERIVATIVE_ROLES.has(s.arr.role);
  return false;
}
