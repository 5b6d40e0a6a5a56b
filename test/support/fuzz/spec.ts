/**
 * What a generated program is: its parameters' kinds and the source of its modules. The
 * generator (generate.ts) makes one, the harness (harness.ts) wraps it in every marker, and the
 * checks (checks.ts) build its arguments from a flat vector of numbers and flatten its
 * derivatives back, all from the kinds declared here.
 */

/** The kinds of value a parameter, a module constant or a helper's argument may have. */
export type Kind = "num" | "arr" | "f64" | "tup" | "obj" | "ten";

/** Fixed sizes, so that every index the generator writes is in range. */
export const ARR_LEN = 4;
export const F64_LEN = 3;
export const TEN_LEN = 3;

/** TypeScript type of each kind. */
export const TYPE_OF: Record<Kind, string> = {
  num: "number",
  arr: "number[]",
  f64: "Float64Array",
  tup: "[number, number]",
  obj: "{ a: number; b: number[] }",
  ten: "Tensor",
};

/** How many numbers a value of each kind holds (its part of the flat vector). */
export const SIZE_OF: Record<Kind, number> = { num: 1, arr: ARR_LEN, f64: F64_LEN, tup: 2, obj: 1 + ARR_LEN, ten: TEN_LEN };

/**
 * Constructs counted per program (the CI seeds must write each of them): bitwise operators,
 * `xs.slice(start, end)`, a `let` tuple state reassigned in a loop, helpers writing into a
 * caller's array, module-level tuples and objects read as data, a helper calling itself on a
 * shorter copy of its array (split mode).
 */
export const CONSTRUCTS = ["bitwise", "slice", "tupleState", "outParam", "moduleRecord", "recordArray", "recursion"] as const;
/**
 * The everyday idioms (idioms.ts), counted the same way: `for (const [i, v] of xs.entries())`
 * (keys, values), reduce and reduceRight without an initial value, callbacks passed by name,
 * destructuring assignment, rest elements, `xs.at(-1)!`, concat, findIndex as data,
 * `Number(cond)`, a sorted copy (and a median of one), a reversed copy, optional fields and an
 * optional object of an object parameter, console.log.
 */
export const IDIOMS = [
  "entries",
  "reduceNoInit",
  "byName",
  "destructAssign",
  "rest",
  "at",
  "concat",
  "findIndex",
  "numberCond",
  "sortCopy",
  "median",
  "reverseCopy",
  "optionalField",
  "optionalObject",
  "consoleLog",
] as const;
export type Construct = (typeof CONSTRUCTS)[number] | (typeof IDIOMS)[number];

export interface Param {
  readonly name: string;
  readonly kind: Kind;
}

/** A generated program: a function `name(...params, k)` and its helpers, in one or two modules. */
export interface GeneratedProgram {
  /** The program function's name (also the prefix of every other name in it). */
  readonly name: string;
  /** Differentiated parameters, in order; the last parameter `k: number` is integer data. */
  readonly params: readonly Param[];
  /** The main module's declarations (constants, helpers, the program function), no imports. */
  readonly main: string;
  /** The sibling module's declarations (exported helpers and constants), or "" for none. */
  readonly lib: string;
  /** Names the main module imports from the sibling module. */
  readonly libImports: readonly string[];
  /** Whether the program calls a derivative (grad, jvp, valueAndGrad) inside: its second order is third order. */
  readonly callsDerivative: boolean;
  /** A base point and direction for the one-number function `line(s) = flat(base + s dir)`. */
  readonly line: { readonly base: readonly number[]; readonly dir: readonly number[]; readonly k: number };
  /** An expression over `z` (the flat vector) for the vector-valued variant's extra output. */
  readonly vecExtra: string;
  /**
   * How many helpers, how deep the deepest call chain, how many helpers live in the sibling module,
   * how many are pure pass-throughs, how many closures (local helpers, arrows written in a marker
   * call), and how often each counted construct appears.
   */
  readonly stats: {
    readonly helpers: number;
    readonly depth: number;
    readonly libHelpers: number;
    readonly passThrough: number;
    readonly closures: number;
    /** How many times each counted construct was written. */
    readonly uses: Readonly<Record<Construct, number>>;
  };
}

/** Total length of the flat vector of a parameter list. */
export function flatSize(params: readonly Param[]): number {
  return params.reduce((n, p) => n + SIZE_OF[p.kind], 0);
}
