/**
 * Tensor simplification by shape classes. Shapes are not known at compile time, but which
 * tensors share a shape often is: an element-wise function keeps its argument's shape, a
 * broadcasting operation of same-shaped tensors keeps theirs, `unbroadcast(g, shapeOf(y))` has
 * y's (each rule's `shape` entry in rules/tensor.ts says which), and a tangent or an adjoint has
 * its primal's (`Var.shapeLike`). With those classes, the shape
 * bookkeeping that derivative rules must write for the general case, and that does nothing here,
 * goes:
 *
 *   unbroadcast(x, shapeOf(y)), broadcastTo(x, shapeOf(y)), reshape(x, shapeOf(y)),
 *   broadcastLike(x, y)                               -> x            (x already has y's shape)
 *   expandReduced(full(s, c), shapeOf(t), axes)       -> full(shapeOf(t), c)
 *   mul(full(shapeOf(y), c), x), mul(x, full(...))    -> mul(c, x)    (x has y's shape; also
 *                                                                      through a variable so defined)
 *   shapeOf(mul(h, h))                                -> shapeOf(h)
 *   mul(1, x), mul(x, 1), add(0, x), add(x, 0), sub(x, 0) -> x        (x a tensor)
 *   add(a, a)                                         -> mul(2, a)
 *   mul(c, mul(d, x)), c and d numbers                -> mul(c * d, x)  (derivative code only
 *                                                                      reassociates: see below)
 *   div(full(s, c), n)                                -> full(s, c / n)   (n a number)
 *   sizeRatio(t, mean(t))                             -> sizeRatio(t, 1)  (a reduction of every axis)
 *
 * Each rewrite gives exactly the values it replaces, but the reassociation of numbers, which only
 * statements computing derivatives get (as in fold.ts: primal values stay bit for bit).
 */
import type { Block, Expr, Stmt, Var } from "../../ir/types.js";
import {
  exprEquals,
  forEachStmt,
  forEachVarInExpr,
  hasEffects,
  mapBlock,
  mapExpr,
  mapStmtExprs,
  stmtExprs,
  varsOf,
} from "../../ir/visit.js";
import { typeOfValue } from "../../ir/build.js";
import { reducesEverything, tensorCall, tensorRule } from "../../rules/tensor-registry.js";
import { isDerivativeStatement } from "./fold.js";

export function simplifyTensors(body: Block): Stmt[] {
  let hasTensors = false;
  forEachStmt(body, (s) => {
    if ((s.k === "decl" || s.k === "assign") && s.v.type.kind === "tensor") hasTensors = true;
  });
  if (!hasTensors) return [...body];
  // Optimistically every variable has one shape; one that is given values of several shapes
  // (`h = b; h = add(h, t)` with t wider) is then left out, and the classes are made again
  let unstable = new Set<Var>();
  let shapes = new ShapeClasses(body, unstable);
  for (let more = shapes.unstable(); more.size > unstable.size; more = shapes.unstable()) {
    unstable = more;
    shapes = new ShapeClasses(body, unstable);
  }
  return mapBlock(body, (s) => {
    const algebra = isDerivativeStatement(s);
    return mapStmtExprs(s, (e) => mapExpr(e, (x) => rewrite(x, shapes, algebra)));
  });
}

/**
 * Classes of tensors of equal shape. A variable joins the class of its definition's value when
 * every definition of it has that class; everything else is a class of its own.
 */
class ShapeClasses {
  private readonly parent = new Map<Var, Var>();
  /** Tensors filled with one number (`t_bar = full(shapeOf(t), 1)`, defined once): the number. */
  readonly filled = new Map<Var, Expr>();

  private readonly definitions = new Map<Var, Expr[]>();

  /**
   * @param left  variables with no shape class: their shape changes from one definition to the
   *              next, so `shapeOf(h)` says nothing about `h` elsewhere
   */
  constructor(
    body: Block,
    private readonly left: ReadonlySet<Var>,
  ) {
    const definitions = this.definitions;
    /** A tangent or an adjoint has its primal's shape: pairs (derivative, primal). */
    const alike = new Map<Var, Var>();
    forEachStmt(body, (s) => {
      if ((s.k === "decl" || s.k === "assign") && s.v.type.kind === "tensor") {
        const list = definitions.get(s.v) ?? [];
        // a parameter given a new value had a first value too: the one it was called with
        if (list.length === 0 && s.k === "assign" && (s.v.role === "param" || s.v.role === "global")) list.push({ k: "var", v: s.v });
        list.push(s.k === "decl" ? s.init : s.value);
        definitions.set(s.v, list);
      }
      for (const e of stmtExprs(s))
        forEachVarInExpr(e, (v) => {
          if (v.type.kind === "tensor" && v.shapeLike?.type.kind === "tensor") alike.set(v, v.shapeLike);
        });
    });
    for (const v of definitions.keys()) if (v.shapeLike?.type.kind === "tensor") alike.set(v, v.shapeLike);
    // variables defined once: a fill value made of them means the same wherever it is read
    const counts = new Map<Var, number>();
    forEachStmt(body, (s) => {
      if (s.k === "decl" || s.k === "assign") counts.set(s.v, (counts.get(s.v) ?? 0) + 1);
    });
    const once = (v: Var) => counts.get(v) === 1 || v.role === "param" || v.role === "global";
    for (const [v, defs] of definitions) {
      const only = defs.length === 1 ? defs[0]! : undefined;
      if (only && isCall(only, "full") && !hasEffects(only.args[1]!) && [...varsOf(only.args[1]!)].every(once))
        this.filled.set(v, only.args[1]!);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const [v, defs] of definitions) {
        if (this.left.has(v)) continue;
        const classes = defs.map((d) => this.classOf(d));
        const first = classes[0];
        if (!first || !classes.every((c) => c === first) || this.find(v) === first) continue;
        this.union(v, first);
        changed = true;
      }
      for (const [d, primal] of alike) {
        if (this.left.has(primal) || this.left.has(d) || this.find(d) === this.find(primal)) continue;
        this.union(d, primal);
        changed = true;
      }
    }
  }

  private find(v: Var): Var {
    let r = v;
    for (let p = this.parent.get(r); p; p = this.parent.get(r)) r = p;
    return r;
  }

  private union(a: Var, b: Var): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }

  /** Variables given values whose classes differ: they must be left out of every class. */
  unstable(): Set<Var> {
    const out = new Set(this.left);
    for (const [v, defs] of this.definitions) if (defs.length > 1 && !defs.every((d) => this.classOf(d) === this.find(v))) out.add(v);
    return out;
  }

  /** The class of a tensor value, or undefined when its shape does not simply follow. */
  classOf(e: Expr): Var | undefined {
    if (e.k === "var") return e.v.type.kind === "tensor" && !this.left.has(e.v) ? this.find(e.v) : undefined;
    if (e.k !== "call" || e.fn.kind !== "tensor") return undefined;
    const shape = tensorRule(e.fn.key)?.shape;
    if (!shape) return undefined;
    if (shape === "broadcast") {
      const tensors = e.args.filter((a) => typeOfValue(a).kind === "tensor").map((a) => this.classOf(a));
      const first = tensors[0];
      return first && tensors.every((c) => c === first) ? first : undefined;
    }
    if ("like" in shape) {
      const arg = e.args[shape.like];
      return arg ? this.classOf(arg) : undefined;
    }
    const given = e.args[shape.of];
    return given && (isCall(given, "shapeOf") || isCall(given, "itemShape")) ? this.classOf(given.args[0]!) : undefined;
  }

  same(a: Expr, b: Expr): boolean {
    const ca = this.classOf(a);
    return ca !== undefined && ca === this.classOf(b);
  }
}

function isCall(e: Expr, name: string): e is Expr & { k: "call" } {
  return e.k === "call" && e.fn.kind === "tensor" && e.fn.key === name;
}

const isNum = (e: Expr, value: number) => e.k === "num" && e.value === value;

/** The number a tensor is filled with: `full(s, c)`, or a variable defined so. */
function filledWith(e: Expr, shapes: ShapeClasses): Expr | undefined {
  if (isCall(e, "full") && !hasEffects(e.args[1]!)) return e.args[1];
  return e.k === "var" ? shapes.filled.get(e.v) : undefined;
}

/** Structural equality that knows tensor operations are pure: equal operations of equal operands. */
function sameValue(a: Expr, b: Expr): boolean {
  if (a.k === "call" && b.k === "call" && a.fn.kind === "tensor" && b.fn.kind === "tensor")
    return a.fn.key === b.fn.key && a.args.length === b.args.length && a.args.every((x, i) => sameValue(x, b.args[i]!));
  if (a.k === "undef" && b.k === "undef") return true;
  return exprEquals(a, b);
}

/** The simplest part of `e` with e's shape: `shapeOf(mul(h, h))` needs only h. */
function sameShapedPart(e: Expr, shapes: ShapeClasses): Expr {
  if (e.k !== "call" || e.fn.kind !== "tensor") return e;
  for (const arg of e.args) if (typeOfValue(arg).kind === "tensor" && shapes.same(arg, e)) return sameShapedPart(arg, shapes);
  return e;
}

/** `algebra`: the statement computes a derivative, and may be reassociated (see fold.ts). */
function rewrite(e: Expr, shapes: ShapeClasses, algebra: boolean): Expr {
  if (e.k !== "call" || e.fn.kind !== "tensor") return e;
  const [a, b] = e.args;
  switch (e.fn.key) {
    case "unbroadcast":
    case "broadcastTo":
    case "reshape":
      return isCall(b!, "shapeOf") && shapes.same(a!, b.args[0]!) ? a! : e;
    case "broadcastLike":
      return typeOfValue(a!).kind === "tensor" && shapes.same(a!, b!) ? a! : e;
    case "expandReduced":
      return isCall(a!, "full") ? tensorCall("full", [b!, a.args[1]!]) : e;
    case "mul": {
      for (const [c, x] of [
        [a!, b!],
        [b!, a!],
      ] as const) {
        const value = filledWith(c, shapes);
        if (value && shapes.same(c, x)) return rewrite(tensorCall("mul", [value, x]), shapes, algebra);
        if (isNum(c, 1) && typeOfValue(x).kind === "tensor") return x;
      }
      // a number times (a number times x): one pass over x (derivative code may reassociate)
      if (algebra && typeOfValue(a!).kind === "num" && isCall(b!, "mul")) {
        const [c, x] = b.args;
        if (typeOfValue(c!).kind === "num") return tensorCall("mul", [{ k: "op", op: "mul", args: [a!, c!] }, x!]);
        if (typeOfValue(x!).kind === "num") return tensorCall("mul", [{ k: "op", op: "mul", args: [a!, x!] }, c!]);
      }
      return e;
    }
    case "shapeOf":
      return tensorCall("shapeOf", [sameShapedPart(a!, shapes)]);
    case "add":
      if (isNum(a!, 0) && typeOfValue(b!).kind === "tensor") return b!;
      if (isNum(b!, 0) && typeOfValue(a!).kind === "tensor") return a!;
      if (sameValue(a!, b!)) return tensorCall("mul", [{ k: "num", value: 2 }, a!]);
      return e;
    case "sub":
      return isNum(b!, 0) && typeOfValue(a!).kind === "tensor" ? a! : e;
    case "div":
      // a tensor of c's divided by a number n: a tensor of c / n
      return isCall(a!, "full") && typeOfValue(b!).kind === "num"
        ? tensorCall("full", [a.args[0]!, { k: "op", op: "div", args: [a.args[1]!, b!] }])
        : e;
    case "sizeRatio": {
      // over a reduction of every axis: the size of t alone, without computing the reduction;
      // and the size of anything with t's shape will do
      const part = sameShapedPart(a!, shapes);
      if (reducesEverything(b!)) return tensorCall("sizeRatio", [part, { k: "num", value: 1 }]);
      return part === a ? e : tensorCall("sizeRatio", [part, b!]);
    }
    default:
      return e;
  }
}
