/**
 * The `Math` members tsgrad knows: which primitive each function is, and the constants. Shared by
 * lowering (source to IR), the rule registry (templates to IR) and emit (IR to source).
 */
import type { OpName } from "../ir/types.js";

/** Math functions and the primitive they lower to. min/max/hypot take any number of arguments. */
export const MATH_FUNCTIONS: Readonly<Record<string, { op: OpName; arity: number | "any" }>> = {
  sin: { op: "sin", arity: 1 },
  cos: { op: "cos", arity: 1 },
  tan: { op: "tan", arity: 1 },
  asin: { op: "asin", arity: 1 },
  acos: { op: "acos", arity: 1 },
  atan: { op: "atan", arity: 1 },
  atan2: { op: "atan2", arity: 2 },
  sinh: { op: "sinh", arity: 1 },
  cosh: { op: "cosh", arity: 1 },
  tanh: { op: "tanh", arity: 1 },
  asinh: { op: "asinh", arity: 1 },
  acosh: { op: "acosh", arity: 1 },
  atanh: { op: "atanh", arity: 1 },
  exp: { op: "exp", arity: 1 },
  expm1: { op: "expm1", arity: 1 },
  log: { op: "log", arity: 1 },
  log1p: { op: "log1p", arity: 1 },
  log2: { op: "log2", arity: 1 },
  log10: { op: "log10", arity: 1 },
  sqrt: { op: "sqrt", arity: 1 },
  cbrt: { op: "cbrt", arity: 1 },
  pow: { op: "pow", arity: 2 },
  hypot: { op: "hypot", arity: "any" },
  abs: { op: "abs", arity: 1 },
  min: { op: "min", arity: "any" },
  max: { op: "max", arity: "any" },
  sign: { op: "sign", arity: 1 },
  floor: { op: "floor", arity: 1 },
  ceil: { op: "ceil", arity: 1 },
  round: { op: "round", arity: 1 },
  trunc: { op: "trunc", arity: 1 },
};

/** The `Math` function name of a primitive, for emit. */
export const MATH_NAME_OF: Readonly<Partial<Record<OpName, string>>> = Object.fromEntries(
  Object.entries(MATH_FUNCTIONS).map(([name, { op }]) => [op, name]),
);

export const MATH_CONSTANTS: Readonly<Record<string, number>> = {
  PI: Math.PI,
  E: Math.E,
  LN2: Math.LN2,
  LN10: Math.LN10,
  LOG2E: Math.LOG2E,
  LOG10E: Math.LOG10E,
  SQRT2: Math.SQRT2,
  SQRT1_2: Math.SQRT1_2,
};
