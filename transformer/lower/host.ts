/** What lowering needs from the driver: the checker and a way to name (and request) callees. */
import type { MarkerCall, MarkerKind } from "../discover/markers.js";
import type { FunctionLike } from "../syntax/declarations.js";

export interface LowerHost {
  readonly checker: ts.TypeChecker;
  /** Stable key of a user function; the driver lowers it on demand when a pass needs it. */
  functionKey(decl: FunctionLike): string;
  /** Whether a symbol is one of tsgrad's marker exports (grad, jvp, ...). */
  isMarker(symbol: ts.Symbol): boolean;
  /** The tensor operation a symbol is (its name in the registry), if it is one. */
  tensorOp(symbol: ts.Symbol): string | undefined;
  /** Which rule helper (customVjp, customJvp, stopGradient, nonDifferentiable) a symbol is. */
  ruleKind(symbol: ts.Symbol): "customVjp" | "customJvp" | "stopGradient" | "nonDifferentiable" | undefined;
  /** The marker a call's callee resolves to (`grad` in `grad(h)`), if it is one. */
  markerOf(call: ts.CallExpression): MarkerKind | undefined;
  /**
   * A marker used inside a differentiated function (`grad(h)(x)`): the key of the derived
   * function it stands for, and how many arguments that function takes.
   */
  markerTarget(marker: MarkerCall): {
    readonly key: string;
    readonly arity: number;
    /** The source function differentiated, whose captured variables lead the arguments. */
    readonly source: FunctionLike | undefined;
  };
}
