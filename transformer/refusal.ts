/**
 * Stable codes of tsgrad's refusals, and the refusal a pass raises. Passes see only the IR, so
 * this module knows nothing of TypeScript; diagnostics.ts turns refusals into ts.Diagnostics.
 */

export const TSG = {
  /** The marker's argument is not a function tsgrad can see and differentiate. */
  unsupportedTarget: 1001,
  /** A call whose body is not visible and that has no derivative rule. */
  opaqueCall: 1002,
  /** Writes to a variable declared outside the differentiated function. */
  outerWrite: 1003,
  tryCatch: 1004,
  asyncOrGenerator: 1005,
  evalCall: 1006,
  dynamicKey: 1007,
  anyType: 1008,
  unsupportedSyntax: 1009,
  unsupportedType: 1010,
  /** Writes into an array the function does not own (a parameter, a global, an alias). */
  foreignArrayWrite: 1011,
  /** A function that reads local variables of an enclosing function. */
  capturedLocal: 1012,
  badOptions: 1013,
  nondeterministic: 1014,
  arrayRebind: 1015,
  unsupportedOutput: 1016,
  nestedMarker: 1017,
  incrementInExpression: 1018,
  noTypeChecker: 1019,
  /** A customVjp / customJvp / nonDifferentiable declaration tsgrad cannot use. */
  badRule: 1020,
  /** A loop asked to be checkpointed (`// @tsgrad checkpoint`) that checkpointing cannot reverse. */
  checkpoint: 1021,
} as const;

export type TsgCode = (typeof TSG)[keyof typeof TSG];

/** The numeric code TypeScript prints (`error TS91002`); the message itself starts with TSG1002. */
export const TS_CODE_BASE = 90000;

/** The code TypeScript prints for an internal error of tsgrad (`error TS90000`): no TSG refusal code. */
export const INTERNAL_ERROR_CODE = TS_CODE_BASE;

/**
 * A refusal raised by a pass, which sees only the IR: it points at a source position (an IR
 * origin) instead of a node. The driver turns it into a diagnostic.
 */
export class IrRefusal extends Error {
  constructor(
    readonly code: TsgCode,
    readonly origin: { readonly file: string; readonly pos: number; readonly end: number } | undefined,
    readonly problem: string,
    readonly hint: string,
  ) {
    super(`TSG${code}: ${problem}`);
  }
}

export function refuse(code: TsgCode, origin: IrRefusal["origin"], problem: string, hint: string): never {
  throw new IrRefusal(code, origin, problem, hint);
}

/**
 * A defect of tsgrad itself (a broken invariant, a primitive without a rule), never a refusal of
 * the user's code. The driver reports it as an internal error to report, not under a TSG code;
 * any other unexpected exception is reported the same way.
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InternalError";
  }
}
