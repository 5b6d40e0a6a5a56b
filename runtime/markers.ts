/**
 * The markers. At build time the tsgrad transformer replaces each call with a reference to
 * generated derivative code, so none of these bodies runs. If one does run, the transformer was
 * not part of the build, and the error says how to add it.
 *
 * The transformer recognises these functions by the `@tsgradMarker` tag on their declarations
 * (resolved through the TypeChecker), never by name: renamed imports work, and a user's own
 * function called `grad` is left alone.
 */
import { Tensor } from "./tensor/tensor.js";
import type {
  Fn,
  GradientOf,
  GradientOfOptions,
  NumericResult,
  OneDifferentiable,
  OnlyDifferentiable,
  ParamGradients,
  ParamPosition,
  SelectedGradients,
  Wrt,
} from "./types.js";

export interface GradOptions<W extends readonly (string | number)[] = readonly (string | number)[]> {
  /**
   * The parameters to differentiate, by name or by position (literals, known at compile time);
   * the others are data. Positions give each gradient its exact type.
   */
  readonly wrt?: W;
  /** `true` when the function returns `[loss, aux]` (see AuxOptions). */
  readonly hasAux?: false;
}

/**
 * Options of a function that returns `[loss, aux]` (JAX's `has_aux`): the derivative is the
 * loss's, and `aux` (any value: numbers, arrays, objects, tensors) comes back beside it, as a plain
 * call would return it, with no derivative.
 */
export interface AuxOptions<W extends readonly (string | number)[] = readonly (string | number)[]> {
  readonly wrt?: W;
  readonly hasAux: true;
}

/** The loss of a function that returns `[loss, aux]` */
type WithAux = (...args: never[]) => readonly [number, unknown];
/** The aux a function returning `[loss, aux]` returns. */
type AuxOf<F extends WithAux> = ReturnType<F>[1];
/** hvp's directions: one per differentiated parameter, shaped like it. */
type DirectionsOf<F extends Fn, W extends readonly (string | number)[]> = W extends readonly []
  ? ParamGradients<Parameters<F>>
  : SelectedGradients<F, W>;

function notTransformed(name: string): never {
  throw new Error(
    `tsgrad: ${name}() was called at run time, so no tsgrad transformer compiled this file: at build time ` +
      `it replaces ${name}(f) with generated derivative code. Add it to the build: a bundler plugin ` +
      `(tsgrad/vite, tsgrad/rollup, tsgrad/webpack, tsgrad/rspack, tsgrad/esbuild), \`node --import tsgrad/register app.ts\`, ` +
      `\`tsgrad generate\` before your usual tsc, or ts-patch's tspc with { "transform": "tsgrad/transformer" } in ` +
      `tsconfig's compilerOptions.plugins. TypeScript 7's tsc (the native compiler) runs no transformer plugins: ` +
      `with it, use one of the other routes.`,
  );
}

/**
 * Reverse mode: the gradient of a scalar function, one gradient per differentiable parameter
 * (the bare gradient for one parameter, a tuple for several), each shaped like its parameter.
 * @tsgradMarker grad
 */
export function grad<F extends (...args: never[]) => number>(f: F): (...args: Parameters<F>) => GradientOf<F>;
export function grad<F extends WithAux, const W extends Wrt<F> = []>(
  f: F,
  options: AuxOptions<W>,
): (...args: Parameters<F>) => { grad: GradientOfOptions<F, W>; aux: AuxOf<F> };
export function grad<F extends (...args: never[]) => number, const W extends Wrt<F> = []>(
  f: F,
  options: GradOptions<W>,
): (...args: Parameters<F>) => GradientOfOptions<F, W>;
export function grad(f: Fn, options?: GradOptions | AuxOptions): never {
  void f;
  void options;
  return notTransformed("grad");
}

/**
 * The value and the gradient in one sweep.
 * @tsgradMarker valueAndGrad
 */
export function valueAndGrad<F extends (...args: never[]) => number>(
  f: F,
): (...args: Parameters<F>) => { value: number; grad: GradientOf<F> };
export function valueAndGrad<F extends WithAux, const W extends Wrt<F> = []>(
  f: F,
  options: AuxOptions<W>,
): (...args: Parameters<F>) => { value: number; aux: AuxOf<F>; grad: GradientOfOptions<F, W> };
export function valueAndGrad<F extends (...args: never[]) => number, const W extends Wrt<F> = []>(
  f: F,
  options: GradOptions<W>,
): (...args: Parameters<F>) => { value: number; grad: GradientOfOptions<F, W> };
export function valueAndGrad(f: Fn, options?: GradOptions | AuxOptions): never {
  void f;
  void options;
  return notTransformed("valueAndGrad");
}

/**
 * Forward mode: `jvp(f)(...primals, ...tangents)` gives `{ value, tangent }`, one tangent argument
 * per differentiable parameter. For scalar f, `jvp(f)(x, u).tangent` is the directional
 * derivative along u.
 * @tsgradMarker jvp
 */
export function jvp<F extends (...args: never[]) => NumericResult>(
  f: F,
): (...args: [...Parameters<F>, ...ParamGradients<Parameters<F>>]) => { value: ReturnType<F>; tangent: ReturnType<F> };
export function jvp<F extends WithAux, const W extends Wrt<F> = []>(
  f: F,
  options: AuxOptions<W>,
): (...args: [...Parameters<F>, ...(W extends readonly [] ? ParamGradients<Parameters<F>> : SelectedGradients<F, W>)]) => {
  value: number;
  aux: AuxOf<F>;
  tangent: number;
};
export function jvp<F extends (...args: never[]) => NumericResult, const W extends Wrt<F>>(
  f: F,
  options: GradOptions<W>,
): (...args: [...Parameters<F>, ...SelectedGradients<F, W>]) => { value: ReturnType<F>; tangent: ReturnType<F> };
export function jvp(f: Fn, options?: GradOptions | AuxOptions): never {
  void f;
  void options;
  return notTransformed("jvp");
}

/**
 * Reverse mode for any numeric output: `vjp(f)(...primals)` gives `{ value, pullback }`;
 * `pullback(cotangent)` returns what grad would, for the output's cotangent.
 * @tsgradMarker vjp
 */
export function vjp<F extends (...args: never[]) => NumericResult>(
  f: F,
): (...args: Parameters<F>) => { value: ReturnType<F>; pullback: (cotangent: ReturnType<F>) => GradientOf<F> };
export function vjp<F extends WithAux, const W extends Wrt<F> = []>(
  f: F,
  options: AuxOptions<W>,
): (...args: Parameters<F>) => { value: number; aux: AuxOf<F>; pullback: (cotangent: number) => GradientOfOptions<F, W> };
export function vjp<F extends (...args: never[]) => NumericResult, const W extends Wrt<F> = []>(
  f: F,
  options: GradOptions<W>,
): (...args: Parameters<F>) => { value: ReturnType<F>; pullback: (cotangent: ReturnType<F>) => GradientOfOptions<F, W> };
export function vjp(f: Fn, options?: GradOptions | AuxOptions): never {
  void f;
  void options;
  return notTransformed("vjp");
}

/**
 * The Hessian of a scalar function times a direction, `hvp(f)(...params, ...directions)`: one
 * forward-mode sweep over the generated gradient (forward over reverse), about the cost of a few
 * gradients, never the n-by-n matrix. Shaped like the gradient.
 * @tsgradMarker hvp
 */
export function hvp<F extends (...args: never[]) => number>(
  f: F,
): (...args: [...Parameters<F>, ...ParamGradients<Parameters<F>>]) => GradientOf<F>;
export function hvp<F extends WithAux, const W extends Wrt<F> = []>(
  f: F,
  options: AuxOptions<W>,
): (...args: [...Parameters<F>, ...DirectionsOf<F, W>]) => { hvp: GradientOfOptions<F, W>; aux: AuxOf<F> };
export function hvp<F extends (...args: never[]) => number, const W extends Wrt<F>>(
  f: F,
  options: GradOptions<W>,
): (...args: [...Parameters<F>, ...SelectedGradients<F, W>]) => GradientOfOptions<F, W>;
export function hvp(f: Fn, options?: GradOptions | AuxOptions): never {
  void f;
  void options;
  return notTransformed("hvp");
}

/**
 * The Hessian of a scalar function of one parameter: a number for a number, an n-by-n matrix
 * (rows of number[]) for number[] or Float64Array, and for a tensor a tensor of shape
 * [...x.shape, ...x.shape]; built from Hessian-vector products, one per input element.
 * @tsgradMarker hessian
 */
export function hessian<F extends (...args: never[]) => number>(
  f: F & OneDifferentiable<F>,
): (...args: Parameters<F>) => HessianOf<OnlyDifferentiable<Parameters<F>>>;
export function hessian<F extends WithAux, const W extends Wrt<F> = []>(
  f: F,
  options: AuxOptions<W>,
): (...args: Parameters<F>) => {
  hessian: W extends readonly [] ? HessianOf<Parameters<F>[0]> : HessianOfSome<Parameters<F>, W>;
  aux: AuxOf<F>;
};
export function hessian<F extends (...args: never[]) => number, const W extends Wrt<F>>(
  f: F,
  options: GradOptions<W>,
): (...args: Parameters<F>) => HessianOfSome<Parameters<F>, W>;
export function hessian(f: Fn, options?: GradOptions | AuxOptions): never {
  void f;
  void options;
  return notTransformed("hessian");
}

type HessianOf<X> = X extends number ? number : X extends Tensor ? Tensor : number[][];
/**
 * The Hessian with respect to the one parameter `wrt` selects: by position, its parameter's;
 * by name (which TypeScript cannot resolve to a position), any differentiable parameter's.
 */
type HessianOfSome<P extends readonly unknown[], W extends readonly (string | number)[]> = W extends readonly [infer Only]
  ? Only extends number
    ? HessianOf<P[Only]>
    : HessianOf<ParamGradients<P>[number]>
  : HessianOf<ParamGradients<P>[number]>;

export interface JacobianOptions {
  /**
   * "forward": one tangent sweep per input; "reverse": one pullback per output. By default the
   * generated code picks the fewer sweeps at run time (inputs <= outputs: forward).
   */
  readonly mode?: "forward" | "reverse";
}

type JacobianOf<F extends Fn> = JacobianOfOutput<ReturnType<F>>;
type JacobianOfOutput<Y> = Y extends Tensor ? Tensor : number[][];

/**
 * The Jacobian of a function from one array to an array: rows are outputs, columns inputs. For a
 * function from a tensor to a tensor, a tensor of shape [...output shape, ...input shape]. A
 * function of several parameters names the one to differentiate with `wrt` (the others are data).
 * @tsgradMarker jacobian
 */
export function jacobian<F extends (...args: never[]) => readonly [number[] | Float64Array | Tensor, unknown]>(
  f: F,
  options: JacobianOptions & { readonly hasAux: true; readonly wrt?: readonly [string | ParamPosition<F>] },
): (...args: Parameters<F>) => { jacobian: JacobianOfOutput<ReturnType<F>[0]>; aux: ReturnType<F>[1] };
export function jacobian<F extends (...args: never[]) => number[] | Float64Array | Tensor>(
  f: F & OneDifferentiable<F>,
  options?: JacobianOptions,
): (...args: Parameters<F>) => JacobianOf<F>;
export function jacobian<F extends (...args: never[]) => number[] | Float64Array | Tensor>(
  f: F,
  options: JacobianOptions & { readonly wrt: readonly [string | ParamPosition<F>] },
): (...args: Parameters<F>) => JacobianOf<F>;
export function jacobian(
  f: Fn,
  options?: JacobianOptions & { readonly wrt?: readonly [string | number]; readonly hasAux?: boolean },
): never {
  void f;
  void options;
  return notTransformed("jacobian");
}

/** What the transformer passes to checkGrad in place of `f`: the function and its gradient. */
export interface CompiledGradientCheck {
  readonly __tsgradCheck: 1;
  readonly f: Fn;
  readonly grad: Fn;
  /** Positions of the parameters the gradient covers, in order. */
  readonly params: readonly number[];
  /** `f` returns `[loss, aux]` and `grad` returns `{ grad, aux }`. */
  readonly aux?: true;
}

function isCompiledCheck(x: unknown): x is CompiledGradientCheck {
  return typeof x === "object" && x !== null && (x as { __tsgradCheck?: unknown }).__tsgradCheck === 1;
}

/**
 * Compares the generated gradient of `f` at `args` with central finite differences and returns
 * the largest error per differentiable parameter, |g - fd| / max(1, |g|, |fd|): relative where
 * the derivative is large, absolute where it is small. Values around 1e-7 or below mean agreement.
 * Every numeric parameter is perturbed (by 1e-6 relative); to hold data parameters fixed (a
 * tolerance, a count), check a closure: `checkGrad((p: number) => solve(p, 1e-12), 2)`. A
 * function that returns a pair `[loss, aux]` (what `hasAux` differentiates) is checked on its loss.
 * @tsgradMarker checkGrad
 */
export function checkGrad<F extends (...args: never[]) => number | readonly [number, unknown]>(f: F, ...args: Parameters<F>): number[];
export function checkGrad(check: unknown, ...args: unknown[]): number[] {
  if (!isCompiledCheck(check)) return notTransformed("checkGrad");
  const loss = (...a: never[]): number => (check.aux ? (check.f(...a) as [number, unknown])[0] : (check.f(...a) as number));
  const f = { f: loss, grad: check.grad, params: check.params };
  const result = f.grad(...(args as never[])) as unknown;
  const g = check.aux ? (result as { grad: unknown }).grad : result;
  const grads = f.params.length === 1 ? [g] : (g as unknown[]);
  return f.params.map((p, k) => {
    let worst = 0;
    forEachLeaf(
      args[p],
      grads[k],
      (get, set, analytic) => {
        const x = get();
        const h = 1e-6 * Math.max(1, Math.abs(x));
        set(x + h);
        const up = f.f(...(cloneArgs(args) as never[])) as number;
        set(x - h);
        const down = f.f(...(cloneArgs(args) as never[])) as number;
        set(x);
        const fd = (up - down) / (2 * h);
        const err = Math.abs(analytic - fd) / Math.max(1, Math.abs(analytic), Math.abs(fd));
        if (Number.isNaN(err) || Number.isNaN(worst)) worst = NaN;
        else if (err > worst) worst = err;
      },
      (v) => {
        args[p] = v;
      },
    );
    return worst;
  });
}

/** Visits every scalar of a parameter value together with its gradient entry. */
function forEachLeaf(
  value: unknown,
  gradient: unknown,
  visit: (get: () => number, set: (v: number) => void, analytic: number) => void,
  replace: (v: number) => void,
): void {
  if (typeof value === "number") {
    let current = value;
    visit(
      () => current,
      (v) => {
        current = v;
        replace(v);
      },
      gradient as number,
    );
    return;
  }
  if (value instanceof Tensor) {
    // a tensor's entries are its data's; its shape is not a parameter
    forEachLeaf(value.data, (gradient as Tensor).data, visit, () => {});
    return;
  }
  if (value instanceof Float64Array || Array.isArray(value)) {
    const arr = value as number[] | Float64Array;
    for (let i = 0; i < arr.length; i++) {
      const elem = arr[i];
      if (typeof elem === "number")
        visit(
          () => arr[i] as number,
          (v) => {
            arr[i] = v;
          },
          (gradient as ArrayLike<number>)[i]!,
        );
      else forEachLeaf(elem, (gradient as unknown[])[i], visit, () => {});
    }
    return;
  }
  if (typeof value === "object" && value !== null) {
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const field = obj[key];
      if (typeof field === "number")
        visit(
          () => obj[key] as number,
          (v) => {
            obj[key] = v;
          },
          (gradient as Record<string, number>)[key]!,
        );
      else if (typeof field === "object" && field !== null) forEachLeaf(field, (gradient as Record<string, unknown>)[key], visit, () => {});
    }
  }
}

/** Deep copies so that f cannot see (or keep) the perturbed buffers between calls. */
function cloneArgs(args: readonly unknown[]): unknown[] {
  return args.map(clone);
}
function clone(v: unknown): unknown {
  if (v instanceof Tensor) return new Tensor(v.data.slice(), v.shape);
  if (v instanceof Float64Array) return v.slice();
  if (Array.isArray(v)) return v.map(clone);
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, clone(x)]));
  return v;
}
