/**
 * The intermediate representation every pass reads and writes.
 *
 * It is structured (if / loop / return, never a flat CFG) so that emitted code keeps the shape
 * of the source, and it is plain data: no TypeScript nodes, no classes. Lowering is the only
 * producer from TypeScript and emit the only consumer back to TypeScript.
 */
import type { PrimitiveName } from "../rules/primitives.js";
import type { DerivedKind } from "./keys.js";

/**
 * Types of IR values. Records (tuples, objects) are parameters (flattened into leaves by
 * lowering), what calls return (a derivative's `{ value, grad }`), and record literals that
 * generated code returns; they are never written in place.
 */
export type IRType =
  | { readonly kind: "num" }
  | { readonly kind: "bool" }
  | { readonly kind: "array"; readonly elem: IRType; readonly storage: ArrayStorage }
  | { readonly kind: "record"; readonly fields: readonly RecordField[]; readonly tuple: boolean }
  | { readonly kind: "stack" }
  /** A tensor of the runtime (tsgrad/tensor): a value, never written in place. */
  | { readonly kind: "tensor" }
  /** Data that carries no derivative and is only compared or passed on (a string, a label). */
  | { readonly kind: "data" }
  | { readonly kind: "void" };

export type ArrayStorage = "array" | "f64";
export interface RecordField {
  readonly key: string | number;
  readonly type: IRType;
  /**
   * An object's optional number or boolean field (`scale?: number`): it may hold undefined, read
   * as an optional parameter is (lower/optional.ts). A record with one is data.
   */
  readonly optional?: true;
}

export const NUM: IRType = { kind: "num" };
export const BOOL: IRType = { kind: "bool" };
export const VOID: IRType = { kind: "void" };
export const STACK: IRType = { kind: "stack" };
export const TENSOR: IRType = { kind: "tensor" };

/** Where a statement came from, for comments and source maps. */
export interface Origin {
  readonly file: string;
  readonly line: number; // 1-based
  readonly col: number; // 1-based
  readonly pos: number;
  readonly end: number;
  /** The source statement's text on one line, for comments in generated code. */
  readonly text: string;
}

export type VarRole = "param" | "local" | "temp" | "global" | "tangent" | "adjoint" | "saved" | "control";

/**
 * A variable. Identity is the object (and its id); `name` is only a preference, made unique by
 * emit. A `global` reads a module-level binding; a param leaf (`path`) reads a field of a
 * structured parameter.
 */
export interface Var {
  readonly id: number;
  readonly name: string;
  readonly type: IRType;
  readonly role: VarRole;
  /** Module-level binding read by the function: how emit must refer to it. */
  readonly external?: ExternalRef;
  /** Leaf of a structured parameter: `root.keys[0].keys[1]...`. */
  readonly path?: { readonly root: Var; readonly keys: readonly (string | number)[] };
  /** Array variables: false when it may alias memory the function does not own. */
  readonly owned?: boolean;
  /** A variable of the same shape: a tangent's or adjoint's primal (what tensor simplification needs). */
  readonly shapeLike?: Var;
  /** A parameter's default value (`delta = 1`): a number or boolean constant. */
  readonly defaultValue?: Expr;
  /**
   * A parameter callers may leave out (`delta?: number`, `delta: number | undefined`): it holds
   * undefined then, and the function reads it only through its two parts (lower/optional.ts).
   */
  readonly optional?: true;
}

/** A binding of some module that generated code refers to (a constant, an array, a function). */
export interface ExternalRef {
  readonly file: string;
  /** Name of the binding in its declaring module. */
  readonly name: string;
  /** Whether the declaring module exports it under `name`. */
  readonly exported: boolean;
}

/**
 * Names of scalar primitives: the keys of the primitive table (rules/primitives.ts), where each
 * has its arity, kind, syntax, fold evaluator and derivative rule.
 */
export type OpName = PrimitiveName;

export type Expr =
  | { readonly k: "num"; readonly value: number }
  /**
   * `undefined`: an optional argument of a tensor operation left out, or an optional field a
   * record literal leaves out (typed as the field, so that the record's type says what it may hold).
   */
  | { readonly k: "undef"; readonly type?: IRType }
  /** A string literal (data: compared with === and !==, passed on). */
  | { readonly k: "str"; readonly value: string }
  | { readonly k: "bool"; readonly value: boolean }
  | { readonly k: "var"; readonly v: Var }
  | { readonly k: "op"; readonly op: OpName; readonly args: readonly Expr[] }
  | { readonly k: "index"; readonly arr: Expr; readonly index: Expr }
  | { readonly k: "len"; readonly arr: Expr }
  | { readonly k: "field"; readonly obj: Expr; readonly key: string | number }
  | {
      readonly k: "call";
      readonly fn: Callee;
      readonly args: readonly Expr[];
      readonly type: IRType;
      /**
       * The reverse pass's mark joining a call of a source function in the forward sweep with
       * its pullback's call in the reverse sweep (the same number on both), so that emitted code
       * may call the two halves of a split pullback there instead (passes/split-calls.ts).
       */
      readonly pair?: number;
    }
  | { readonly k: "alloc"; readonly length: Expr; readonly storage: ArrayStorage; readonly fill: Expr }
  | { readonly k: "arrayLit"; readonly elems: readonly Expr[]; readonly storage: ArrayStorage }
  | { readonly k: "copy"; readonly arr: Expr; readonly storage: ArrayStorage }
  | { readonly k: "record"; readonly fields: readonly { key: string | number; value: Expr }[]; readonly tuple: boolean }
  /** A stack for the reverse sweep: Float64Array-backed for numbers, a plain array for arrays. */
  | { readonly k: "newStack"; readonly of: "f64" | "ref" }
  /** Zeros shaped like a (possibly nested) array: the adjoint of a nested array parameter. */
  | { readonly k: "zerosLike"; readonly arr: Expr }
  /** A function value (the pullback returned by vjp); only the assembler makes these. */
  | { readonly k: "closure"; readonly params: readonly Var[]; readonly body: Block; readonly returnType: IRType }
  | { readonly k: "pop"; readonly stack: Var; readonly type: IRType };

/**
 * A call target. `user` calls the function at `key` as it is: a function of the program, or one
 * tsgrad generated (keys are owned by the pipeline's function table);
 * derived callees are generated on demand by the driver: `jvp` (tangent function) and `vjp`
 * (joint pullback: recomputes the primal, then runs the reverse sweep).
 */
export type Callee =
  | { readonly kind: "user"; readonly key: string }
  /**
   * A module-level function called as it is, by its binding (`external`), whose body tsgrad
   * never reads: declared with a rule of the user's (`customVjp`/`customJvp`: the key of the rule
   * function) or `nonDifferentiable` (no rule: its result is a constant).
   */
  | {
      readonly kind: "opaque";
      readonly key: string;
      readonly external: ExternalRef;
      /** Calls a property of the binding (`f.tsgradVjp`: the rule attached by customVjp). */
      readonly member?: string;
      /** The function's own rules: keys of the rule functions. */
      readonly rule?: { readonly vjp?: string; readonly jvp?: string };
      /** The key of a body tsgrad may differentiate in place of this call (a rule's own body). */
      readonly body?: string;
    }
  /** A helper of the runtime (`hessianFromHvp`); only assembled wrappers call these. */
  | { readonly kind: "runtime"; readonly key: string }
  /** A tensor operation of the runtime (`matmul`); its rules are in rules/tensor.ts. */
  | { readonly kind: "tensor"; readonly key: string }
  | { readonly kind: "jvp"; readonly key: string; readonly active: readonly boolean[] }
  | { readonly kind: "vjp"; readonly key: string; readonly active: readonly boolean[] };

export type Stmt =
  | { readonly k: "decl"; readonly v: Var; readonly init: Expr; readonly origin?: Origin }
  | { readonly k: "assign"; readonly v: Var; readonly value: Expr; readonly origin?: Origin }
  | {
      readonly k: "store";
      readonly arr: Var;
      readonly index: Expr;
      readonly value: Expr;
      /** `arr[index] += value` (adjoint accumulation) instead of `=`. */
      readonly accumulate: boolean;
      readonly origin?: Origin;
    }
  | { readonly k: "push"; readonly arr: Var; readonly value: Expr; readonly origin?: Origin }
  /** `arr.length -= 1`: undoes a push in the reverse sweep. */
  | { readonly k: "truncate"; readonly arr: Var; readonly origin?: Origin }
  | { readonly k: "if"; readonly cond: Expr; readonly then: Block; readonly else: Block; readonly origin?: Origin }
  | {
      readonly k: "loop";
      readonly label?: string;
      /** Checked before each iteration (`testAtEnd` false) or after it (do-while). */
      readonly test: Expr | null;
      readonly testAtEnd: boolean;
      readonly body: Block;
      /** The `for` update clause; runs after the body and on `continue`. */
      readonly update: Block;
      /** Only set by emit's last preparation: the counter declared in `for (let i = ...; ...)`. */
      readonly init?: Stmt & { readonly k: "decl" };
      /**
       * What the source asked of this loop's reverse sweep (`// @tsgrad checkpoint 50` above it):
       * binomial checkpointing with this many snapshots (`snapshots` absent: the default), or
       * "off" (the plain sweep, even where the automatic rule would checkpoint).
       */
      readonly checkpoint?: { readonly snapshots?: number } | "off";
      readonly origin?: Origin;
    }
  | { readonly k: "break"; readonly label?: string; readonly origin?: Origin }
  | { readonly k: "continue"; readonly label?: string; readonly origin?: Origin }
  | { readonly k: "return"; readonly value: Expr | null; readonly origin?: Origin }
  /** `throw new Error(message)`: input validation; the reverse sweep never sees it run. */
  | {
      readonly k: "throw";
      readonly error: "Error" | "TypeError" | "RangeError";
      readonly message: string;
      /** A template message: after `message`, each value followed by its text (`got ${x}!`). */
      readonly spans?: readonly TemplateSpan[];
      readonly origin?: Origin;
    }
  /**
   * `console.log("loss", s)` (and info, warn, error, debug): printed where the derivative runs
   * the statement (the forward sweep); its values are read as data.
   */
  | { readonly k: "log"; readonly method: LogMethod; readonly args: readonly LogArg[]; readonly origin?: Origin }
  | { readonly k: "stackPush"; readonly stack: Var; readonly value: Expr; readonly origin?: Origin }
  /**
   * The start of a generated function's forward or reverse sweep. Emit prints it as a comment
   * line, and from the reverse sweep on it quotes, above each statement, the source line it
   * reverses.
   */
  | { readonly k: "section"; readonly sweep: "forward" | "reverse"; readonly origin?: undefined };

export type Block = readonly Stmt[];

export type LogMethod = "log" | "info" | "warn" | "error" | "debug";

/** An argument of a console call: a string, a template (`step ${k}`), or a value. */
export type LogArg =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "template"; readonly head: string; readonly spans: readonly TemplateSpan[] }
  | { readonly kind: "value"; readonly value: Expr };

/** `${value}text` in a template message. */
export interface TemplateSpan {
  readonly value: Expr;
  readonly text: string;
}

export interface IRFunction {
  /** Stable key of the source function (the driver maps it back to a declaration). */
  readonly key: string;
  /** Source name, used to name generated functions. */
  readonly name: string;
  readonly params: readonly Param[];
  readonly body: Block;
  readonly returnType: IRType;
  readonly origin: Origin;
}

/**
 * A source parameter. Scalar and array parameters are a single variable; tuple and object
 * parameters are flattened into `leaves` (each a Var with a `path` back to `root`).
 */
export interface Param {
  readonly root: Var;
  readonly leaves: readonly Var[];
  /** Whether its type can carry a derivative (number, arrays and records of those). */
  readonly differentiable: boolean;
  /**
   * A variable of an enclosing function the source function reads (lower/captures.ts): a leading
   * parameter its callers pass. At a marker's call site it is data, never differentiated.
   */
  readonly captured?: boolean;
}

/** A function tsgrad generates: what emit turns into one TypeScript function declaration. */
export interface GeneratedFunction {
  /** Function-table key (`grad[11](file#pos)`), unique per program. */
  readonly key: string;
  /** What it is (the recipe of its key): emit chooses its comments by it. */
  readonly kind: DerivedKind;
  /** Preferred name (`rosen_grad`); emit makes it unique in the module. */
  readonly name: string;
  readonly params: readonly Var[];
  readonly body: Block;
  readonly returnType: IRType;
  /** First line of the doc comment. */
  readonly doc: string;
  /** The source function it derives from. */
  readonly origin: Origin;
}
