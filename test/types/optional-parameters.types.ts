// Type-level checks of optional parameters at the markers, checked by
// test/optional-parameters.test.ts with the TypeScript compiler (this file is never executed).
// An optional parameter is data: it is not among the gradients, and the derivative may be called
// with it left out, as the function may.
import { grad, valueAndGrad, vjp, jvp, hvp, hessian, jacobian } from "tsgrad";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): void;

declare function loss(w: number[], clip?: number): number;
declare function both(x: number, y: number, k: number | undefined, flip?: boolean): number;
declare function vector(x: number[], k?: number): number[];

const g = grad(loss);
assertType<Equal<ReturnType<typeof g>, number[]>>();
assertType<Equal<Parameters<typeof g>, [w: number[], clip?: number]>>();
g([1, 2]);
g([1, 2], 0.5);
g([1, 2], undefined);
// @ts-expect-error: the optional parameter is still a number when given
g([1, 2], "0.5");

const gb = grad(both);
assertType<Equal<ReturnType<typeof gb>, [number, number]>>();
gb(1, 2, undefined);
gb(1, 2, 3, true);
// @ts-expect-error: `k: number | undefined` is not optional: it must be passed, undefined or a number
gb(1, 2);

const vg = valueAndGrad(loss)([1, 2]);
assertType<Equal<typeof vg, { value: number; grad: number[] }>>();

// forward mode and hvp take the tangents after every primal: the optional one is passed, maybe undefined
const t = jvp(loss)([1, 2], undefined, [1, 0]);
assertType<Equal<typeof t, { value: number; tangent: number }>>();
const hv = hvp(loss)([1, 2], 0.5, [1, 0]);
assertType<Equal<typeof hv, number[]>>();

const h = hessian(loss)([1, 2]);
assertType<Equal<typeof h, number[][]>>();
const { pullback } = vjp(loss)([1, 2]);
assertType<Equal<ReturnType<typeof pullback>, number[]>>();
const jac = jacobian(vector)([1, 2]);
assertType<Equal<typeof jac, number[][]>>();
jacobian(vector)([1, 2], 3);
