/**
 * The scalar primitives of the IR, one entry each, with everything tsgrad knows about them: what
 * kind of operation it is, its arity, the `Math` function or operator it is written with (how
 * lowering reads it and emit prints it), how folding evaluates it on constants, and its derivative
 * rule. `OpName` (ir/types.ts) is this table's keys, and every other list of primitives (Math
 * functions, boolean operations, fold evaluators) is read from it.
 *
 * A derivative rule is a list of partial derivatives, one per input, written as ordinary,
 * type-checked TypeScript functions of the inputs and of the primitive's output `y`. Both modes
 * come from this single source: forward mode emits `y_dot = sum_i partial_i * x_i_dot`, reverse
 * mode emits `x_i_bar += partial_i * y_bar`. The registry (./registry.ts) turns each function's own
 * source text into IR (as Tangent does with its templates), so a rule is also directly
 * executable: test/rules.test.ts checks every one against finite differences.
 *
 * Template bodies may use: their parameters, number literals, + - * / and unary -, comparisons,
 * `c ? a : b` (evaluated eagerly, both sides must be safe to compute), and Math.* functions and
 * constants. Nothing else.
 *
 * The `Primitive` type makes the rule part of the entry: a numeric primitive (arithmetic, a Math
 * function) without `partials` does not type-check, so a primitive cannot be added without its
 * derivative. Only comparisons and logic (boolean results) have none, by nature.
 */

export type Partial1 = (x: number, y: number) => number;
export type Partial2 = (a: number, b: number, y: number) => number;

/**
 * What a primitive is:
 * - `arithmetic`: a JavaScript operator on numbers (`+ - * / %`, unary `-`, `**`);
 * - `math`: a function of `Math`;
 * - `comparison` (`< <= > >= === !==`) and `boolean` (`&& || !`): a boolean result, never
 *   differentiated (their operands stay trees in A-normal form);
 * - `structural`: `select` and `stop`, which the passes know by name.
 */
export type PrimitiveKind = "arithmetic" | "math" | "comparison" | "boolean" | "structural";

/** The JavaScript operators emit prints primitives with: binary for arity 2, prefix for arity 1. */
export type Operator =
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "&"
  | "|"
  | "^"
  | "<<"
  | ">>"
  | ">>>"
  | "~"
  | "<"
  | "<="
  | ">"
  | ">="
  | "==="
  | "!=="
  | "&&"
  | "||"
  | "!";

interface Facts {
  /** The `Math` function that lowers to this primitive and that emit prints it as. */
  readonly math?: string;
  /**
   * `Math.<math>` takes any number of arguments: a binary primitive is applied as a left fold
   * (`Math.min(a, b, c)` is `min(min(a, b), c)`, exactly the same value), a variadic one once;
   * `none` is the value of the call without arguments.
   */
  readonly anyArguments?: { readonly none: number };
  /** The operator emit prints it with (binary for arity 2, prefix for arity 1). */
  readonly operator?: Operator;
  /** Documents a choice made where the derivative does not exist. */
  readonly note?: string;
}

interface Numeric extends Facts {
  readonly kind: "arithmetic" | "math" | "structural";
}

/**
 * One primitive. `partials` is its derivative rule: one function per input, `{ each }` for a
 * variadic primitive whose partial with respect to input i depends only on x_i and y, `"zero"`
 * for a piecewise-constant one (derivative zero wherever it exists), `"selects"` for `select`
 * (structural: its derivative selects). `fold` evaluates it on constants (folding: only where the
 * result is exact and readable; a primitive without one is never folded).
 */
export type Primitive =
  | (Numeric & { readonly arity: 1; readonly partials: readonly [Partial1] | "zero"; readonly fold?: (x: number) => number })
  | (Numeric & {
      readonly arity: 2;
      readonly partials: readonly [Partial2, Partial2] | "zero";
      readonly fold?: (a: number, b: number) => number;
    })
  | (Numeric & { readonly arity: "variadic"; readonly partials: { readonly each: Partial1 }; readonly fold?: undefined })
  | (Numeric & { readonly arity: 3; readonly partials: "selects"; readonly fold?: undefined })
  | (Facts & { readonly kind: "comparison" | "boolean"; readonly arity: 1 | 2; readonly partials?: undefined; readonly fold?: undefined });

const BITWISE = "integer-valued: the derivative is 0 wherever it exists (the jumps, where an operand crosses an integer, have none)";

export const primitives = {
  // ---- arithmetic ---------------------------------------------------------------------------
  add: { kind: "arithmetic", arity: 2, operator: "+", fold: (a, b) => a + b, partials: [(a, b, y) => 1, (a, b, y) => 1] },
  sub: { kind: "arithmetic", arity: 2, operator: "-", fold: (a, b) => a - b, partials: [(a, b, y) => 1, (a, b, y) => -1] },
  mul: { kind: "arithmetic", arity: 2, operator: "*", fold: (a, b) => a * b, partials: [(a, b, y) => b, (a, b, y) => a] },
  div: { kind: "arithmetic", arity: 2, operator: "/", fold: (a, b) => a / b, partials: [(a, b, y) => 1 / b, (a, b, y) => -y / b] },
  mod: {
    kind: "arithmetic",
    arity: 2,
    operator: "%",
    partials: [(a, b, y) => 1, (a, b, y) => -Math.trunc(a / b)],
    note: "a % b = a - b * trunc(a / b); the jumps where a / b crosses an integer have no derivative",
  },
  // `a ** b` and Math.pow; printed as Math.pow (or `x * x` for a square)
  pow: {
    kind: "arithmetic",
    arity: 2,
    math: "pow",
    fold: (a, b) => a ** b,
    // the guard is written twice: a derivative of this partial (second order) differentiates both
    // branches, and log(0)'s would be infinite, zero times that NaN
    partials: [(a, b, y) => b * Math.pow(a, b - 1), (a, b, y) => (a === 0 ? 0 : y * Math.log(a === 0 ? 1 : a))],
    note: "d/db at a = 0 is taken as 0 (the limit from a > 0); for a < 0 it is NaN, as a ** b is",
  },
  neg: { kind: "arithmetic", arity: 1, operator: "-", fold: (a) => -a, partials: [(x, y) => -1] },

  // ---- Math functions (differentiable) ------------------------------------------------------
  sin: { kind: "math", arity: 1, math: "sin", fold: Math.sin, partials: [(x, y) => Math.cos(x)] },
  cos: { kind: "math", arity: 1, math: "cos", fold: Math.cos, partials: [(x, y) => -Math.sin(x)] },
  tan: { kind: "math", arity: 1, math: "tan", partials: [(x, y) => 1 + y * y] },
  asin: { kind: "math", arity: 1, math: "asin", partials: [(x, y) => 1 / Math.sqrt(1 - x * x)] },
  acos: { kind: "math", arity: 1, math: "acos", partials: [(x, y) => -1 / Math.sqrt(1 - x * x)] },
  atan: { kind: "math", arity: 1, math: "atan", partials: [(x, y) => 1 / (1 + x * x)] },
  atan2: {
    kind: "math",
    arity: 2,
    math: "atan2",
    partials: [(a, b, y) => b / (a * a + b * b), (a, b, y) => -a / (a * a + b * b)],
  },
  sinh: { kind: "math", arity: 1, math: "sinh", partials: [(x, y) => Math.cosh(x)] },
  cosh: { kind: "math", arity: 1, math: "cosh", partials: [(x, y) => Math.sinh(x)] },
  tanh: { kind: "math", arity: 1, math: "tanh", partials: [(x, y) => 1 - y * y] },
  asinh: { kind: "math", arity: 1, math: "asinh", partials: [(x, y) => 1 / Math.sqrt(x * x + 1)] },
  acosh: { kind: "math", arity: 1, math: "acosh", partials: [(x, y) => 1 / Math.sqrt(x * x - 1)] },
  atanh: { kind: "math", arity: 1, math: "atanh", partials: [(x, y) => 1 / (1 - x * x)] },
  exp: { kind: "math", arity: 1, math: "exp", fold: Math.exp, partials: [(x, y) => y] },
  expm1: { kind: "math", arity: 1, math: "expm1", partials: [(x, y) => y + 1] },
  log: { kind: "math", arity: 1, math: "log", fold: Math.log, partials: [(x, y) => 1 / x] },
  log1p: { kind: "math", arity: 1, math: "log1p", partials: [(x, y) => 1 / (1 + x)] },
  log2: { kind: "math", arity: 1, math: "log2", partials: [(x, y) => 1 / (x * Math.LN2)] },
  log10: { kind: "math", arity: 1, math: "log10", partials: [(x, y) => 1 / (x * Math.LN10)] },
  sqrt: { kind: "math", arity: 1, math: "sqrt", fold: Math.sqrt, partials: [(x, y) => 0.5 / y] },
  cbrt: { kind: "math", arity: 1, math: "cbrt", partials: [(x, y) => 1 / (3 * y * y)] },
  hypot: {
    kind: "math",
    arity: "variadic",
    math: "hypot",
    anyArguments: { none: 0 },
    // the guard is written twice: a derivative of this partial (second order) differentiates both
    // branches, and x / y's would be 0 / 0 at the origin, zero times that NaN
    partials: { each: (x, y) => (y === 0 ? 0 : x / (y === 0 ? 1 : y)) },
    note: "at the origin (all inputs 0) the subgradient 0 is used",
  },
  abs: { kind: "math", arity: 1, math: "abs", fold: Math.abs, partials: [(x, y) => Math.sign(x)], note: "abs'(0) is taken as 0" },
  min: {
    kind: "math",
    arity: 2,
    math: "min",
    anyArguments: { none: Infinity },
    partials: [(a, b, y) => (a <= b ? 1 : 0), (a, b, y) => (a <= b ? 0 : 1)],
    note: "at a tie the whole derivative goes to the first argument",
  },
  max: {
    kind: "math",
    arity: 2,
    math: "max",
    anyArguments: { none: -Infinity },
    partials: [(a, b, y) => (a >= b ? 1 : 0), (a, b, y) => (a >= b ? 0 : 1)],
    note: "at a tie the whole derivative goes to the first argument",
  },

  // ---- piecewise constant (derivative zero wherever it exists) -------------------------------
  sign: { kind: "math", arity: 1, math: "sign", fold: Math.sign, partials: "zero" },
  floor: { kind: "math", arity: 1, math: "floor", partials: "zero" },
  ceil: { kind: "math", arity: 1, math: "ceil", partials: "zero" },
  round: { kind: "math", arity: 1, math: "round", partials: "zero" },
  trunc: { kind: "math", arity: 1, math: "trunc", partials: "zero" },
  // bitwise operators: JavaScript converts the operands to 32-bit integers (ToInt32, ToUint32 for
  // `>>>`) and the result is an integer, constant between the operands' integer steps
  bitAnd: { kind: "arithmetic", arity: 2, operator: "&", fold: (a, b) => a & b, partials: "zero", note: BITWISE },
  bitOr: { kind: "arithmetic", arity: 2, operator: "|", fold: (a, b) => a | b, partials: "zero", note: BITWISE },
  bitXor: { kind: "arithmetic", arity: 2, operator: "^", fold: (a, b) => a ^ b, partials: "zero", note: BITWISE },
  shiftLeft: { kind: "arithmetic", arity: 2, operator: "<<", fold: (a, b) => a << b, partials: "zero", note: BITWISE },
  shiftRight: { kind: "arithmetic", arity: 2, operator: ">>", fold: (a, b) => a >> b, partials: "zero", note: BITWISE },
  shiftRightUnsigned: { kind: "arithmetic", arity: 2, operator: ">>>", fold: (a, b) => a >>> b, partials: "zero", note: BITWISE },
  bitNot: { kind: "arithmetic", arity: 1, operator: "~", fold: (a) => ~a, partials: "zero", note: BITWISE },

  // ---- comparisons and logic (boolean results, never differentiated) -------------------------
  lt: { kind: "comparison", arity: 2, operator: "<" },
  le: { kind: "comparison", arity: 2, operator: "<=" },
  gt: { kind: "comparison", arity: 2, operator: ">" },
  ge: { kind: "comparison", arity: 2, operator: ">=" },
  eq: { kind: "comparison", arity: 2, operator: "===" },
  ne: { kind: "comparison", arity: 2, operator: "!==" },
  and: { kind: "boolean", arity: 2, operator: "&&" },
  or: { kind: "boolean", arity: 2, operator: "||" },
  not: { kind: "boolean", arity: 1, operator: "!" },

  // ---- structural ----------------------------------------------------------------------------
  // eager selection between two already-computed values (used by rules, never by lowering of `?:`)
  select: { kind: "structural", arity: 3, partials: "selects" },
  // stopGradient(x): the value, with a zero derivative; emit prints the value alone
  stop: { kind: "structural", arity: 1, partials: "zero", note: "stopGradient: the derivative is cut" },
} satisfies Record<string, Primitive>;

/** Names of the scalar primitives (the table's keys). */
export type PrimitiveName = keyof typeof primitives;

/** A primitive's entry, as the general type (for code that reads any entry). */
export function primitive(name: PrimitiveName): Primitive {
  return primitives[name];
}

/** Every primitive, in the table's order. */
export const PRIMITIVE_NAMES = Object.keys(primitives) as PrimitiveName[];

/** Whether the primitive's result is a boolean (a comparison or logic): it carries no derivative. */
export function isBooleanOp(name: PrimitiveName): boolean {
  const kind = primitives[name].kind;
  return kind === "comparison" || kind === "boolean";
}

/** The evaluator folding uses on constant arguments, if the primitive is folded. */
export function foldEvaluator(name: string): ((...args: number[]) => number) | undefined {
  const p = (primitives as Record<string, Primitive | undefined>)[name];
  return p?.fold as ((...args: number[]) => number) | undefined;
}
