/**
 * Derivative rules a user gives in source, as JAX's custom_vjp / custom_jvp. At run time
 * customVjp/customJvp return the function with its rule attached (generated code calls the rule
 * through it), stopGradient and nonDifferentiable return their argument. At build time the
 * transformer uses the rule wherever the function is called inside differentiated code. They are
 * found by their `@tsgradRule` tag.
 */
import type { Fn, GradientOf, IsDifferentiable, ParamGradients } from "./types.js";

/**
 * `f` with its reverse-mode rule: `vjp(...args, output, cotangent)` returns the gradient with
 * respect to the arguments (bare for one, a tuple for several), as grad would. Forward mode of a
 * function returning a number uses the same rule with cotangent 1.
 * @tsgradRule customVjp
 */
export function customVjp<F extends (...args: never[]) => number>(
  f: F,
  vjp: (...args: [...Parameters<F>, output: ReturnType<F>, cotangent: ReturnType<F>]) => GradientOf<F>,
): F {
  // generated code calls the rule through the function: `softclip.tsgradVjp(x, y, ybar)`
  return Object.assign(f.bind(undefined), { tsgradVjp: vjp }) as unknown as F;
}

/**
 * `f` with its forward-mode rule: `jvp(...args, ...tangents)` returns the tangent of the output.
 * Reverse mode evaluates the rule along each basis direction (one call per scalar argument).
 * @tsgradRule customJvp
 */
export function customJvp<F extends (...args: never[]) => number>(
  f: F,
  jvp: (...args: [...Parameters<F>, ...ParamGradients<Parameters<F>>]) => ReturnType<F>,
): F {
  return Object.assign(f.bind(undefined), { tsgradJvp: jvp }) as unknown as F;
}

/**
 * The value, with its derivative cut: differentiated code treats it as a constant. Any value that
 * could carry a derivative: a number, number[] or Float64Array, a tuple or object of those, a
 * tensor; returned as it is, with its own type.
 * @tsgradRule stopGradient
 */
export function stopGradient<T>(x: T & (IsDifferentiable<T> extends true ? unknown : never)): T {
  return x;
}

/**
 * A function whose result differentiated code treats as a constant (its derivative is zero
 * everywhere), whatever its body: a lookup, a random draw, logging, code without a visible body.
 * @tsgradRule nonDifferentiable
 */
export function nonDifferentiable<F extends Fn>(f: F): F {
  return f;
}
