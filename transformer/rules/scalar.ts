/**
 * Derivative rules of the scalar primitives, one entry per primitive.
 *
 * Each rule is ordinary, type-checked TypeScript: a list of partial derivatives, one per input,
 * written as functions of the inputs and of the primitive's output `y`. Both modes come from this
 * single source: forward mode emits `y_dot = sum_i partial_i * x_i_dot`, reverse mode emits
 * `x_i_bar += partial_i * y_bar`. The registry turns each function's own source text into IR (as
 * Tangent does with its templates), so a rule is also directly executable: the test suite checks
 * every one of them against finite differences.
 *
 * Template bodies may use: their parameters, number literals, + - * / and unary -, comparisons,
 * `c ? a : b` (evaluated eagerly, both sides must be safe to compute), and Math.* functions and
 * constants. Nothing else.
 */

export type Partial1 = (x: number, y: number) => number;
export type Partial2 = (a: number, b: number, y: number) => number;

export interface UnaryRule {
  readonly arity: 1;
  readonly partials: readonly [Partial1];
  /** Documents a choice made where the derivative does not exist. */
  readonly note?: string;
}
export interface BinaryRule {
  readonly arity: 2;
  readonly partials: readonly [Partial2, Partial2];
  readonly note?: string;
}
/** An n-ary primitive whose partial with respect to input i depends only on x_i and y. */
export interface VariadicRule {
  readonly arity: "variadic";
  readonly partial: Partial1;
  readonly note?: string;
}
/** Piecewise-constant primitives: derivative zero wherever it exists. */
export interface ZeroRule {
  readonly arity: "zero";
  readonly note?: string;
}
export type ScalarRule = UnaryRule | BinaryRule | VariadicRule | ZeroRule;

export const scalarRules = {
  add: { arity: 2, partials: [(a, b, y) => 1, (a, b, y) => 1] },
  sub: { arity: 2, partials: [(a, b, y) => 1, (a, b, y) => -1] },
  mul: { arity: 2, partials: [(a, b, y) => b, (a, b, y) => a] },
  div: { arity: 2, partials: [(a, b, y) => 1 / b, (a, b, y) => -y / b] },
  mod: {
    arity: 2,
    partials: [(a, b, y) => 1, (a, b, y) => -Math.trunc(a / b)],
    note: "a % b = a - b * trunc(a / b); the jumps where a / b crosses an integer have no derivative",
  },
  pow: {
    arity: 2,
    partials: [(a, b, y) => b * Math.pow(a, b - 1), (a, b, y) => (a === 0 ? 0 : y * Math.log(a))],
    note: "d/db at a = 0 is taken as 0 (the limit from a > 0); for a < 0 it is NaN, as a ** b is",
  },
  neg: { arity: 1, partials: [(x, y) => -1] },

  sin: { arity: 1, partials: [(x, y) => Math.cos(x)] },
  cos: { arity: 1, partials: [(x, y) => -Math.sin(x)] },
  tan: { arity: 1, partials: [(x, y) => 1 + y * y] },
  asin: { arity: 1, partials: [(x, y) => 1 / Math.sqrt(1 - x * x)] },
  acos: { arity: 1, partials: [(x, y) => -1 / Math.sqrt(1 - x * x)] },
  atan: { arity: 1, partials: [(x, y) => 1 / (1 + x * x)] },
  atan2: {
    arity: 2,
    partials: [(a, b, y) => b / (a * a + b * b), (a, b, y) => -a / (a * a + b * b)],
  },
  sinh: { arity: 1, partials: [(x, y) => Math.cosh(x)] },
  cosh: { arity: 1, partials: [(x, y) => Math.sinh(x)] },
  tanh: { arity: 1, partials: [(x, y) => 1 - y * y] },
  asinh: { arity: 1, partials: [(x, y) => 1 / Math.sqrt(x * x + 1)] },
  acosh: { arity: 1, partials: [(x, y) => 1 / Math.sqrt(x * x - 1)] },
  atanh: { arity: 1, partials: [(x, y) => 1 / (1 - x * x)] },
  exp: { arity: 1, partials: [(x, y) => y] },
  expm1: { arity: 1, partials: [(x, y) => y + 1] },
  log: { arity: 1, partials: [(x, y) => 1 / x] },
  log1p: { arity: 1, partials: [(x, y) => 1 / (1 + x)] },
  log2: { arity: 1, partials: [(x, y) => 1 / (x * Math.LN2)] },
  log10: { arity: 1, partials: [(x, y) => 1 / (x * Math.LN10)] },
  sqrt: { arity: 1, partials: [(x, y) => 0.5 / y] },
  cbrt: { arity: 1, partials: [(x, y) => 1 / (3 * y * y)] },
  hypot: {
    arity: "variadic",
    partial: (x, y) => (y === 0 ? 0 : x / y),
    note: "at the origin (all inputs 0) the subgradient 0 is used",
  },
  abs: { arity: 1, partials: [(x, y) => Math.sign(x)], note: "abs'(0) is taken as 0" },
  min: {
    arity: 2,
    partials: [(a, b, y) => (a <= b ? 1 : 0), (a, b, y) => (a <= b ? 0 : 1)],
    note: "at a tie the whole derivative goes to the first argument",
  },
  max: {
    arity: 2,
    partials: [(a, b, y) => (a >= b ? 1 : 0), (a, b, y) => (a >= b ? 0 : 1)],
    note: "at a tie the whole derivative goes to the first argument",
  },

  stop: { arity: "zero", note: "stopGradient: the derivative is cut" },
  sign: { arity: "zero" },
  floor: { arity: "zero" },
  ceil: { arity: "zero" },
  round: { arity: "zero" },
  trunc: { arity: "zero" },
} satisfies Record<string, ScalarRule>;

export type DifferentiableOpName = keyof typeof scalarRules;
