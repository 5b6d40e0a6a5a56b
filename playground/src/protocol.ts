/** Messages between the page and the compile worker (plain data: they are structured-cloned). */

/** The markers whose generated code the page shows, in the selector's order. */
export const SHOWN_MARKERS = ["grad", "valueAndGrad", "jvp", "hvp", "hessian"] as const;
export type ShownMarker = (typeof SHOWN_MARKERS)[number];

export interface CompileRequest {
  readonly type: "compile";
  readonly id: number;
  readonly source: string;
  /** Where the page loads each runtime module from: the emitted imports are rewritten to these. */
  readonly runtimeUrls: Readonly<Record<string, string>>;
  /** The marker whose code the page shows: formatted first. */
  readonly shown: ShownMarker;
}

/** A problem at a range of the user's module (character offsets), as the editor shows it. */
export interface SourceDiagnostic {
  readonly from: number;
  readonly to: number;
  /** `TSG1004` for tsgrad's refusals, `TS2304` for the compiler's own errors. */
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly source: "tsgrad" | "typescript";
}

/** `export const name = marker(target, ...)` in the user's module. */
export interface MarkerExport {
  readonly exportName: string;
  /** The marker's kind (`grad`, `hvp`, ..., also `vjp`, `jacobian`, `checkGrad`). */
  readonly marker: string;
  /** The differentiated function's name, when the marker's argument names one. */
  readonly target?: string;
  /** The generated function the call became, when tsgrad did not refuse it. */
  readonly generated?: string;
}

/** How the page calls the plotted function: `f(x, y)` or `f([x, y])`. */
export type ArgumentShape = "pair" | "array";

export interface PlotTarget {
  readonly name: string;
  /** The name it is exported under, when it is (the page then evaluates it directly). */
  readonly exportName?: string;
  readonly shape?: ArgumentShape;
  /** Why the page cannot plot it, when it cannot. */
  readonly problem?: string;
}

export interface CompileResponse {
  readonly type: "compiled";
  readonly id: number;
  /** The module as the page runs it: emitted JavaScript with the runtime's imports rewritten. */
  readonly js: string;
  readonly diagnostics: SourceDiagnostic[];
  readonly exports: MarkerExport[];
  readonly target?: PlotTarget;
  /**
   * Generated code for each marker the module exports for the target, as the compiler prints it.
   * Formatted code follows in `formatted` replies: the page runs and plots the module meanwhile.
   */
  readonly code: Partial<Record<ShownMarker, string>>;
  /**
   * Milliseconds: the whole compile, and its parts: making the Program, type-checking the module,
   * emitting it (tsgrad's transform runs there), and finding its marker exports for the page.
   */
  readonly timings: { readonly compile: number; readonly program: number; readonly check: number; readonly emit: number; readonly exports: number };
}

/** Formatted code for the compile `id`: the shown marker's first, then the others'. */
export interface FormattedCode {
  readonly type: "formatted";
  readonly id: number;
  readonly code: Partial<Record<ShownMarker, string>>;
  /** Milliseconds prettier took for these. */
  readonly ms: number;
}

export interface CompileFailure {
  readonly type: "failed";
  readonly id: number;
  readonly message: string;
}

export type WorkerReply = CompileResponse | FormattedCode | CompileFailure;
