/**
 * Running the user's module: the worker's JavaScript (its runtime imports already rewritten to
 * the runtime modules' URLs) becomes a `blob:` module loaded with `import()`. Nothing is
 * evaluated from text, so the page runs under a Content-Security-Policy without 'unsafe-eval'.
 *
 * Then the exports become the `Derivatives` the page plots, each from the marker that gives it:
 * the value from the function itself (or valueAndGrad's value), the gradient from grad (or
 * valueAndGrad), the Hessian from hessian (or two hvp products), the directional derivative from
 * jvp's tangent.
 */
import type { Derivatives, Matrix, Point } from "./calculus.js";
import type { ArgumentShape, MarkerExport, PlotTarget } from "./protocol.js";

const loaded = new Map<string, Promise<Record<string, unknown>>>();

/** The module's namespace; the same text is loaded once (each load is a new module the page keeps). */
export function loadModule(js: string): Promise<Record<string, unknown>> {
  let module = loaded.get(js);
  if (!module) {
    const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
    module = (import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>).finally(() => URL.revokeObjectURL(url));
    if (loaded.size > 50) loaded.clear();
    loaded.set(js, module);
  }
  return module;
}

/** Which export each quantity is computed with, for the page's labels. */
export interface Sources {
  value: string;
  gradient: string;
  hessian?: string;
  directional?: string;
}

export interface UserDerivatives extends Derivatives {
  readonly sources: Sources;
  readonly shape: ArgumentShape;
}

type Fn = (...args: unknown[]) => unknown;

/** The page's derivatives from the module's exports, or why it has none. */
export function derivativesOf(namespace: Record<string, unknown>, target: PlotTarget, exports: readonly MarkerExport[]): UserDerivatives | string {
  const shape = target.shape;
  if (!shape) return target.problem ?? `cannot plot ${target.name}`;
  const args = (p: Point): unknown[] => (shape === "pair" ? [p[0], p[1]] : [[p[0], p[1]]]);
  const withDirection = (p: Point, u: Point): unknown[] => (shape === "pair" ? [p[0], p[1], u[0], u[1]] : [[p[0], p[1]], [u[0], u[1]]]);
  const exported = (marker: string): { name: string; fn: Fn } | undefined => {
    const e = exports.find((x) => x.marker === marker && x.target === target.name && typeof namespace[x.exportName] === "function");
    return e && { name: `${e.exportName} = ${marker}(${target.name})`, fn: namespace[e.exportName] as Fn };
  };
  const pair = (v: unknown, what: string): Point => {
    const a = v as ArrayLike<number> | undefined;
    if (!a || typeof a[0] !== "number" || typeof a[1] !== "number") throw new Error(`${what} did not return two numbers`);
    return [a[0], a[1]];
  };

  const own = target.exportName !== undefined && typeof namespace[target.exportName] === "function" ? (namespace[target.exportName] as Fn) : undefined;
  const grad = exported("grad");
  const valueAndGrad = exported("valueAndGrad");
  const jvp = exported("jvp");
  const hessian = exported("hessian");
  const hvp = exported("hvp");

  let value: Derivatives["value"];
  let valueSource: string;
  if (own) [value, valueSource] = [(p) => own(...args(p)) as number, `${target.exportName}`];
  else if (valueAndGrad) [value, valueSource] = [(p) => (valueAndGrad.fn(...args(p)) as { value: number }).value, valueAndGrad.name];
  else if (jvp) [value, valueSource] = [(p) => (jvp.fn(...withDirection(p, [0, 0])) as { value: number }).value, jvp.name];
  else return `export ${target.name}, or valueAndGrad(${target.name}), so that the page can evaluate it`;

  let gradient: Derivatives["gradient"];
  let gradientSource: string;
  if (grad) [gradient, gradientSource] = [(p) => pair(grad.fn(...args(p)), grad.name), grad.name];
  else if (valueAndGrad) [gradient, gradientSource] = [(p) => pair((valueAndGrad.fn(...args(p)) as { grad: unknown }).grad, valueAndGrad.name), valueAndGrad.name];
  else return `export const dfdx = grad(${target.name}) (or valueAndGrad) to plot its gradient`;

  let hessianOf: Derivatives["hessian"];
  let hessianSource: string | undefined;
  if (hessian) {
    hessianSource = hessian.name;
    hessianOf = (p) => {
      const rows = hessian.fn(...args(p)) as ArrayLike<ArrayLike<number>>;
      return [pair(rows[0], hessian.name), pair(rows[1], hessian.name)] as Matrix;
    };
  } else if (hvp) {
    hessianSource = `${hvp.name}, along e₁ and e₂`;
    hessianOf = (p) => [pair(hvp.fn(...withDirection(p, [1, 0])), hvp.name), pair(hvp.fn(...withDirection(p, [0, 1])), hvp.name)] as Matrix;
  }

  const directional: Derivatives["directional"] = jvp && ((p, u) => (jvp.fn(...withDirection(p, u)) as { tangent: number }).tangent);

  return {
    value,
    gradient,
    hessian: hessianOf,
    directional,
    shape,
    sources: { value: valueSource, gradient: gradientSource, hessian: hessianSource, directional: jvp?.name },
  };
}
