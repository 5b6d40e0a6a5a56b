/**
 * The types of derivatives, computed from the types of the functions they come from, so that the
 * editor shows `grad(loss)` as `(w: number, b: number) => [number, number]`.
 */
import type { Tensor } from "./tensor/tensor.js";

/** Whether values of type T carry a derivative (numbers, arrays and records of numbers). */
export type IsDifferentiable<T> = T extends number
  ? true
  : T extends Float64Array
    ? true
    : T extends boolean | string | bigint | symbol | null | undefined
      ? false
      : T extends readonly (infer E)[]
        ? number extends T["length"]
          ? IsDifferentiableElement<E> // an array
          : true extends IsDifferentiable<E> // a tuple with a number among booleans and strings is
            ? true
            : false
        : T extends (...args: never[]) => unknown
          ? false
          : T extends object
            ? MayLackField<T> extends never // an object with an optional field is data
              ? true
              : false
            : false;

/** The keys of T whose field may be missing or undefined (`scale?: number`, `k: number | undefined`). */
type MayLackField<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/**
 * Whether an array of E carries a derivative: arrays of numbers, of arrays and of tensors do;
 * arrays of tuples and objects (`{ t: number; y: number }[]`) are data, never differentiated.
 */
type IsDifferentiableElement<E> = E extends Tensor
  ? true
  : E extends number | Float64Array
    ? true
    : E extends readonly unknown[]
      ? number extends E["length"]
        ? IsDifferentiable<E>
        : false
      : E extends object
        ? false
        : IsDifferentiable<E>;

/** The gradient of a value of type T has T's shape: numbers for numbers, arrays for arrays. */
export type Gradient<T> = T extends number
  ? number
  : T extends Float64Array
    ? Float64Array
    : T extends Tensor
      ? Tensor
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Gradient<T[K]> }
        : T extends object
          ? { -readonly [K in keyof T as IsDifferentiable<T[K]> extends true ? K : never]: Gradient<T[K]> }
          : never;

/** The gradients of the differentiable parameters, in order. */
export type ParamGradients<P extends readonly unknown[]> = P extends readonly [infer H, ...infer R]
  ? IsDifferentiable<H> extends true
    ? [Gradient<H>, ...ParamGradients<R>]
    : ParamGradients<R>
  : [];

/** The type of the one differentiable parameter (the others data), or never when there are more or none. */
export type OnlyDifferentiable<P extends readonly unknown[]> = ParamGradients<P> extends [unknown] ? FirstDifferentiable<P> : never;
type FirstDifferentiable<P> = P extends readonly [infer H, ...infer R]
  ? IsDifferentiable<H> extends true
    ? H
    : FirstDifferentiable<R>
  : never;
/** `unknown` for a function with exactly one differentiable parameter, `never` otherwise (for `f: F & ...`). */
export type OneDifferentiable<F extends (...args: never[]) => unknown> = ParamGradients<Parameters<F>> extends [unknown] ? unknown : never;

/** One gradient bare, several as a tuple. */
export type GradientOf<F extends (...args: never[]) => unknown> =
  ParamGradients<Parameters<F>> extends [infer Only] ? Only : ParamGradients<Parameters<F>>;

/**
 * Gradient when `wrt` selects parameters. By position (`wrt: [0, 2]`) each gradient has its
 * parameter's exact type; by name (`wrt: ["w"]`) TypeScript cannot see which parameter a name
 * is, so each is typed as the union of the gradients of all parameters.
 */
export type GradientOfSome<F extends (...args: never[]) => unknown, W extends readonly (string | number)[]> = W extends readonly [
  infer Only,
]
  ? SelectedGradient<Parameters<F>, Only>
  : SelectedGradients<F, W>;

/** The gradient for a marker's options: all parameters' when they have no `wrt`, else those it selects. */
export type GradientOfOptions<F extends (...args: never[]) => unknown, W extends readonly (string | number)[]> = W extends readonly []
  ? GradientOf<F>
  : GradientOfSome<F, W>;

/**
 * The positions of a function's parameters as number literals (`0 | 1` for two parameters), so
 * that `wrt: [5]` for a function of two parameters is a type error; any number for a rest
 * parameter. Names stay strings: TypeScript's types do not see parameter names (the
 * language-service plugin checks them in the editor).
 */
export type ParamPosition<F extends (...args: never[]) => unknown> = number extends Parameters<F>["length"]
  ? number
  : PositionsOf<Parameters<F>>;
type PositionsOf<P extends readonly unknown[]> =
  Exclude<keyof P, keyof unknown[]> extends infer K ? (K extends `${infer N extends number}` ? N : never) : never;

/** What `wrt` may list for a function: its parameters' names, or their positions. */
export type Wrt<F extends (...args: never[]) => unknown> = readonly (string | ParamPosition<F>)[];

/** The gradients (or tangents) of the parameters `wrt` selects, as a tuple. */
export type SelectedGradients<F extends (...args: never[]) => unknown, W extends readonly (string | number)[]> = {
  -readonly [K in keyof W]: SelectedGradient<Parameters<F>, W[K]>;
};

type SelectedGradient<P extends readonly unknown[], Key> = Key extends number ? Gradient<P[Key]> : ParamGradients<P>[number];

/** Numeric results a derivative can be taken of. */
export type NumericResult = number | number[] | Float64Array | number[][] | Tensor;

export type Fn = (...args: never[]) => unknown;
