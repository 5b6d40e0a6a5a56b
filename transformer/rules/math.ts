/**
 * The `Math` members tsgrad knows: its functions, read from the primitive table (each primitive
 * with a `math` name), and its constants. Shared by lowering (source to IR), the rule registry
 * (templates to IR) and emit (IR to source).
 */
import type { OpName } from "../ir/types.js";
import { PRIMITIVE_NAMES, primitive } from "./primitives.js";

/** A Math function: the primitive it lowers to, and how many arguments it takes. */
export interface MathFunction {
  readonly op: OpName;
  /** "any": applied as a fold (min, max) or once over all of them (hypot); see `anyArguments`. */
  readonly arity: number | "any";
  /** The value of the call without arguments, for functions of any number of arguments. */
  readonly none?: number;
}

/** Math functions by their `Math` name. */
export const MATH_FUNCTIONS: Readonly<Record<string, MathFunction>> = Object.fromEntries(
  PRIMITIVE_NAMES.flatMap((op) => {
    const p = primitive(op);
    if (p.math === undefined) return [];
    const fn: MathFunction = p.anyArguments
      ? { op, arity: "any", none: p.anyArguments.none }
      : { op, arity: typeof p.arity === "number" ? p.arity : "any" };
    return [[p.math, fn]];
  }),
);

/** The `Math` function name of a primitive, for emit. */
export function mathNameOf(op: OpName): string | undefined {
  return primitive(op).math;
}

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
