/**
 * Every construct of the supported language, differentiated in both modes and checked against
 * finite differences and against each other (the dot-product test). Each function below is
 * ordinary TypeScript; the Vite plugin compiles the grad/jvp/valueAndGrad calls.
 */
import { describe, expect, it } from "vitest";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { verifyDerivatives, type Derivatives } from "./support/verify.js";
import { softplus, squaredNorm } from "./fixtures/helpers.js";

const K = 3;
const WEIGHTS = [0.5, -1.25, 2];
const POINTS = [
  [1, 2],
  [3, -1],
  [0.5, 0.25],
];

// ---- scalar code ------------------------------------------------------------------------------

function arithmetic(x: number, y: number): number {
  const a = x * y + x / y - (x - y) * 2;
  const b = -a + 7 % 3 + x ** 3 + y ** x;
  return a * b + (x % 0.7) + 0.5;
}

function reassign(x: number, y: number): number {
  let t = x * y;
  t = t * t + x;
  let u = t;
  u += y;
  u -= x / 3;
  u *= t;
  u /= 1 + y * y;
  u **= 2;
  u %= 50;
  let n = 0;
  n++;
  n += 2;
  n--;
  return u * n + t;
}

function mathFunctions(x: number, y: number): number {
  return (
    Math.sin(x) + Math.cos(y) + Math.tan(x / 3) + Math.asin(x / 4) + Math.acos(y / 4) + Math.atan(x * y) +
    Math.atan2(y, x) + Math.sinh(x / 2) + Math.cosh(y / 2) + Math.tanh(x - y) + Math.asinh(x) +
    Math.acosh(2 + y * y) + Math.atanh(x / 3) + Math.exp(x / 2) + Math.expm1(y / 3) + Math.log(x + 3) +
    Math.log1p(y * y) + Math.log2(2 + x * x) + Math.log10(3 + y) + Math.sqrt(4 + x) + Math.cbrt(x + 5) +
    Math.pow(2 + x, y) + Math.hypot(x, y, 1) + Math.abs(x - 0.1) + Math.min(x, y, 0.3) + Math.max(x, 2 * y) +
    Math.sign(x) + Math.floor(x) * x + Math.ceil(y) + Math.round(x) + Math.trunc(y * 3)
  );
}

function constantsAndGlobals(x: number): number {
  let s = Math.PI * x + Math.E;
  for (let i = 0; i < WEIGHTS.length; i++) s += WEIGHTS[i]! * x ** (i + 1) * K;
  return s;
}

function nestedGlobalArrays(w: number[]): number {
  let s = 0;
  for (let n = 0; n < POINTS.length; n++) {
    const r = w[0]! * POINTS[n]![0]! + w[1]! * POINTS[n]![1]! - 1;
    s += r * r;
  }
  return s;
}

/** Array variables given new arrays: literals, copies of themselves, rows; in loops and branches. */
function reboundArrays(x: number[], rows: number[][]): number {
  let q = [x[0]!, x[1]!];
  for (let k = 0; k < 3; k++) q = [q[0]! + 0.1 * Math.sin(q[1]!), q[1]! * q[0]! * 0.5];
  let w = new Float64Array(2);
  w[0] = q[0]!;
  w[1] = x[2]!;
  w = new Float64Array(w);
  w[1] = w[1]! * w[0]!;
  let row = rows[0]!;
  let s = 0;
  for (let i = 0; i < rows.length; i++) {
    if (row[0]! > x[2]!) row = rows[i]!;
    s += row[1]! * w[1]!;
  }
  return s + q[1]!;
}

function pick(a: number, on: boolean, twice: boolean): number {
  return on ? (twice ? 2 * a * a : a * a) : -a;
}
/** Comparisons passed straight to boolean parameters (`x > 0`, `i % 2 === 0`, `!(...)`). */
function comparisonArguments(x: number[]): number {
  let s = pick(x[0]!, x[0]! > 0, !(x[1]! > 0));
  for (let i = 0; i < x.length; i++) s += pick(x[i]!, i % 2 === 0, i < 2);
  return s;
}

/**
 * A value written, then a conditional jump, then overwritten: the first write is what the jump
 * leaves behind (after a break, the value returned; after a continue, the next trip's input).
 * Labeled jumps out of an inner loop too.
 */
function writesBeforeJumps(x: number[]): number {
  let a = 0;
  for (let i = 0; i < x.length; i++) {
    a = 2 * x[i]!;
    if (x[i]! > 1) break;
    a = Math.sin(x[i]!);
  }
  let b = 0;
  for (let i = 0; i < x.length; i++) {
    b = x[i]! * 2;
    if (x[i]! > 1) break;
    b += x[i]! * x[i]!;
  }
  let c = 0;
  let carried = 1;
  for (let i = 0; i < x.length; i++) {
    carried = carried * 0.5 + x[i]!;
    if (x[i]! < 0) continue;
    carried = Math.cos(carried);
    c += carried;
  }
  let d = 0;
  outer: for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x.length; j++) {
      d = x[i]! * x[j]!;
      if (d > 2.5) break outer;
      d = d * 0.5;
    }
  }
  return a + b * c + carried + d;
}

/**
 * Counters of the user's own, incremented once per trip: read inside the loop, starting away
 * from zero, counting down, bounding an inner loop (a triangular nest), bounded by a length.
 */
function counters(x: number[]): number {
  let s = x[0]!;
  let n = 1;
  for (let k = 0; k < 3; k++) {
    s = s * n;
    n = n + 1;
  }
  let w = 0;
  for (let i = 0; i < x.length; i++) {
    s += w * x[i]!;
    w++;
  }
  let c = 10;
  for (let i = x.length - 1; i >= 0; i--) c += 1;
  let m = 1;
  let p = 1;
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < m; i++) p = p * x[i]!;
    m += 1;
  }
  let t = 0;
  for (let k = 0; k + 1 < x.length; k++) t++;
  return s * c + p + t * x[1]!;
}

/** A double buffer: each step fills a new array and moves it into `u`, which is then written. */
function doubleBuffer(x: Float64Array): number {
  let u = x.slice();
  for (let step = 0; step < 4; step++) {
    const next = new Float64Array(u.length);
    for (let i = 0; i < next.length; i++) next[i] = u[i]! + 0.1 * Math.sin(u[(i + 1) % u.length]!) * u[i]!;
    u = next;
    u[0] = u[0]! * 1.1 + u[1]!;
  }
  let s = 0;
  for (const v of u) s += v * v;
  return s;
}

/** Returns an array from one of several places (early returns), and chooses arrays with ?:. */
function rotate(t: number[], x: number[]): number[] {
  const th = Math.sqrt(t[0]! * t[0]! + t[1]! * t[1]!);
  if (th < 0.5) return [x[0]! - t[1]! * x[1]!, x[1]! + t[0]! * x[0]!];
  const c = Math.cos(th);
  const s = Math.sin(th);
  if (c > 0) return [c * x[0]! - s * x[1]!, s * x[0]! + c * x[1]!];
  return x[0]! > 0 ? x.slice() : [s, c];
}
function arrayChoices(t: number[], k: number): number {
  const y = rotate(t, [1, 2]);
  const v = k > 0 ? y : t;
  return y[0]! * y[0]! + 3 * y[1]! + v[0]! * v[1]!;
}

/** A local array of arrays: rows pushed (one of them twice), read whole and element by element. */
function rowsOfRows(x: number[]): number {
  const rows: number[][] = [];
  for (let i = 0; i + 1 < x.length; i++) rows.push([x[i]! * x[i + 1]!, Math.sin(x[i]!)]);
  const first = rows[0]!;
  rows.push(first);
  let s = 0;
  for (const r of rows) s += r[0]! * r[1]! + first[1]!;
  return s;
}

/** Fills a fresh array, then reads it: the old elements (zeros) are never needed back. */
function fillThenRead(x: Float64Array): number {
  const t = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) t[i] = 3 * x[i]!;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += t[i]! * t[i]!;
  return s;
}
/** ... called in a loop: anything it left on the shared stack would corrupt the caller's pops. */
function callsInLoop(x: Float64Array): number {
  let total = 0;
  for (let k = 0; k < 2; k++) total += fillThenRead(x) * x[k]!;
  return total;
}

/** switch on data and on a computed value: grouped labels, default in the middle, break/return. */
function switches(x: number, k: number): number {
  let y = x;
  switch (k) {
    case 0:
    case 1:
      y = Math.sin(x) * 2;
      break;
    default:
      y = x * x * x;
      break;
    case 2: {
      if (x > 0) y = Math.exp(x);
      else y = -x;
      break;
    }
    case 3: {
      const q = x * 7;
      return q;
    }
  }
  switch (Math.floor(y)) {
    case 0:
      y *= 3;
      break;
    case 1:
      y += x;
  }
  return y + x;
}

/** Counted loops whose bounds are data of any value (fractions, negatives): counts in closed form. */
function loopBounds(x: number[], t: number): number {
  let s = 0;
  for (let i = 0; i < t; i++) s += x[i % 3]! * (i + 1) * s + x[1]!;
  for (let i = 1; i <= t; i++) s = Math.sin(s) * x[0]! + i;
  for (let i = 4; i > t; i--) s = s * x[2]! + 0.1 * i;
  for (let i = 2; i >= t - 1; i--) s += Math.cos(s * x[i % 3]!);
  return s;
}

// ---- control flow -----------------------------------------------------------------------------

function branches(x: number, y: number): number {
  let r: number;
  if (x > y) {
    r = x * x;
  } else if (x > 0) {
    r = Math.sin(y) * x;
  } else {
    r = y * y * y;
  }
  const s = x > 0 && y > 0 ? x * y : x + y;
  const t = !(x < 0) || y < -5 ? s : -s;
  return r + t;
}

function earlyReturn(x: number): number {
  if (x < -1) return -x * 2;
  const y = x * x;
  if (y > 4) {
    return y * 3;
  }
  return y + x;
}

function forLoop(x: number[]): number {
  let s = 1;
  for (let i = 0; i < x.length; i++) s = s * (1 + x[i]! * x[i]!) + Math.sin(s) * 0.1;
  return s;
}

function whileLoop(x: number): number {
  let s = x;
  let i = 0;
  while (i < 5) {
    s = Math.sin(s) + x * s * 0.5;
    i++;
  }
  return s;
}

function doWhileLoop(x: number): number {
  let s = x;
  let n = 0;
  do {
    s = s * 0.9 + Math.cos(s) * x;
    n += 1;
  } while (n < 4);
  return s;
}

function forOf(x: number[]): number {
  let s = 0;
  let prev = 1;
  for (const v of x) {
    s += v * prev;
    prev = Math.exp(v * 0.3);
  }
  return s;
}

function breakAndContinue(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (i === 1) continue;
    if (x[i]! > 10) break;
    s += Math.sqrt(1 + x[i]! * x[i]!) * (i + 1);
    if (s > 100) break;
  }
  return s;
}

function labeled(x: number[][]): number {
  let s = 0;
  outer: for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x[i]!.length; j++) {
      if (j > i) continue outer;
      if (x[i]![j]! > 50) break outer;
      s += x[i]![j]! * (i + 1) * (j + 2);
    }
  }
  return s;
}

function returnInsideLoop(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]! * x[i]!;
    if (s > 3) return s * 2;
  }
  return s;
}

/** Newton iteration for sqrt(a): a data-dependent trip count, y overwritten every step. */
function newtonSqrt(a: number): number {
  let y = a > 1 ? a : 1;
  let iterations = 0;
  while (Math.abs(y * y - a) > 1e-12 * a && iterations < 100) {
    y = 0.5 * (y + a / y);
    iterations++;
  }
  return y;
}

// ---- arrays -----------------------------------------------------------------------------------

function float64Params(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]! + Math.exp(x[i]! - y[i]!);
  return s / x.length;
}

function localArrays(x: number[]): number {
  const a = new Float64Array(x.length);
  const b = new Array(x.length).fill(0);
  const c = [x[0]! * 2, x[1]! + 1, 3];
  const d: number[] = [];
  for (let i = 0; i < x.length; i++) {
    a[i] = x[i]! * x[i]!;
    b[i] = Math.sin(a[i]!) + c[i % 3]!;
    d.push(a[i]! * b[i]!);
  }
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! + a[i]! * b[i]!;
  return s;
}

function overwrittenElements(x: number[]): number {
  const a = x.slice();
  for (let k = 0; k < 3; k++)
    for (let i = 1; i < a.length; i++) {
      a[i] = a[i]! * a[i - 1]! * 0.5 + Math.sin(a[i]!);
    }
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

function pushGrowth(x: number): number {
  const seq: number[] = [x];
  for (let i = 1; i < 6; i++) seq.push(seq[i - 1]! * 0.7 + Math.cos(seq[i - 1]!));
  let s = 0;
  for (const v of seq) s += v;
  return s;
}

// ---- calls ------------------------------------------------------------------------------------

function square(x: number): number {
  return x * x;
}

function weightedSum(w: number[], x: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * x[i]!;
  return s;
}

function calls(w: number[], b: number): number {
  const z = weightedSum(w, [1, 2, 3]) + b;
  return square(z) + softplus(b) + squaredNorm(w) + square(square(b));
}

function power(x: number, n: number): number {
  if (n === 0) return 1;
  return x * power(x, n - 1);
}

function recursion(x: number): number {
  return power(x, 5) + power(Math.sin(x), 2);
}

function fib(x: number, n: number): number {
  if (n < 2) return x;
  return fib(x, n - 1) * 0.5 + fib(x * x, n - 2);
}

function doubleRecursion(x: number): number {
  return fib(x, 5);
}

// ---- structured parameters, inactive code, wrt --------------------------------------------------

function structured(p: { w: number; b: number[] }, pair: readonly [number, number]): number {
  return p.w * p.b[0]! + p.b[1]! * pair[0] + pair[1] * p.w * p.w;
}

interface Layer {
  readonly w: number[];
  readonly b: number;
  readonly scale: { readonly s: number };
  readonly active: boolean;
}
function applyLayer(l: Layer, x: number): number {
  return l.active ? Math.tanh(l.w[0]! * x + l.w[1]! * x * x + l.b) * l.scale.s : x;
}
/** Objects passed whole to other functions: nested fields, arrays, a boolean, a tuple. */
function layered(p: { first: Layer; second: Layer }, x: readonly [number, number]): number {
  const y = applyLayer(p.second, applyLayer(p.first, x[0]));
  return y * y + applyLayer(p.first, x[1]) + pairProduct(x);
}
function pairProduct(pair: readonly [number, number]): number {
  return pair[0] * Math.sin(pair[1]);
}

function withData(w: number, x: number[], scale: number, verbose: boolean): number {
  let s = 0;
  let count = 0;
  for (let i = 0; i < x.length; i++) {
    s += (w * x[i]! - scale) ** 2;
    if (verbose) count++;
  }
  return s / (count + x.length);
}

function rowDot(row: number[], w: number[]): number {
  let s = 0;
  for (let j = 0; j < row.length; j++) s += row[j]! * w[j]!;
  return s;
}

function scaled(v: number[], k: number): number[] {
  const out = new Array(v.length).fill(0);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * k + Math.sin(v[i]!);
  return out;
}

/** Rows of an active nested array passed to a callee; a callee returning an array. */
function rowsAndArrays(m: number[][], w: number[]): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) {
    const r = rowDot(m[i]!, w);
    s += r * r;
  }
  const z = scaled(w, s);
  let t = 0;
  for (const v of z) t += v * v;
  return t;
}

/** for...of walks the array it started with, even when the body gives the variable a new one. */
function forOfRebound(x: number[]): number {
  let a = x.slice();
  let s = 0;
  for (const v of a) {
    s += v * a[0]!;
    a = [a[1]! * v, s];
  }
  return s + a[0]! * a[1]!;
}

/** An object holding a local array, which is written afterwards: reading the object sees the write. */
function heldArrayWritten(x: number[]): number {
  const a = x.slice();
  const o = { v: a, s: x[1]! };
  a[0] = a[0]! * 3 + o.s;
  return o.v[0]! * o.s;
}

/** A helper given an array and one of its own elements: both adjoints land in the same array. */
function elementAndArray(a: number, x: number[]): number {
  return a * x[0]! + Math.sin(a) * x[1]!;
}
function callWithElementAndArray(x: number[]): number {
  let s = x[1]! - elementAndArray(x[0]!, x);
  for (let i = 0; i < x.length; i++) s += elementAndArray(x[i]!, x) * x[i]!;
  return s;
}

/** A local array written after it got a second name (let, ?:, a pushed row, a tuple), then read through it. */
function secondNames(x: number[], t: number): number {
  const a = x.slice();
  let b = x;
  b = a;
  const c = t > 0 ? a : x;
  const rows: number[][] = [];
  rows.push(a);
  const pair: [number[], number] = [a, 1];
  const [d] = pair;
  a[0] = a[0]! * 3 + x[1]!;
  return b[0]! * c[0]! + rows[0]![0]! * d[0]!;
}

function heldProduct(p: { v: number[]; k: number }): number {
  return p.v[0]! * p.v[1]! * p.k;
}
/**
 * A local array read through its other names (`b = a`, `t ? a : c`, a pushed row, an object
 * field, a helper given the object), then overwritten through its own name and read again:
 * the reverse sweep must restore the old elements, whichever name read them.
 */
function readsBeforeWrites(x: number[], t: number): number {
  const a = x.slice();
  const b = a;
  const c = t > 0 ? a : x;
  const rows: number[][] = [];
  rows.push(a);
  const o = { v: a, k: x[0]! };
  const before = b[0]! * b[1]! + c[1]! * rows[0]![0]! + heldProduct(o);
  a[0] = 3 * x[1]!;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const sq = b[i]! * b[i]!;
    a[i] = 0.5 * x[i]!;
    s += Math.sin(sq);
  }
  return before * before + rows[0]![0]! * x[1]! + heldProduct(o) + s;
}

/** A labeled break out of an inner loop, on a condition the reverse sweep must replay from saved values. */
function breakOuterOnValue(a: number): number {
  let v = 2.5;
  outer: for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      v -= Math.sin(a * (i + 1));
      if (v < 0) break outer;
    }
  }
  return v * a;
}

/** Initial values overwritten before any use (the first is dead, its inputs too). */
function deadInitialValues(a: number): number {
  let w = Math.exp(a * a);
  w = a;
  let u = Math.tanh(a > 0 ? Math.sin(a) : a * a);
  u = a * a;
  return w * u;
}

/** A square times a constant: the value must round as in the source, (a * a) * 0.9, not (0.9 * a) * a. */
function squareTimesConstant(a: number): number {
  return a ** 2 * 0.9;
}

/** max of an element that never depends on the input (sqrt at 0, an infinite slope) and the input. */
function maxWithConstantElement(a: number): number {
  const t = new Float64Array(2);
  t[0] = a;
  return Math.max(Math.sqrt(t[1]!), a) + Math.min(a * a, Math.sqrt(t[1]!) + 4);
}

/** A branch on an element read through another name, whose body writes it through its own. */
function branchOnAlias(x: number[]): number {
  const a = x.slice();
  const b = a;
  let s = 0;
  for (let i = 0; i < 3; i++) {
    if (b[0]! > 0) {
      a[0] = -x[2]!;
      s += x[1]! * x[1]!;
    } else s += x[2]! * x[0]!;
  }
  return s;
}

/** Elements read straight off a call's result, `scaled(v, k)[1]` (no variable in between). */
function indexedCalls(v: number[], k: number): number {
  return scaled(v, k)[1]! * scaled([k, v[0]!], v[1]!)[0]! + scaled(v, 2).length;
}

/** Helpers returning tuples and objects: literals, shorthand fields, array fields, early returns. */
function polar(x: number, y: number): readonly [number, number] {
  const r = Math.hypot(x, y);
  if (r > 2) return [r, Math.atan2(y, x)];
  return [r * r, x / (1 + r)];
}
function summary(v: number[], k: number): { total: number; scaled: number[]; pair: readonly [number, number] } {
  const scaled: number[] = [];
  let total = 0;
  for (let i = 0; i < v.length; i++) {
    scaled.push(v[i]! * k);
    total += Math.sin(v[i]!) * k;
    if (total > 3) return { total, scaled, pair: [total, k] };
  }
  return { scaled, total: total * total, pair: polar(total, k) };
}
function recordsReturned(v: number[], k: number): number {
  const [r, t] = polar(v[0]!, k);
  const s = summary(v, r);
  return s.total * t + s.scaled[1]! * s.pair[0] + s.pair[1];
}

interface Case {
  readonly name: string;
  readonly f: (...args: never[]) => unknown;
  readonly d: Derivatives;
  readonly args: readonly unknown[];
  readonly params?: readonly number[];
}

const cases: Case[] = [
  { name: "arithmetic: + - * / % ** and unary minus", f: arithmetic, d: { grad: grad(arithmetic), jvp: jvp(arithmetic), valueAndGrad: valueAndGrad(arithmetic) }, args: [1.3, 0.7] },
  { name: "reassignment, compound assignment, ++/--", f: reassign, d: { grad: grad(reassign), jvp: jvp(reassign), valueAndGrad: valueAndGrad(reassign) }, args: [0.4, 0.9] },
  { name: "every Math function", f: mathFunctions, d: { grad: grad(mathFunctions), jvp: jvp(mathFunctions), valueAndGrad: valueAndGrad(mathFunctions) }, args: [0.8, 0.45] },
  { name: "module constants and arrays", f: constantsAndGlobals, d: { grad: grad(constantsAndGlobals), jvp: jvp(constantsAndGlobals) }, args: [0.6] },
  { name: "nested module arrays pts[n][j]", f: nestedGlobalArrays, d: { grad: grad(nestedGlobalArrays), jvp: jvp(nestedGlobalArrays) }, args: [[0.3, -0.8]] },
  { name: "if / else if / else, ?:, && and ||", f: branches, d: { grad: grad(branches), jvp: jvp(branches), valueAndGrad: valueAndGrad(branches) }, args: [0.5, 1.5] },
  { name: "branches, other side", f: branches, d: { grad: grad(branches), jvp: jvp(branches) }, args: [1.5, 0.5] },
  { name: "branches, third side", f: branches, d: { grad: grad(branches), jvp: jvp(branches) }, args: [-0.5, 0.75] },
  { name: "early return (first)", f: earlyReturn, d: { grad: grad(earlyReturn), jvp: jvp(earlyReturn), valueAndGrad: valueAndGrad(earlyReturn) }, args: [-2] },
  { name: "early return (second)", f: earlyReturn, d: { grad: grad(earlyReturn), jvp: jvp(earlyReturn) }, args: [2.5] },
  { name: "early return (fall through)", f: earlyReturn, d: { grad: grad(earlyReturn), jvp: jvp(earlyReturn) }, args: [0.7] },
  { name: "for loop with overwritten accumulator", f: forLoop, d: { grad: grad(forLoop), jvp: jvp(forLoop), valueAndGrad: valueAndGrad(forLoop) }, args: [[0.3, -0.2, 0.5, 0.1]] },
  { name: "while loop", f: whileLoop, d: { grad: grad(whileLoop), jvp: jvp(whileLoop) }, args: [0.7] },
  { name: "do while loop", f: doWhileLoop, d: { grad: grad(doWhileLoop), jvp: jvp(doWhileLoop) }, args: [0.9] },
  { name: "for...of", f: forOf, d: { grad: grad(forOf), jvp: jvp(forOf) }, args: [[0.2, 1.1, -0.4]] },
  { name: "break and continue", f: breakAndContinue, d: { grad: grad(breakAndContinue), jvp: jvp(breakAndContinue), valueAndGrad: valueAndGrad(breakAndContinue) }, args: [[1, 2, 3, 20, 5]] },
  { name: "labeled break and continue", f: labeled, d: { grad: grad(labeled), jvp: jvp(labeled) }, args: [[[1, 2], [3, 4, 5], [6, 7, 8], [60, 1, 1]]] },
  { name: "return inside a loop", f: returnInsideLoop, d: { grad: grad(returnInsideLoop), jvp: jvp(returnInsideLoop) }, args: [[0.5, 1, 1.5, 2]] },
  { name: "Newton iteration (data-dependent trip count)", f: newtonSqrt, d: { grad: grad(newtonSqrt), jvp: jvp(newtonSqrt), valueAndGrad: valueAndGrad(newtonSqrt) }, args: [7] },
  { name: "Float64Array parameters", f: float64Params, d: { grad: grad(float64Params), jvp: jvp(float64Params) }, args: [Float64Array.of(0.1, 0.2, 0.3), Float64Array.of(-0.5, 0.4, 1)] },
  { name: "local arrays: Float64Array, Array.fill, literal, [] with push", f: localArrays, d: { grad: grad(localArrays), jvp: jvp(localArrays), valueAndGrad: valueAndGrad(localArrays) }, args: [[0.3, 0.6, -0.2, 0.9]] },
  { name: "overwritten array elements (restored in reverse)", f: overwrittenElements, d: { grad: grad(overwrittenElements), jvp: jvp(overwrittenElements) }, args: [[0.5, 0.8, -0.3, 0.4]] },
  { name: "comparisons passed to boolean parameters", f: comparisonArguments, d: { grad: grad(comparisonArguments), jvp: jvp(comparisonArguments), valueAndGrad: valueAndGrad(comparisonArguments) }, args: [[0.5, -1.5, 0.7]] },
  { name: "writes before break/continue (labeled too), then overwritten", f: writesBeforeJumps, d: { grad: grad(writesBeforeJumps), jvp: jvp(writesBeforeJumps), valueAndGrad: valueAndGrad(writesBeforeJumps) }, args: [[0.5, 3, -0.4, 2.1]] },
  { name: "counters of the user's own (read in the loop, not from zero, bounding a nest)", f: counters, d: { grad: grad(counters), jvp: jvp(counters), valueAndGrad: valueAndGrad(counters) }, args: [[-0.7, 1.3, -2.4]] },
  { name: "a double buffer (`u = next`, next never used again), then written", f: doubleBuffer, d: { grad: grad(doubleBuffer), jvp: jvp(doubleBuffer), valueAndGrad: valueAndGrad(doubleBuffer) }, args: [Float64Array.of(0.4, 0.9, -0.3)] },
  { name: "array variables given new arrays (q = [...], w = w.slice(), rows)", f: reboundArrays, d: { grad: grad(reboundArrays), jvp: jvp(reboundArrays), valueAndGrad: valueAndGrad(reboundArrays) }, args: [[0.4, 0.9, -0.3], [[0.5, 1.5], [-1, 2], [2, -0.5]]] },
  ...[2.5, 3, -1.5, 0, 4.75].map((t) => ({ name: `counted loops up and down to a data bound (t = ${t})`, f: loopBounds, d: { grad: grad(loopBounds, { wrt: [0] }), jvp: jvp(loopBounds, { wrt: [0] }), valueAndGrad: valueAndGrad(loopBounds, { wrt: [0] }) }, args: [[0.4, -0.3, 0.8], t], params: [0] })),
  ...[0, 1, 2, 3, 5].map((k) => ({ name: `switch (k = ${k})`, f: switches, d: { grad: grad(switches, { wrt: [0] }), jvp: jvp(switches, { wrt: [0] }), valueAndGrad: valueAndGrad(switches, { wrt: [0] }) }, args: [0.45, k], params: [0] })),
  { name: "a call in a loop of a function that fills a fresh array", f: callsInLoop, d: { grad: grad(callsInLoop), jvp: jvp(callsInLoop), valueAndGrad: valueAndGrad(callsInLoop) }, args: [Float64Array.of(1, 2)] },
  ...[[0.3, 0.1, 1], [0.6, 0.7, -1], [2, 1.5, 1], [2, 1.5, -1]].map(([a, b, k]) => ({ name: `arrays returned early and chosen with ?: (t = ${a}, ${b}; k = ${k})`, f: arrayChoices, d: { grad: grad(arrayChoices, { wrt: [0] }), jvp: jvp(arrayChoices, { wrt: [0] }), valueAndGrad: valueAndGrad(arrayChoices, { wrt: [0] }) }, args: [[a!, b!], k!], params: [0] })),
  { name: "a local array of arrays: rows pushed and read", f: rowsOfRows, d: { grad: grad(rowsOfRows), jvp: jvp(rowsOfRows), valueAndGrad: valueAndGrad(rowsOfRows) }, args: [[0.5, -0.7, 1.2]] },
  { name: "push growth reading earlier elements", f: pushGrowth, d: { grad: grad(pushGrowth), jvp: jvp(pushGrowth) }, args: [0.6] },
  { name: "calls, also into another module", f: calls, d: { grad: grad(calls), jvp: jvp(calls), valueAndGrad: valueAndGrad(calls) }, args: [[0.2, -0.1, 0.4], 0.3] },
  { name: "recursion", f: recursion, d: { grad: grad(recursion), jvp: jvp(recursion) }, args: [1.1] },
  { name: "double recursion", f: doubleRecursion, d: { grad: grad(doubleRecursion), jvp: jvp(doubleRecursion) }, args: [0.9] },
  { name: "rows of nested array parameters into calls; calls returning arrays", f: rowsAndArrays, d: { grad: grad(rowsAndArrays), jvp: jvp(rowsAndArrays), valueAndGrad: valueAndGrad(rowsAndArrays) }, args: [[[0.5, -1], [2, 0.25], [-0.3, 0.7]], [0.4, -0.6]] },
  { name: "an arrow function target", f: (x: number[]) => Math.exp(x[0]! * x[1]!) - x[1]!, d: { grad: grad((x: number[]) => Math.exp(x[0]! * x[1]!) - x[1]!), jvp: jvp((x: number[]) => Math.exp(x[0]! * x[1]!) - x[1]!) }, args: [[0.3, 1.2]] },
  { name: "tuple and object parameters", f: structured, d: { grad: grad(structured), jvp: jvp(structured), valueAndGrad: valueAndGrad(structured) }, args: [{ w: 0.7, b: [1.5, -2] }, [0.3, 1.2]] },
  {
    name: "tuples and objects passed whole to other functions",
    f: layered,
    d: { grad: grad(layered), jvp: jvp(layered), valueAndGrad: valueAndGrad(layered) },
    args: [{ first: { w: [0.5, -0.3], b: 0.1, scale: { s: 1.5 }, active: true }, second: { w: [0.7, 0.2], b: -0.2, scale: { s: 0.8 }, active: true } }, [0.9, 0.4]],
  },
  { name: "for...of over an array variable the body rebinds", f: forOfRebound, d: { grad: grad(forOfRebound), jvp: jvp(forOfRebound), valueAndGrad: valueAndGrad(forOfRebound) }, args: [[0.7, -0.4, 1.1]] },
  { name: "an object holding a local array that is written afterwards", f: heldArrayWritten, d: { grad: grad(heldArrayWritten), jvp: jvp(heldArrayWritten), valueAndGrad: valueAndGrad(heldArrayWritten) }, args: [[0.7, -0.4]] },
  { name: "a helper given an array and one of its elements", f: callWithElementAndArray, d: { grad: grad(callWithElementAndArray), jvp: jvp(callWithElementAndArray), valueAndGrad: valueAndGrad(callWithElementAndArray) }, args: [[0.7, -0.4, 1.3]] },
  { name: "a local array written after it got second names", f: secondNames, d: { grad: grad(secondNames, { wrt: [0] }), jvp: jvp(secondNames, { wrt: [0] }), valueAndGrad: valueAndGrad(secondNames, { wrt: [0] }) }, args: [[0.7, -0.4], 1], params: [0] },
  { name: "a local array read through other names, then overwritten", f: readsBeforeWrites, d: { grad: grad(readsBeforeWrites, { wrt: [0] }), jvp: jvp(readsBeforeWrites, { wrt: [0] }), valueAndGrad: valueAndGrad(readsBeforeWrites, { wrt: [0] }) }, args: [[0.7, -0.4, 1.2], 1], params: [0] },
  { name: "a labeled break out of an inner loop on a value the reverse sweep replays", f: breakOuterOnValue, d: { grad: grad(breakOuterOnValue), jvp: jvp(breakOuterOnValue), valueAndGrad: valueAndGrad(breakOuterOnValue) }, args: [0.5] },
  { name: "initial values overwritten before any use", f: deadInitialValues, d: { grad: grad(deadInitialValues), jvp: jvp(deadInitialValues), valueAndGrad: valueAndGrad(deadInitialValues) }, args: [0.5] },
  { name: "a square times a constant keeps its rounding", f: squareTimesConstant, d: { grad: grad(squareTimesConstant), jvp: jvp(squareTimesConstant), valueAndGrad: valueAndGrad(squareTimesConstant) }, args: [5 / 7] },
  { name: "max/min with a side of infinite slope that is not taken", f: maxWithConstantElement, d: { grad: grad(maxWithConstantElement), jvp: jvp(maxWithConstantElement), valueAndGrad: valueAndGrad(maxWithConstantElement) }, args: [0.5] },
  { name: "a branch on an element read through another name, written in the branch", f: branchOnAlias, d: { grad: grad(branchOnAlias), jvp: jvp(branchOnAlias), valueAndGrad: valueAndGrad(branchOnAlias) }, args: [[0.5, 2, 3]] },
  { name: "elements read straight off a call's result", f: indexedCalls, d: { grad: grad(indexedCalls), jvp: jvp(indexedCalls), valueAndGrad: valueAndGrad(indexedCalls) }, args: [[0.7, -0.4], 1.3] },
  ...[[[0.3, -0.4, 0.8], 0.5], [[1.5, 2, -0.5], 2.5], [[2, 1.5, 1], 0.9]].map(([v, k]) => ({
    name: `tuples and objects returned by helpers, early returns too (k = ${k})`,
    f: recordsReturned,
    d: { grad: grad(recordsReturned), jvp: jvp(recordsReturned), valueAndGrad: valueAndGrad(recordsReturned) },
    args: [v, k],
  })),
  { name: "data parameters excluded with wrt", f: withData, d: { grad: grad(withData, { wrt: ["w", "x"] }), jvp: jvp(withData, { wrt: ["w", "x"] }) }, args: [0.8, [1, 2, 3], 0.5, true], params: [0, 1] },
  { name: "wrt by position", f: withData, d: { grad: grad(withData, { wrt: [1] }), jvp: jvp(withData, { wrt: [1] }) }, args: [0.8, [1, 2, 3], 0.5, true], params: [1] },
];

describe("every construct, both modes, against finite differences", () => {
  for (const c of cases) it(c.name, () => verifyDerivatives(c.f, c.d, c.args, { params: c.params }));
});

function validated(x: number[], scale: number): number {
  if (x.length === 0) throw new RangeError("x must not be empty");
  if (scale <= 0) throw new Error("scale must be positive");
  let s = 0;
  for (const v of x) s += Math.exp(v / scale);
  return Math.log(s) * scale;
}

describe("input validation with throw", () => {
  it("differentiates the valid path", () =>
    verifyDerivatives(validated, { grad: grad(validated), jvp: jvp(validated), valueAndGrad: valueAndGrad(validated) }, [[0.3, -1, 2], 0.7]));
  it("throws the function's own error from every mode", () => {
    expect(() => grad(validated)([], 1)).toThrow(RangeError);
    expect(() => jvp(validated)([1], -1, [1], 0)).toThrow("scale must be positive");
    expect(() => valueAndGrad(validated)([1], 0)).toThrow("scale must be positive");
  });
});
