/**
 * Bugs found by random programs (npm run fuzz), each as the small program its reproducer shrank
 * to, against closed forms or central finite differences of the plain function: never against
 * another of tsgrad's modes.
 */
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jacobian, jvp, valueAndGrad } from "tsgrad";
import { item, mul, scalar, stack, sum, tensor, type Tensor } from "tsgrad/tensor";
import { compileSource } from "./support/compile.js";
import { expectClose } from "./support/numeric.js";

/** Central differences of a function of one number. */
function fd(f: (x: number) => number, x: number, h = 1e-5): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

// ---- a module constant given a second name with a local array -------------------------------

const WEIGHTS = [1, 2, 3, 4];
/** `b` names the local copy or the constant itself; writes go through `a` only. */
function aliasOfConstant(x: number, k: number): number {
  const a = WEIGHTS.slice();
  const b = k > 1 ? a : WEIGHTS;
  const before = b[0]! * b[1]! + x;
  a[0] = x;
  a[1]! *= b[2]!;
  return before * before * 0.1 + b[0]! * b[1]!;
}
/** The same with a data parameter (not differentiated) in the constant's place. */
function aliasOfData(x: number, d: number[], k: number): number {
  const a = d.slice();
  const b = k > 1 ? a : d;
  const before = b[0]! * b[1]! + x;
  a[0] = x;
  a[1]! *= b[2]!;
  return before * before * 0.1 + b[0]! * b[1]!;
}

describe("a module constant or a data array named together with a local array (b = t ? a : C)", () => {
  // k > 1: b is a, so f = 0.1 (2 + x)² + 6 x; otherwise b is the constant: f = 0.1 (2 + x)² + 2
  const slope = (x: number, k: number) => 0.2 * (2 + x) + (k > 1 ? 6 : 0);
  for (const k of [0, 2]) {
    it(`k = ${k}: jvp, grad, hvp and hessian are the closed form (the constant gets no tangent)`, () => {
      const x = 0.7;
      expectClose(jvp(aliasOfConstant, { wrt: [0] })(x, k, 1).tangent, slope(x, k), 1e-12);
      expectClose(grad(aliasOfConstant, { wrt: [0] })(x, k), slope(x, k), 1e-12);
      expectClose(hvp(aliasOfConstant, { wrt: [0] })(x, k, 1), 0.2, 1e-12);
      expectClose(fd((t) => aliasOfConstant(t, k), x), slope(x, k), 1e-8);
      expectClose(jvp(aliasOfData, { wrt: [0] })(x, [1, 2, 3, 4], k, 1).tangent, slope(x, k), 1e-12);
      expectClose(hvp(aliasOfData, { wrt: [0] })(x, [1, 2, 3, 4], k, 1), 0.2, 1e-12);
      expectClose(valueAndGrad(aliasOfData, { wrt: [0] })(x, [1, 2, 3, 4], k).grad, slope(x, k), 1e-12);
    });
  }
  it("the hessian of a wrapper of one array", () => {
    const at = (z: number[]) => aliasOfConstant(z[0]!, 2);
    expectClose(hessian(at)([0.3]), [[0.2]], 1e-12);
    expect(aliasOfConstant(0.7, 2)).toBeCloseTo(0.1 * 2.7 * 2.7 + 4.2, 12);
  });
});

// ---- a helper that ignores its tensor parameter, or uses it on one branch only ----------------

function ignoresTensor(t: Tensor, c: number): number {
  return c * c;
}
function tensorOnOneBranch(t: Tensor, c: number): number {
  if (c > 0) return c * item(sum(t));
  return c;
}
/** A tensor made of the inputs, handed to one helper whose pullback gives it nothing (on some paths). */
function ignored(z: number[]): number {
  return ignoresTensor(stack([scalar(z[0]!), scalar(z[1]!)]), z[2]!);
}
function oneBranch(z: number[]): number {
  return tensorOnOneBranch(stack([scalar(z[0]!), scalar(z[1]!)]), z[2]!);
}

describe("a helper's tensor parameter that receives no derivative", () => {
  it("grad, valueAndGrad and hvp are the closed form (the pullback returns a zero tensor, not the number 0)", () => {
    expectClose(grad(ignored)([0.5, 0.25, 2]), [0, 0, 4], 1e-12);
    expectClose(valueAndGrad(ignored)([0.5, 0.25, 2]).grad, [0, 0, 4], 1e-12);
    expectClose(hvp(ignored)([0.5, 0.25, 2], [0, 0, 1]), [0, 0, 2], 1e-12);
    // z2 > 0: z2 (z0 + z1); z2 <= 0: z2
    expectClose(grad(oneBranch)([0.5, 0.25, 2]), [2, 2, 0.75], 1e-12);
    expectClose(grad(oneBranch)([0.5, 0.25, -2]), [0, 0, 1], 1e-12);
    expectClose(hvp(oneBranch)([0.5, 0.25, 2], [1, 0, 0]), [0, 0, 1], 1e-12);
    const step = 1e-5;
    expectClose((oneBranch([0.5, 0.25, 2 + step]) - oneBranch([0.5, 0.25, 2 - step])) / (2 * step), 0.75, 1e-8);
  });
});

// ---- reverse mode through valueAndGrad of a tensor function, its gradient unread -------------

function tensorInner(a: Tensor, b: Tensor): number {
  return item(sum(mul(a, b)));
}
/** Only the value of valueAndGrad is read: the gradient's cotangent is zero. */
function valueOnly(x: number): number {
  const t = stack([scalar(x), scalar(x * x)]);
  return valueAndGrad(tensorInner, { wrt: [0] })(t, t).value;
}

describe("grad of a function reading only the value of valueAndGrad of a tensor function", () => {
  it("is the closed form (the unread tensor gradient's cotangent is a zero tensor, not the number 0)", () => {
    // valueOnly(x) = x² + x⁴
    const x = 1.3;
    expectClose(grad(valueOnly)(x), 2 * x + 4 * x ** 3, 1e-12);
    expectClose(fd(valueOnly, x), 2 * x + 4 * x ** 3, 1e-8);
  });
});

// ---- reverse mode over jvp of a helper that reads one field of a tuple ------------------------

function secondOnly(a: [number, number]): number {
  let acc = a[1];
  acc -= Math.sin(acc);
  return acc;
}
function viaTuple(a: number): number {
  return secondOnly([a, a * a]);
}
/** The slope of viaTuple, by jvp: grad of it is reverse mode over forward mode. */
function slopeViaTuple(y: number): number {
  return jvp(viaTuple)(y, 1).tangent;
}

describe("grad of a function calling jvp of a helper that hands a tuple to one reading a single field", () => {
  it("is the closed form (the pullback returns one adjoint per leaf of the tuple's type, read or not)", () => {
    // viaTuple(a) = a² - sin(a²): slope = 2a (1 - cos a²), and its derivative 2 (1 - cos a²) + 4 a² sin a²
    const y = 0.7;
    const want = 2 * (1 - Math.cos(y * y)) + 4 * y * y * Math.sin(y * y);
    expectClose(grad(slopeViaTuple)(y), want, 1e-12);
    expectClose(fd(slopeViaTuple, y), want, 1e-8);
  });
});

// ---- forward over forward through a helper naming its parameter together with a local array ---

/** `c` names the local copy or the parameter; writes go through `b` only. */
function aliasParam(a: number[]): number {
  const b = a.slice();
  const c = a[0]! > 0 ? b : a;
  const before = c[0]! * c[1]!;
  b[1]! *= c[2]!;
  return before + c[0]! * c[1]!;
}
function slopeAliasParam(x: number): number {
  return jvp(aliasParam)([x, 2 * x, 3 * x], [1, 0, 0]).tangent;
}

describe("jvp and grad of a function calling jvp of a helper that names its parameter with a local array", () => {
  it("are the closed form (the parameter's tangent is read-only: no tangent of it is needed)", () => {
    // a0 > 0: aliasParam = a0 a1 + a0 a1 a2, slope along [1, 0, 0] = a1 + a1 a2 = 2x + 6x²;
    // a0 <= 0: 2 a0 a1, slope 2 a1 = 4x
    for (const [x, want] of [
      [0.7, 2 + 12 * 0.7],
      [-0.7, 4],
    ] as const) {
      expectClose(jvp(slopeAliasParam)(x, 1).tangent, want, 1e-12);
      expectClose(grad(slopeAliasParam)(x), want, 1e-12);
      expectClose(fd(slopeAliasParam, x), want, 1e-8);
    }
  });
});

// ---- second order in a tensor, through helpers given an object of data ------------------------

function pairOfObject(a: { a: number; b: number[] }, b: number): [number, number] {
  return [a.b[2]!, Math.hypot(b, 1, a.b[3]!)];
}
function objectsDown(x: number, o: { a: number; b: number[] }, t: Tensor): number {
  let acc = x;
  acc += pairOfObject({ a: acc - item(sum(t)), b: o.b }, x)[0];
  acc += pairOfObject(o, x * x)[0];
  return acc * item(sum(mul(t, t)));
}
/** The tensor is the variable; the object is data, handed whole to one call and in part to another. */
function tensorOnly(t: Tensor, z: number[]): number {
  return objectsDown(z[0]!, { a: z[1]!, b: [z[2]!, z[3]!, z[4]!, z[5]!] }, t);
}

describe("hvp and hessian of a tensor function that hands an object of data down to helpers", () => {
  it("are the closed form (an adjoint array of data gets no tangent, and needs none)", () => {
    // objectsDown = (x + 2 o.b[2]) sum(t²): the Hessian in t is 2 (x + 2 o.b[2]) I
    const z = [0.5, 0.3, -0.2, 0.7, 1.1, -0.4];
    const c = 2 * (0.5 + 2 * 1.1);
    const t = tensor([1, 2, 3], [3]);
    expectClose(Array.from(hvp(tensorOnly, { wrt: [0] })(t, z, tensor([1, -1, 0.5], [3])).data), [c, -c, 0.5 * c], 1e-12);
    const H: Tensor = hessian(tensorOnly, { wrt: [0] })(t, z);
    expect(H.shape).toEqual([3, 3]);
    expectClose(Array.from(H.data), [c, 0, 0, 0, c, 0, 0, 0, c], 1e-12);
  });
});

// ---- second order in a tensor, through a pass-through helper given an object it ignores --------

function ignoresObject(a: Float64Array, b: { a: number; b: number[] }): number {
  const acc = a[0]!;
  return acc + acc;
}
function passesObject(a: Float64Array, b: { a: number; b: number[] }): number {
  return ignoresObject(a, b);
}
function objectAndTensor(x: number, w: Float64Array, t: Tensor): number {
  let acc = x * 0.5;
  acc += passesObject(w, { a: Math.tanh(acc), b: [x, 1, 2, 3] });
  acc += item(sum(mul(t, t))) * 0.1;
  return acc + Math.asinh(acc - item(sum(t)));
}
function tensorVariable(t: Tensor, x: number, w: Float64Array): number {
  return objectAndTensor(x, w, t);
}

describe("hvp and hessian of a tensor function through a pass-through helper given an object it ignores", () => {
  it("are the closed form (a pullback's result does not read the adjoint arrays it fills)", () => {
    // f = c + 0.1 Q + asinh(g), g = c + 0.1 Q - S, c = x/2 + 2 w0, Q = sum t², S = sum t:
    // H = 0.2 (1 + asinh'(g)) I + asinh''(g) (0.2 t - 1)(0.2 t - 1)ᵀ
    const x = 0.6;
    const w = new Float64Array([1.5, 0, 0]);
    const tv = [0.5, -1, 2];
    const g = x / 2 + 3 + 0.1 * tv.reduce((a, b) => a + b * b, 0) - tv.reduce((a, b) => a + b, 0);
    const d1 = 1 / Math.sqrt(1 + g * g);
    const d2 = -g / (1 + g * g) ** 1.5;
    const grad = tv.map((ti) => 0.2 * ti - 1);
    const want = tv.flatMap((_, i) => tv.map((__, j) => (i === j ? 0.2 * (1 + d1) : 0) + d2 * grad[i]! * grad[j]!));
    const t = tensor(tv, [3]);
    const H: Tensor = hessian(tensorVariable, { wrt: [0] })(t, x, w);
    expectClose(Array.from(H.data), want, 1e-12);
    expectClose(Array.from(hvp(tensorVariable, { wrt: [0] })(t, x, w, tensor([0, 1, 0], [3])).data), [want[1]!, want[4]!, want[7]!], 1e-12);
  });
});

// ---- hvp of a function calling grad of a pass-through helper (third order) ---------------------

function ratioPair(a: number[]): [number, number] {
  return [-(Math.pow(2, a[2]!) / (1.5 + a[1]! * a[1]!)), 1];
}
/** A pass-through: its gradient's pullback only calls the pair's. */
function ratioFirst(a: number[]): number {
  return ratioPair(a)[0];
}
/** d ratioFirst / d a1 at a = [0, 0.3, z0, 0], times z1. */
function slopeTimes(z: number[]): number {
  return grad(ratioFirst)([0, 0.3, z[0]!, 0])[1]! * z[1]!;
}

describe("hvp of a function that calls grad of a pass-through helper", () => {
  it("is the closed form (the tangent version of the inner pullback's tangent version runs)", () => {
    // slopeTimes = 2^z0 * 2 a1 / (1.5 + a1²)² * z1 with a1 = 0.3: H = [[ln2² c z1, ln2 c], [ln2 c, 0]], c = 2^z0 0.6 / 1.59²
    const z = [0.4, 1.3];
    const c = (2 ** z[0]! * 0.6) / 1.59 ** 2;
    const ln2 = Math.LN2;
    expectClose(hvp(slopeTimes)(z, [0, 1]), [ln2 * c, 0], 1e-12);
    expectClose(hvp(slopeTimes)(z, [1, 0]), [ln2 * ln2 * c * z[1]!, ln2 * c], 1e-12);
    expectClose(hessian(slopeTimes)(z), [
      [ln2 * ln2 * c * z[1]!, ln2 * c],
      [ln2 * c, 0],
    ], 1e-12);
  });
});

// ---- hvp through a pass-through helper that hands on an object of data, in a loop --------------

type Pair = { a: number; b: number[] };
const SHARED = [1.1, 1.76, -1.33];
function productOfFields(a: Pair, b: number[]): number {
  return a.a * b[1]! * b[2]!;
}
/** A pass-through: its pullback hands the adjoint array of `c.b` on to productOfFields's. */
function passesPair(c: Pair, b: number[]): number {
  return productOfFields(c, b);
}
/** x - 3 sin(k x²), k = c.a c.b[2]: the object's adjoint arrays are saved on the tape in the loop. */
function loopsOverPair(x: number, c: Pair): number {
  let acc = x;
  for (let i = 0; i < 3; i++) {
    const u = passesPair(c, [i * 0.5, c.b[2]!, x, c.a]);
    acc -= Math.sin(u * x);
  }
  return acc;
}
/**
 * The object of data `{ a: -1.06, b: SHARED }` shares its array with one that varies, so its
 * adjoint array is written by the pullback of loopsOverPair; nothing reads it afterwards, so its
 * tangent is never passed: f = (z0 - 3 sin(k z0²)) z1 + z0², k = 1.06 * 1.33.
 */
function dataObjectInLoop(z: number[]): number {
  return loopsOverPair(z[0]!, { a: -1.06, b: SHARED }) * z[1]! + productOfFields({ a: z[0]!, b: SHARED }, [z[1]!, z[0]!, 1]);
}

describe("hvp through a pass-through helper given an object of data whose adjoint array nothing reads", () => {
  it("is the closed form (a written adjoint array the caller discards gets no tangent inside the pullback either)", () => {
    const k = 1.06 * 1.33;
    const [x, y] = [0.3, 0.7];
    const s = Math.sin(k * x * x);
    const c = Math.cos(k * x * x);
    const hxx = -3 * y * (2 * k * c - 4 * k * k * x * x * s) + 2;
    const hxy = 1 - 6 * k * x * c;
    expectClose(dataObjectInLoop([x, y]), (x - 3 * s) * y + x * x, 1e-12);
    expectClose(hvp(dataObjectInLoop)([x, y], [1, 0]), [hxx, hxy], 1e-12);
    expectClose(hvp(dataObjectInLoop)([x, y], [0, 1]), [hxy, 0], 1e-12);
    expectClose(hessian(dataObjectInLoop)([x, y]), [
      [hxx, hxy],
      [hxy, 0],
    ], 1e-12);
    expectClose(grad(dataObjectInLoop)([x, y]), [y * (1 - 6 * k * x * c) + 2 * x, x - 3 * s], 1e-12);
  });
});

// ---- hypot at the origin inside a loop, differentiated in reverse over forward -------------------

/** At i = 0, hypot's arguments are both 0 for every x: the term is 0 there, smooth in x. */
function hypotInLoop(a: number[]): number {
  let acc = Math.cos(a[0]!);
  for (let i = 0; i < 3; i++) acc += Math.hypot(1.21 * i * 0.5, acc * i * 0.5);
  return acc * a[1]!;
}
/** The directional derivative of hypotInLoop along (0.65, -0.95) at (x, 0.5). */
function hypotTangentOf(x: number): number {
  return jvp(hypotInLoop, { wrt: [0] })([x, 0.5], [0.65, -0.95]).tangent;
}

describe("grad of a function that calls jvp of one with hypot at the origin in a loop (campaign --seed 20261208, program 1309)", () => {
  it("is finite differences of the function (the second-order pass no longer multiplies 0 by hypot's 0 / 0)", () => {
    for (const x of [0.7, -0.3, 1.9]) expectClose(grad(hypotTangentOf)(x), fd(hypotTangentOf, x), 1e-6);
  });
});

// ---- reverse mode over jvp of a function that calls grad ----------------------------------------

/**
 * Programs whose reverse mode would run over a reverse sweep: the function differentiated in
 * reverse mode calls jvp of one that calls grad, so the tangent it would reverse pops the stacks
 * of the inner gradient (program 7220 of the campaign, refused with "report this") or calls
 * pullbacks that add into the adjoint arrays they are given (silently wrong before: -6.04 where
 * finite differences give -11.88).
 */
const sweepOverSweep: { name: string; source: string; at: string; callee: string }[] = [
  {
    name: "the inner gradient saves values in a loop (program 7220, where valueAndGrad of a helper with a loop was called through jvp)",
    source: `import { grad, jvp, valueAndGrad } from "tsgrad";
function powered(a: number): number {
  let acc = a;
  for (let i = 0; i < 3; i++) acc = acc * a;
  return Math.sin(acc);
}
function slope(a: number): number {
  return valueAndGrad(powered)(a).grad;
}
function curvature(a: number): number {
  return jvp(slope)(a, -1.54).tangent;
}
export const dc = grad(curvature);
`,
    at: "8:3",
    callee: "valueAndGrad",
  },
  {
    name: "the inner gradient's pullback of a helper adds into an adjoint array",
    source: `import { grad, jvp } from "tsgrad";
function scaled(p: number[]): number { return p[0]! * Math.exp(p[1]!); }
function model(p: number[]): number { return scaled(p) * p[0]! + Math.cos(p[1]!); }
function mixed(p: number[]): number { const g = grad(model)(p); return g[0]! * 2 + g[1]!; }
function along(p: number[]): number { return jvp(mixed)(p, [0.5, -1.5]).tangent; }
export const da = grad(along);
`,
    at: "4:39",
    callee: "grad",
  },
];

describe("reverse mode over jvp of a function that calls grad (campaign --seed 20261208, program 7220)", () => {
  for (const c of sweepOverSweep)
    it(`${c.name}: refused at the grad call with TSG1017 and a hint to act on, not compiled and not an internal error`, () => {
      const { messages, diagnostics } = compileSource(c.source);
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) {
        expect(m).toMatch(new RegExp(`^TSG1017 ${c.at} TSG1017: reverse mode over \`jvp\` of a function that calls ${c.callee}\\(`));
        expect(m).toContain("hint: differentiate the outer function in forward mode");
        expect(m).not.toContain("report this");
      }
      expect(diagnostics.every((d) => d.code === 91017)).toBe(true);
    });
});

/** sin(a^4) through a loop, its gradient called inside, and that in forward mode: the hint's way. */
function powered(a: number): number {
  let acc = a;
  for (let i = 0; i < 3; i++) acc = acc * a;
  return Math.sin(acc);
}
function slope(a: number): number {
  return valueAndGrad(powered)(a).grad;
}
function curvature(a: number): number {
  return jvp(slope)(a, -1.54).tangent;
}

describe("the same in forward mode (jvp over jvp over reverse), as the refusal's hint says", () => {
  it("is the closed form -1.54 d³/da³ sin(a⁴)", () => {
    for (const a of [0.3, 0.9, -1.1]) {
      const [s, c] = [Math.sin(a ** 4), Math.cos(a ** 4)];
      const third = 24 * a * c - 144 * a ** 5 * s - 64 * a ** 9 * c;
      const second = 12 * a * a * c - 16 * a ** 6 * s;
      expectClose(curvature(a), -1.54 * second, 1e-12);
      expectClose(jvp(curvature)(a, 1).tangent, -1.54 * third, 1e-11);
    }
  });
});

// ---- a tangent folded to zero, given to the vector forward mode of a helper -------------------

/** `b` is `z0 - z0`: its tangent folds to 0, a number, where the helper's vector version reads one per direction. */
function raised(base: number, b: number): number {
  return (1.2 + base * base) ** Math.sin(b) + b * base;
}
function withZeroTangents(z: number[]): number[] {
  const zeros = [z[0]! - z[0]!, 2];
  return [raised(0.7, z[0]! - z[0]!), raised(z[1]!, z[0]!) + zeros[0]! * zeros[1]!, sumOfSquares(zeros, z[1]!)];
}
function sumOfSquares(v: number[], s: number): number {
  return v[0]! * v[0]! + v[1]! * v[1]! * s;
}

describe("a tangent folded to zero, given to a helper's vector forward mode (campaign program 13902)", () => {
  it("the forward Jacobian is the closed form, not NaN (it read a number where a buffer of directions was due)", () => {
    for (const [z0, z1] of [[-0.39, 0.8], [1.2, -0.4]] as const) {
      // rows: d/dz of raised(0.7, 0) = 1 (constant), of raised(z1, z0), of 4 z1
      const [b, base] = [z0, z1];
      const p = 1.2 + base * base;
      const dRaisedDb = p ** Math.sin(b) * Math.log(p) * Math.cos(b) + base;
      const dRaisedDbase = Math.sin(b) * p ** (Math.sin(b) - 1) * 2 * base + b;
      const want = [
        [0, 0],
        [dRaisedDb, dRaisedDbase],
        [0, 4],
      ];
      expectClose(jacobian(withZeroTangents, { mode: "forward" })([z0, z1]), want, 1e-12);
      expectClose(jacobian(withZeroTangents, { mode: "reverse" })([z0, z1]), want, 1e-12);
    }
  });
});

// ---- a jvp's tangent used as data, under vector forward mode --------------------------------

/** h(a) = a / (1.5 + a²): its derivative at -1.08 is a constant of the program. */
function bump(a: number): number {
  return a / (1.5 + a ** 2);
}
const bumpJvp = jvp(bump);
/** hypot(atan(h'(-1.08) * 0.58), 1, x²) + 2.5 x: the jvp's tangent is data, handed to a closure. */
function withJvpData(z: number[]): number[] {
  const x = z[0]!;
  const lengthOf = (slope: number, xs: number[]): number => Math.hypot(Math.atan(slope), 1, xs[0]!);
  return [lengthOf(bumpJvp(-1.08, 0.58).tangent, [x * x, z[1]!]) + 2.5 * x, z[1]! * x];
}

describe("the tangent of a jvp the program calls, read as data in vector forward mode (campaign program 15152)", () => {
  it("the forward Jacobian is the closed form, not NaN (the data was copied into a buffer of directions)", () => {
    const a = -1.08;
    const slope = (0.58 * (1.5 - a * a)) / (1.5 + a * a) ** 2;
    const c = Math.atan(slope) ** 2 + 1;
    for (const [x, y] of [[0.83, 0.03], [-1.4, 0.7]] as const) {
      const want = [
        [(2 * x ** 3) / Math.sqrt(c + x ** 4) + 2.5, 0],
        [y, x],
      ];
      expectClose(jacobian(withJvpData, { mode: "forward" })([x, y]), want, 1e-12);
      expectClose(jacobian(withJvpData, { mode: "reverse" })([x, y]), want, 1e-12);
    }
  });
});

// ---- a sort inside a loop under second order (campaign --seed 20261208, program 400200) --------

/** Twice the product of the two smallest: 2 v_a v_b for the indices a, b of the two smallest. */
function twoSmallest(v: number[]): number {
  let acc = 0;
  for (let i = 0; i < 2; i++) {
    const so = [...v].sort((l, r) => l - r);
    acc += so[0]! * so[1]!;
  }
  return acc;
}

describe("hvp and hessian of a function that sorts a copy inside a loop (program 400200)", () => {
  it("are the closed form (the order, saved and restored on the stack, is data: it got a tangent and stopped the compiler)", () => {
    const v = [0.3, -0.5, 2];
    // the two smallest are v[1] and v[0]: f = 2 v0 v1
    expectClose(grad(twoSmallest)(v), [2 * v[1]!, 2 * v[0]!, 0], 1e-12);
    expectClose(hvp(twoSmallest)(v, [1, 0, 0]), [0, 2, 0], 1e-12);
    expectClose(hessian(twoSmallest)(v), [[0, 2, 0], [2, 0, 0], [0, 0, 0]], 1e-12);
    expectClose(grad(twoSmallest)([3, 1, -1]), [0, -2, 2], 1e-12);
  });
});

/**
 * Signed zeros at atan2's branch cut: 0 * x is -0 for a negative x, and atan2(-0, y) for y < 0 is
 * -π where atan2(+0, y) is π. The generated code folded `0 * x` into 0 in the primal values it
 * recomputes, so jvp's value was π where the function's is -π (program 66400).
 */
function branchCut(z: number[]): number[] {
  return [Math.atan2(0 * z[0]!, z[0]! - 0.29), Math.atan2(z[1]! + 0, -1), Math.atan2(0 - z[1]!, -1) * z[0]!];
}
function branchCutSum(z: number[]): number {
  const [a, b, c] = branchCut(z);
  return a! + b! + c!;
}

describe("values at atan2's branch cut keep the sign of zero (program 66400)", () => {
  const same = (got: readonly number[], want: readonly number[]) =>
    expect(got.map((v, i) => Object.is(v, want[i]))).toEqual(want.map(() => true));
  for (const z of [
    [-0.48, -0],
    [-0.48, 0],
    [0.5, -0],
  ])
    it(`at z = [${z.map((v) => (Object.is(v, -0) ? "-0" : v)).join(", ")}]: the value of every mode is the function's, bit for bit`, () => {
      const want = branchCut(z);
      same(jvp(branchCut)(z, [1, -1]).value, want);
      same([valueAndGrad(branchCutSum)(z).value], [branchCutSum(z)]);
      // and the slope along z0 is the plain function's: atan2(0 * x, y) does not move off the cut
      expectClose(jvp(branchCut)(z, [1, 0]).tangent[0]!, 0, 0);
    });
});
