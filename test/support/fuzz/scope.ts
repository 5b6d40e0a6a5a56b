/** What random programs' generation keeps track of: helpers, constants, and what code in scope may read and write. */
import { ARR_LEN, F64_LEN, TEN_LEN, type Kind, type Param } from "./spec.js";

export type Returns = "num" | "tup" | "rec";
export type Where = "main" | "lib";

export interface Helper {
  readonly name: string;
  readonly params: readonly Param[];
  readonly returns: Returns;
  readonly where: Where;
  readonly exported: boolean;
  /** Length of the longest chain of calls below it, itself included. */
  readonly depth: number;
  readonly passThrough: boolean;
  /** Declared inside a function (an arrow or a function declaration reading the enclosing scope): not visible at module level. */
  readonly local?: boolean;
  /**
   * It reads a tuple or object of the code around it (directly or through another local helper):
   * a derivative of it taken inside a differentiated function would be one with respect to a
   * record, which reverse mode refuses (TSG1009), so it is never handed to a marker there.
   */
  readonly capturesRecord?: boolean;
  /**
   * It calls grad or valueAndGrad (directly or through the helpers it calls): `jvp` of it is a
   * reverse sweep's tangent, which reverse mode refuses to differentiate (TSG1017), so it is
   * never handed to `jvp` inside the program (the program is also differentiated in reverse mode).
   */
  readonly callsGrad?: boolean;
}

export interface Constant {
  readonly name: string;
  readonly kind: Kind;
  readonly where: Where;
  readonly source: string;
}

/** A non-number value readable in scope: an array, a tuple, an object or a tensor. */
export interface Value {
  readonly expr: string;
  readonly kind: Exclude<Kind, "num">;
  /** Its length when not the kind's own (an array pushed to): never an argument, whose tangents have the kind's length. */
  readonly len?: number;
}

export interface Scope {
  /** Numbers readable here. */
  readonly scalars: string[];
  /** `let` numbers that statements may reassign. */
  readonly mutable: string[];
  readonly values: Value[];
  /** The integer data parameter `k` is in scope (the program function, not helpers). */
  readonly data: boolean;
  /** The innermost counted loop's variable and its bound. */
  readonly loop?: { readonly name: string; readonly bound: number };
  /** A block in the program function may return early; helpers may too. */
  readonly canReturn: boolean;
  readonly returns: Returns;
  /** Which module the code is in: a lib helper sees only lib helpers and constants. */
  readonly where: Where;
  /** Helpers this code may call (local helpers declared in this block are added as they appear). */
  readonly callable: Helper[];
}

export const LEN: Record<"arr" | "f64" | "ten", number> = { arr: ARR_LEN, f64: F64_LEN, ten: TEN_LEN };

/**
 * A scope for an expression alone in the main module (a helper's one-line body, the vector
 * variant's extra output): the numbers it may read and the helpers it may call, nothing to
 * assign or return from.
 */
export function expressionScope(scalars: string[], callable: Helper[] = [], loop?: Scope["loop"]): Scope {
  return { scalars, mutable: [], values: [], data: false, ...(loop ? { loop } : {}), canReturn: false, returns: "num", where: "main", callable };
}

/** Whether code (its text) reads a tuple or object in scope, or calls a local helper that does. */
export function readsRecord(s: Scope, text: string): boolean {
  const names = s.values.filter((v) => v.kind === "tup" || v.kind === "obj").map((v) => v.expr.split(".")[0]!);
  const helpers = s.callable.filter((h) => h.capturesRecord).map((h) => `${h.name}(`);
  return names.some((n) => new RegExp(`\\b${n}\\b`).test(text)) || helpers.some((h) => text.includes(h));
}
