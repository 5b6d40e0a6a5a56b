// Type-level checks of the public API, checked by test/types.test.ts with the TypeScript compiler
// (this file is never executed). Each `Equal` assertion fails to compile if the types differ.
import { grad, jvp, valueAndGrad, vjp, checkGrad, jacobian, hessian, hvp } from "tsgrad";
import type { Tensor } from "tsgrad/tensor";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): void;

declare function loss(w: number, b: number): number;
declare function one(x: number[]): number;
declare function f64(x: Float64Array, scale: number): number;
declare function mixed(p: { w: number; b: readonly number[] }, flag: boolean, t: readonly [number, number]): number;
declare function vector(x: number[]): number[];
declare function layer(x: Tensor): Tensor;

// the issue's own example: what the editor shows for grad(loss)
const gl = grad(loss);
assertType<Equal<typeof gl, (w: number, b: number) => [number, number]>>();

const g1 = grad(one);
assertType<Equal<ReturnType<typeof g1>, number[]>>();
const g2 = grad(f64);
assertType<Equal<ReturnType<typeof g2>, [Float64Array, number]>>();
// booleans are data: no gradient; readonly inputs give mutable gradients of the same shape
const g3 = grad(mixed);
assertType<Equal<ReturnType<typeof g3>, [{ w: number; b: number[] }, [number, number]]>>();
const vg = valueAndGrad(loss);
assertType<Equal<ReturnType<typeof vg>, { value: number; grad: [number, number] }>>();
const jl = jvp(loss);
assertType<Equal<Parameters<typeof jl>, [w: number, b: number, number, number]>>();
const jv = jvp(vector);
assertType<Equal<ReturnType<typeof jv>, { value: number[]; tangent: number[] }>>();
const pv = vjp(vector);
assertType<Equal<ReturnType<ReturnType<typeof pv>["pullback"]>, number[]>>();
const errors = checkGrad(loss, 1, 2);
assertType<Equal<typeof errors, number[]>>();
const wrtOne = grad(loss, { wrt: ["w"] });
assertType<Equal<ReturnType<typeof wrtOne>, number>>();
// by position, each gradient has its parameter's exact type
const byPosition = grad(mixed, { wrt: [0, 2] });
assertType<Equal<ReturnType<typeof byPosition>, [{ w: number; b: number[] }, [number, number]]>>();
const jvpSome = jvp(mixed, { wrt: [2] });
assertType<Equal<Parameters<typeof jvpSome>, [p: { w: number; b: readonly number[] }, flag: boolean, t: readonly [number, number], [number, number]]>>();
const onlyArray = grad(f64, { wrt: [0] });
assertType<Equal<ReturnType<typeof onlyArray>, Float64Array>>();

// Jacobians: rows of numbers for arrays, a tensor for tensors; Hessians and their products
const jac = jacobian(vector);
assertType<Equal<ReturnType<typeof jac>, number[][]>>();
const jacT = jacobian(layer);
assertType<Equal<ReturnType<typeof jacT>, Tensor>>();
declare function residuals(points: number[][], theta: number[]): number[];
const jacWrt = jacobian(residuals, { wrt: ["theta"] });
assertType<Equal<Parameters<typeof jacWrt>, [points: number[][], theta: number[]]>>();
assertType<Equal<ReturnType<typeof jacWrt>, number[][]>>();
const hes = hessian(one);
assertType<Equal<ReturnType<typeof hes>, number[][]>>();
declare function layers(Ws: Tensor[], x: Tensor): number;
const gLayers = grad(layers);
assertType<Equal<ReturnType<typeof gLayers>, [Tensor[], Tensor]>>();
declare function tensorEnergy(t: Tensor): number;
const hesT = hessian(tensorEnergy);
assertType<Equal<ReturnType<typeof hesT>, Tensor>>();
// with `wrt`, the selected parameter's Hessian: a tensor for a tensor, rows for an array, a number for a number
declare function tensorAndData(t: Tensor, z: number[], k: number): number;
const hesTWrt = hessian(tensorAndData, { wrt: [0] });
assertType<Equal<ReturnType<typeof hesTWrt>, Tensor>>();
const hesArrayWrt = hessian(tensorAndData, { wrt: [1] });
assertType<Equal<ReturnType<typeof hesArrayWrt>, number[][]>>();
const hesF64Wrt = hessian(f64, { wrt: [0] });
assertType<Equal<ReturnType<typeof hesF64Wrt>, number[][]>>();
const hesNumWrt = hessian(loss, { wrt: [1] });
assertType<Equal<ReturnType<typeof hesNumWrt>, number>>();
// by name, any differentiable parameter's
const hesByName = hessian(tensorAndData, { wrt: ["t"] });
assertType<Equal<ReturnType<typeof hesByName>, Tensor | number[][] | number>>();
const vjpT = vjp(layer);
assertType<Equal<ReturnType<ReturnType<typeof vjpT>["pullback"]>, Tensor>>();
const jvpT = jvp(layer);
assertType<Equal<Parameters<typeof jvpT>, [x: Tensor, Tensor]>>();
const hv = hvp(one);
assertType<Equal<Parameters<typeof hv>, [x: number[], number[]]>>();

// @ts-expect-error grad needs a function returning a number
grad(vector);
// @ts-expect-error arguments are checked against the function's parameters
gl("a", 1);

// arrays of tuples and objects are data: no gradient (tuples and arrays of arrays or tensors have one)
declare function fit(p: number[], obs: { t: number; y: number }[], pairs: readonly [number, number][], rows: number[][], layers: Tensor[]): number;
const gFit = grad(fit);
assertType<Equal<ReturnType<typeof gFit>, [number[], number[][], Tensor[]]>>();
const jFit = jvp(fit);
assertType<
  Equal<
    Parameters<typeof jFit>,
    [p: number[], obs: { t: number; y: number }[], pairs: readonly [number, number][], rows: number[][], layers: Tensor[], number[], number[][], Tensor[]]
  >
>();

// hessian and jacobian without wrt: the one differentiable parameter among data (arrays of
// objects, optional parameters); two differentiable ones need wrt
declare function fitLoss(p: number[], obs: { t: number; y: number }[], clip?: number): number;
const hFit = hessian(fitLoss);
assertType<Equal<ReturnType<typeof hFit>, number[][]>>();
assertType<Equal<Parameters<typeof hFit>, [p: number[], obs: { t: number; y: number }[], clip?: number | undefined]>>();
declare function residualsOf(p: number[], obs: { t: number; y: number }[]): number[];
const jFitR = jacobian(residualsOf);
assertType<Equal<ReturnType<typeof jFitR>, number[][]>>();
// @ts-expect-error two differentiable parameters: name one with wrt
hessian(loss);
