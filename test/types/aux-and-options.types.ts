// Type-level checks of hasAux, stopGradient and `wrt` positions, checked by
// test/marker-types.test.ts with the TypeScript compiler (this file is never executed). Each
// `Equal` assertion fails to compile if the types differ; each @ts-expect-error fails to compile
// if the line after it is accepted.
import { grad, valueAndGrad, vjp, jvp, hvp, hessian, jacobian, stopGradient } from "tsgrad";
import type { Tensor } from "tsgrad/tensor";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): void;

declare function fit(w: number[], b: number): [number, { pred: number[]; label: string }];
declare function withTensor(W: Tensor, x: Tensor): readonly [number, Tensor];
declare function loss(w: number, b: number): number;
declare function vector(x: number[]): number[];
declare function rest(...xs: number[]): number;

// hasAux: the result of grad, valueAndGrad and vjp carries the aux, typed from the function's pair
const ga = grad(fit, { hasAux: true });
assertType<Equal<ReturnType<typeof ga>, { grad: [number[], number]; aux: { pred: number[]; label: string } }>>();
assertType<Equal<Parameters<typeof ga>, [w: number[], b: number]>>();
const vga = valueAndGrad(fit, { hasAux: true });
assertType<Equal<ReturnType<typeof vga>, { value: number; aux: { pred: number[]; label: string }; grad: [number[], number] }>>();
const gaWrt = grad(fit, { wrt: [0], hasAux: true });
assertType<Equal<ReturnType<typeof gaWrt>, { grad: number[]; aux: { pred: number[]; label: string } }>>();
const gaName = valueAndGrad(fit, { wrt: ["b"], hasAux: true });
assertType<Equal<ReturnType<typeof gaName>["aux"], { pred: number[]; label: string }>>();
const gt = grad(withTensor, { hasAux: true });
assertType<Equal<ReturnType<typeof gt>, { grad: [Tensor, Tensor]; aux: Tensor }>>();
const pa = vjp(fit, { hasAux: true });
assertType<Equal<ReturnType<typeof pa>["value"], number>>();
assertType<Equal<ReturnType<typeof pa>["aux"], { pred: number[]; label: string }>>();
assertType<Equal<ReturnType<ReturnType<typeof pa>["pullback"]>, [number[], number]>>();
assertType<Equal<Parameters<ReturnType<typeof pa>["pullback"]>, [cotangent: number]>>();
// an inline arrow is typed by the overload: its array literal is the pair
const inline = grad((x: number) => [x * x, "label"], { hasAux: true });
assertType<Equal<ReturnType<typeof inline>, { grad: number; aux: string }>>();
// hasAux: false is the plain marker
const plain = grad(loss, { hasAux: false });
assertType<Equal<ReturnType<typeof plain>, [number, number]>>();

// @ts-expect-error hasAux needs a function returning [loss, aux]
grad(loss, { hasAux: true });
// @ts-expect-error a pair whose first element is not a number
grad((x: number) => ["loss", x] as const, { hasAux: true });
// @ts-expect-error without hasAux, a function returning a pair is not a loss
grad(fit);
const ja = jvp(fit, { hasAux: true });
assertType<Equal<Parameters<typeof ja>, [w: number[], b: number, number[], number]>>();
assertType<Equal<ReturnType<typeof ja>, { value: number; aux: { pred: number[]; label: string }; tangent: number }>>();
const jaWrt = jvp(fit, { wrt: [1], hasAux: true });
assertType<Equal<Parameters<typeof jaWrt>, [w: number[], b: number, number]>>();
// hvp, hessian and jacobian with hasAux: the derivative of the output beside the aux
const ha = hvp(fit, { hasAux: true });
assertType<Equal<Parameters<typeof ha>, [w: number[], b: number, number[], number]>>();
assertType<Equal<ReturnType<typeof ha>, { hvp: [number[], number]; aux: { pred: number[]; label: string } }>>();
const haWrt = hvp(fit, { wrt: [0], hasAux: true });
assertType<Equal<Parameters<typeof haWrt>, [w: number[], b: number, number[]]>>();
assertType<Equal<ReturnType<typeof haWrt>, { hvp: number[]; aux: { pred: number[]; label: string } }>>();
declare function fitOne(w: number[]): [number, string];
const hsa = hessian(fitOne, { hasAux: true });
assertType<Equal<ReturnType<typeof hsa>, { hessian: number[][]; aux: string }>>();
const hsaWrt = hessian(fit, { wrt: [1], hasAux: true });
assertType<Equal<ReturnType<typeof hsaWrt>, { hessian: number; aux: { pred: number[]; label: string } }>>();
const hst = hessian((t: Tensor) => [0, t] as const, { hasAux: true });
assertType<Equal<ReturnType<typeof hst>, { hessian: Tensor; aux: Tensor }>>();
declare function outputs(x: number[], k: number): [number[], { k: number }];
const jaa = jacobian(outputs, { wrt: [0], hasAux: true, mode: "reverse" });
assertType<Equal<Parameters<typeof jaa>, [x: number[], k: number]>>();
assertType<Equal<ReturnType<typeof jaa>, { jacobian: number[][]; aux: { k: number } }>>();
declare function tensorOut(t: Tensor): readonly [Tensor, number];
const jat = jacobian(tensorOut, { hasAux: true });
assertType<Equal<ReturnType<typeof jat>, { jacobian: Tensor; aux: number }>>();
// @ts-expect-error hessian with hasAux needs [loss, aux]
hessian(vector, { hasAux: true });
// @ts-expect-error jacobian with hasAux needs [output, aux]
jacobian(vector, { hasAux: true });
// @ts-expect-error a wrt position out of range
hvp(fit, { wrt: [2], hasAux: true });

// options held in a const, `as const`
const auxOptions = { wrt: [0], hasAux: true } as const;
const gc = grad(fit, auxOptions);
assertType<Equal<ReturnType<typeof gc>, { grad: number[]; aux: { pred: number[]; label: string } }>>();
const plainOptions = { wrt: [1] } as const;
const gp = grad(loss, plainOptions);
assertType<Equal<ReturnType<typeof gp>, number>>();

// stopGradient: every differentiable kind, returned with its own type
declare const t: Tensor;
declare const f64: Float64Array;
declare const p: { w: number; b: readonly number[] };
declare const pair: [number, number[]];
declare const n: number;
const sNum = stopGradient(n);
assertType<Equal<typeof sNum, number>>();
const sArr = stopGradient([1, 2, 3]);
assertType<Equal<typeof sArr, number[]>>();
const sF64 = stopGradient(f64);
assertType<Equal<typeof sF64, Float64Array>>();
const sT = stopGradient(t);
assertType<Equal<typeof sT, Tensor>>();
const sP = stopGradient(p);
assertType<Equal<typeof sP, { w: number; b: readonly number[] }>>();
const sPair = stopGradient(pair);
assertType<Equal<typeof sPair, [number, number[]]>>();
// @ts-expect-error a string carries no derivative
stopGradient("x");
// @ts-expect-error nor a boolean
stopGradient(true);
// @ts-expect-error nor a function
stopGradient(loss);

// wrt by position: a position the function does not have is a type error
const w1 = grad(loss, { wrt: [1] });
assertType<Equal<ReturnType<typeof w1>, number>>();
// @ts-expect-error loss has two parameters: positions 0 and 1
grad(loss, { wrt: [2] });
// @ts-expect-error also with hasAux
grad(fit, { wrt: [5], hasAux: true });
// @ts-expect-error valueAndGrad
valueAndGrad(loss, { wrt: [0, 3] });
// @ts-expect-error jvp
jvp(loss, { wrt: [7] });
// @ts-expect-error vjp
vjp(vector, { wrt: [1] });
// @ts-expect-error hvp
hvp(loss, { wrt: [2] });
// @ts-expect-error hessian
hessian(loss, { wrt: [2] });
// @ts-expect-error jacobian
jacobian(vector, { wrt: [1] });
// names stay strings (TypeScript's types do not see parameter names: the language-service plugin checks them)
grad(loss, { wrt: ["w"] });
// a rest parameter takes any position
grad(rest, { wrt: [3] });
