/**
 * Auxiliary outputs (`hasAux`, JAX's `has_aux`): a function returning `[loss, aux]` is
 * differentiated as its loss, and the aux comes back beside the gradient, as a plain call returns
 * it, with no derivative.
 *
 * References: the gradient against central finite differences of the plain function's loss and
 * against forward mode (jvp with hasAux: the dot-product test); the value and the aux, in both
 * modes, against a plain call of the function; refusals by code and position.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, jvp, valueAndGrad, vjp } from "tsgrad";
import { item, matmul, sum, tanh, tensor, type Tensor } from "tsgrad/tensor";
import { refStack, stack } from "tsgrad/internal";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

/**
 * A loss with its predictions as aux: `pred` is written after the loss reads it, so the reverse
 * sweep restores its elements; the aux must still be the array the plain call returns.
 */
function fit(w: number[], x: number[]): [number, { pred: number[]; mean: number }] {
  const pred = new Array<number>(x.length).fill(0);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    pred[i] = w[0]! * x[i]! + w[1]!;
    s += pred[i]! * pred[i]!;
  }
  for (let i = 0; i < x.length; i++) pred[i] = Math.tanh(pred[i]!);
  let t = 0;
  for (let i = 0; i < x.length; i++) t += pred[i]! * x[i]!;
  return [s + t, { pred, mean: s / x.length }];
}
const fitLoss = (w: number[], x: number[]) => fit(w, x)[0];

/** Each return gives its own aux, a string in one branch and another. */
function branches(x: number, y: number): [number, string] {
  if (x > y) return [x * x * y, "above"];
  if (x < -1) return [Math.sin(x) + y, "far below"];
  return [Math.exp(x - y), "below"];
}
const branchesLoss = (x: number, y: number) => branches(x, y)[0];

/** The aux computed from an array that is then written: the caller sees the array as returned. */
function writtenAfter(x: number[]): [number, number[]] {
  const y = x.slice();
  const aux = y;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    s += y[i]! * y[i]!;
    y[i] = Math.cos(y[i]!);
    s += y[i]! * x[i]!;
  }
  return [s, aux];
}
const writtenAfterLoss = (x: number[]) => writtenAfter(x)[0];

/** Rows pushed onto an array of arrays, returned as aux (written, so copied row by row). */
function rowsAux(x: number[]): [number, number[][]] {
  const rows: number[][] = [];
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const row = [x[i]! * 2, Math.sin(x[i]!)];
    row[1] = row[1]! * row[0]!;
    rows.push(row);
    s += row[1]!;
  }
  return [s, rows];
}
const rowsAuxLoss = (x: number[]) => rowsAux(x)[0];

/** The aux is the parameter itself: the same array a plain call returns. */
function paramAux(x: number[]): [number, number[]] {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]! * x[i]!;
  return [s, x];
}

/** A pair returned by a helper; a local helper and a loop over it. */
function step(x: number, k: number): [number, number] {
  return [Math.tanh(k * x) * x, k * x];
}
function viaHelper(x: number, k: number): [number, number] {
  const sq = (t: number) => t * t;
  let acc = 0;
  for (let i = 0; i < 3; i++) acc += sq(x + i);
  if (acc > 10) return step(x + acc / 100, k);
  return [acc, -1];
}
const viaHelperLoss = (x: number, k: number) => viaHelper(x, k)[0];

/** An early return inside a loop, the pair written `as const` with no annotation. */
function search(x: number[]) {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]! * x[i]! * (1 + 0.1 * i);
    if (s > 4) return [s, i] as const;
  }
  return [s * 2, -1] as const;
}
const searchLoss = (x: number[]) => search(x)[0];

/** A tensor made from differentiated numbers, only for the aux: nothing is lost, nothing refused. */
function tensorOfInputs(x: number, y: number): [number, Tensor] {
  return [Math.sin(x) * y, tensor([x, y * 2])];
}

/** A Float64Array written after the loss read it, a boolean and a nested object as aux. */
function mixedAux(x: Float64Array, k: number): [number, { buf: Float64Array; big: boolean; stats: { sum: number; last: number[] } }] {
  const buf = new Float64Array(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    buf[i] = x[i]! * k;
    s += Math.exp(buf[i]!) * x[i]!;
  }
  for (let i = 0; i < x.length; i++) buf[i] = buf[i]! * buf[i]!;
  const last = [buf[x.length - 1]!, s];
  last[0] = last[0]! + 1;
  return [s, { buf, big: s > 2, stats: { sum: s, last } }];
}
const mixedAuxLoss = (x: Float64Array, k: number) => mixedAux(x, k)[0];

/** A tensor aux. */
function layer(W: Tensor, x: Tensor): [number, Tensor] {
  const h = tanh(matmul(W, x));
  return [item(sum(h)), h];
}
const layerLoss = (W: Tensor, x: Tensor) => layer(W, x)[0];

const fitGrad = grad(fit, { hasAux: true });
const fitValueAndGrad = valueAndGrad(fit, { hasAux: true });
const fitVjp = vjp(fit, { hasAux: true });
const fitJvp = jvp(fit, { hasAux: true });
const branchesGrad = grad(branches, { hasAux: true });
const branchesValueAndGrad = valueAndGrad(branches, { hasAux: true });
const branchesJvp = jvp(branches, { hasAux: true });
const writtenAfterValueAndGrad = valueAndGrad(writtenAfter, { hasAux: true });
const writtenAfterJvp = jvp(writtenAfter, { hasAux: true });
const rowsAuxGrad = grad(rowsAux, { hasAux: true });
const paramAuxGrad = grad(paramAux, { hasAux: true });
const viaHelperValueAndGrad = valueAndGrad(viaHelper, { hasAux: true });
const viaHelperJvp = jvp(viaHelper, { hasAux: true });
const layerGrad = grad(layer, { hasAux: true });
const searchValueAndGrad = valueAndGrad(search, { hasAux: true });
const searchJvp = jvp(search, { hasAux: true });
const tensorOfInputsGrad = grad(tensorOfInputs, { hasAux: true });

/** A tensor of differentiated numbers in the loss and as the aux: sin(x) + x². */
function tensorLoss(x: number): [number, Tensor] {
  const t = tensor([Math.sin(x), x * x]);
  return [item(sum(t)), t];
}
const tensorLossGrad = grad(tensorLoss, { hasAux: true });
const mixedAuxValueAndGrad = valueAndGrad(mixedAux, { hasAux: true });

/** grad, valueAndGrad and jvp of the loss alone, from the hasAux versions, for verifyDerivatives. */
function lossDerivatives<A extends unknown[]>(
  g: (...args: A) => { grad: unknown },
  vg: (...args: A) => { value: number; grad: unknown },
  j: (...args: never[]) => unknown,
) {
  return {
    grad: (...args: A) => g(...args).grad,
    valueAndGrad: (...args: A) => {
      const { value, grad } = vg(...args);
      return { value, grad };
    },
    jvp: j,
  };
}

const small = fc.double({ min: -2, max: 2, noNaN: true });

describe("hasAux: grad, valueAndGrad and jvp", () => {
  it("give the loss's gradient (finite differences, forward mode) and the aux a plain call returns", () => {
    fc.assert(
      fc.property(fc.tuple(small, small), fc.array(small, { minLength: 1, maxLength: 6 }), (w2, x) => {
        const w = [...w2];
        verifyDerivatives(fitLoss, lossDerivatives(fitGrad, fitValueAndGrad, fitJvp), [w, x]);
        const [loss, aux] = fit(w, x);
        const g = fitGrad(w, x);
        expect(g.aux).toEqual(aux);
        const vg = fitValueAndGrad(w, x);
        expect(vg.value).toBe(loss);
        expect(vg.aux).toEqual(aux);
        // the value and the aux are the plain call's, bit for bit; the order of the fields too
        expect(Object.keys(vg)).toEqual(["value", "aux", "grad"]);
        expect(Object.keys(g)).toEqual(["aux", "grad"]);
        // forward mode gives the same aux beside the value and the tangent
        const j = fitJvp(
          w,
          x,
          [1, -1],
          x.map(() => 0.5),
        );
        expect(j.value).toBe(loss);
        expect(j.aux).toEqual(aux);
        expect(Object.keys(j)).toEqual(["value", "aux", "tangent"]);
      }),
      { numRuns: 40 },
    );
  });

  it("each return in a branch gives its own aux", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(small, small, (x, y) => {
        // finite differences need a point away from the branches' edges
        fc.pre(Math.abs(x - y) > 1e-3 && Math.abs(x + 1) > 1e-3);
        verifyDerivatives(branchesLoss, lossDerivatives(branchesGrad, branchesValueAndGrad, branchesJvp), [x, y]);
        const [, aux] = branches(x, y);
        expect(branchesGrad(x, y).aux).toBe(aux);
        expect(branchesValueAndGrad(x, y).aux).toBe(aux);
        expect(branchesJvp(x, y, 1, 0).aux).toBe(aux);
        seen.add(aux);
      }),
      { numRuns: 60 },
    );
    for (const [x, y] of [
      [1, 0],
      [-1.5, 0],
      [0, 1],
    ] as const)
      seen.add(branchesValueAndGrad(x, y).aux);
    expect([...seen].sort()).toEqual(["above", "below", "far below"]);
  });

  it("an array written after the aux was taken from it: the aux is the array as returned", () => {
    const x = [0.3, -1.2, 2, 0.7];
    const plain = writtenAfter(x.slice());
    const vg = writtenAfterValueAndGrad(x);
    expect(vg.aux).toEqual(plain[1]);
    expect(vg.value).toBe(plain[0]);
    // the plain call's aux holds cosines, not the inputs the reverse sweep restores
    expect(vg.aux).toEqual(x.map(Math.cos));
    expect(writtenAfterJvp(x, [1, 0, 0, 0]).aux).toEqual(plain[1]);
    expect(x).toEqual([0.3, -1.2, 2, 0.7]);
    verifyDerivatives(
      writtenAfterLoss,
      lossDerivatives((x: number[]) => writtenAfterValueAndGrad(x), writtenAfterValueAndGrad, writtenAfterJvp),
      [x],
    );
  });

  it("an array of rows the function pushed and wrote, as aux: the rows as returned", () => {
    const x = [0.5, -0.25, 1.5];
    const { grad: g, aux } = rowsAuxGrad(x);
    expect(aux).toEqual(rowsAux(x)[1]);
    expectClose(g, numericGradient(rowsAuxLoss, [x], 0), 1e-7);
  });

  it("a parameter returned as aux is the caller's own array, as in a plain call", () => {
    const x = [0.5, -1, 2];
    const { grad: g, aux } = paramAuxGrad(x);
    expect(aux).toBe(x);
    expectClose(g, [0.75, 3, 12], 1e-12);
  });

  it("a pair returned by a helper call, a local helper, a loop: both branches", () => {
    for (const [x, k] of [
      [0.3, 1.7],
      [4, -0.6],
      [-5, 0.2],
    ] as const) {
      const vg = viaHelperValueAndGrad(x, k);
      const [loss, aux] = viaHelper(x, k);
      expect(vg.value).toBe(loss);
      expect(vg.aux).toBe(aux);
      verifyDerivatives(viaHelperLoss, lossDerivatives(viaHelperValueAndGrad, viaHelperValueAndGrad, viaHelperJvp), [x, k]);
    }
  });

  it("a tensor aux", () => {
    const W = tensor([
      [0.5, -1],
      [2, 0.25],
      [-0.75, 1],
    ]);
    const x = tensor([[0.3], [-0.8]]);
    const { grad: g, aux } = layerGrad(W, x);
    const [, h] = layer(W, x);
    expect([...aux.data]).toEqual([...h.data]);
    expect(aux.shape).toEqual(h.shape);
    // central differences over W's entries
    const fd = [...W.data].map((_, i) => {
      const at = (d: number) => {
        const data = W.data.slice();
        data[i] = data[i]! + d;
        return layerLoss(tensor(data, W.shape), x);
      };
      return (at(1e-6) - at(-1e-6)) / 2e-6;
    });
    expectClose([...g[0].data], fd, 1e-7);
  });

  it("an early return in a loop, and `as const` pairs: each return's aux", () => {
    for (const x of [[0.5, 0.25, 0.75], [1.5, 1.5, 0.2, 3], [0.1]]) {
      const vg = searchValueAndGrad(x);
      const [loss, aux] = search(x);
      expect(vg.value).toBe(loss);
      expect(vg.aux).toBe(aux);
      expect(
        searchJvp(
          x,
          x.map(() => 1),
        ).aux,
      ).toBe(aux);
      verifyDerivatives(searchLoss, lossDerivatives(searchValueAndGrad, searchValueAndGrad, searchJvp), [x]);
    }
    expect(searchValueAndGrad([1.5, 1.5, 0.2, 3]).aux).toBe(1);
    expect(searchValueAndGrad([0.1]).aux).toBe(-1);
  });

  it("a Float64Array, a boolean and a nested object in the aux, as a plain call returns them", () => {
    for (const k of [0.5, -1.25]) {
      const x = Float64Array.of(0.3, -0.7, 1.1);
      const vg = mixedAuxValueAndGrad(x, k);
      const [loss, aux] = mixedAux(x, k);
      expect(vg.value).toBe(loss);
      expect(vg.aux.buf).toBeInstanceOf(Float64Array);
      expect([...vg.aux.buf]).toEqual([...aux.buf]);
      expect(vg.aux.big).toBe(aux.big);
      expect(vg.aux.stats).toEqual(aux.stats);
      const [gx, gk] = vg.grad;
      expectClose([...gx], [...(numericGradient(mixedAuxLoss, [x, k], 0) as Float64Array)], 1e-7);
      expectClose(gk, numericGradient(mixedAuxLoss, [x, k], 1), 1e-7);
    }
  });

  it("a tensor made from differentiated numbers for the aux only", () => {
    const { grad: g, aux } = tensorOfInputsGrad(0.4, -1.5);
    expect([...aux.data]).toEqual([0.4, -3]);
    expectClose(g, [Math.cos(0.4) * -1.5, Math.sin(0.4)], 1e-12);
  });

  it("a tensor made from differentiated numbers that reaches the loss, and is the aux", () => {
    for (const x of [0.4, -1.3]) {
      const { grad: g, aux } = tensorLossGrad(x);
      expectClose(g, numericGradient((y: number) => tensorLoss(y)[0], [x], 0), 1e-7);
      expect([...aux.data]).toEqual([...tensorLoss(x)[1].data]);
    }
  });

  it("leaves the reverse sweep's shared stacks empty", () => {
    fitGrad([1, 2], [3, 4, 5]);
    rowsAuxGrad([1, 2]);
    expect(stack.size).toBe(0);
    expect(refStack.size).toBe(0);
  });
});

describe("hasAux with wrt, closures and inline arrows", () => {
  function mse(w: number, b: number, xs: number[], ys: number[]): [number, number[]] {
    const r = new Array<number>(xs.length).fill(0);
    let s = 0;
    for (let i = 0; i < xs.length; i++) {
      r[i] = w * xs[i]! + b - ys[i]!;
      s += r[i]! * r[i]!;
    }
    return [s / xs.length, r];
  }

  it("wrt by position and by name: the selected gradient, the aux", () => {
    const xs = [0, 1, 2, 3];
    const ys = [1, 2.5, 5.5, 7];
    const byPosition = valueAndGrad(mse, { wrt: [1], hasAux: true })(0.5, 0.25, xs, ys);
    const byName = grad(mse, { wrt: ["w", "b"], hasAux: true })(0.5, 0.25, xs, ys);
    const [loss, residuals] = mse(0.5, 0.25, xs, ys);
    expect(byPosition.value).toBe(loss);
    expect(byPosition.aux).toEqual(residuals);
    expect(byName.aux).toEqual(residuals);
    const lossOf = (w: number, b: number) => mse(w, b, xs, ys)[0];
    expectClose(byPosition.grad, numericGradient(lossOf, [0.5, 0.25], 1), 1e-7);
    expectClose(byName.grad, [numericGradient(lossOf, [0.5, 0.25], 0), numericGradient(lossOf, [0.5, 0.25], 1)], 1e-7);
  });

  it("a closure over the batch in a training loop, the aux tracking the loss", () => {
    function train(xs: number[], ys: number[], steps: number) {
      let w = 0;
      let b = 0;
      const losses: number[] = [];
      const f = (w: number, b: number) => mse(w, b, xs, ys);
      for (let k = 0; k < steps; k++) {
        const { value, aux, grad: g } = valueAndGrad(f, { hasAux: true })(w, b);
        losses.push(value);
        if (k === steps - 1) expect(aux).toEqual(mse(w, b, xs, ys)[1]);
        w -= 0.05 * g[0];
        b -= 0.05 * g[1];
      }
      return { w, b, losses };
    }
    const xs = [0, 1, 2, 3, 4];
    const { w, b, losses } = train(
      xs,
      xs.map((x) => 2 * x + 1),
      3000,
    );
    expect(w).toBeCloseTo(2, 5);
    expect(b).toBeCloseTo(1, 5);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
  });

  it("an inline arrow with a captured batch", () => {
    const xs = [0.5, 1.5, -1];
    const ys = [1, 2, 0];
    const g = grad((p: number[]) => mse(p[0]!, p[1]!, xs, ys), { hasAux: true });
    const { grad: gp, aux } = g([0.7, -0.2]);
    expect(aux).toEqual(mse(0.7, -0.2, xs, ys)[1]);
    expectClose(
      gp,
      numericGradient((p: number[]) => mse(p[0]!, p[1]!, xs, ys)[0], [[0.7, -0.2]], 0),
      1e-7,
    );
  });
});

describe("hasAux: vjp", () => {
  it("gives the value and the aux of a plain call, and the pullback of the loss", () => {
    const w = [0.4, -0.3];
    const x = [1, 2, -0.5];
    const { value, aux, pullback } = fitVjp(w, x);
    const [loss, plainAux] = fit(w, x);
    expect(value).toBe(loss);
    expect(aux).toEqual(plainAux);
    const [gw, gx] = pullback(2.5);
    expectClose(
      gw,
      (numericGradient(fitLoss, [w, x], 0) as number[]).map((g) => 2.5 * g),
      1e-6,
    );
    expectClose(
      gx,
      (numericGradient(fitLoss, [w, x], 1) as number[]).map((g) => 2.5 * g),
      1e-6,
    );
  });
});

describe("hasAux: refusals", () => {
  const header = `import { grad, valueAndGrad, vjp, jvp } from "tsgrad";\n`;

  it("a function that returns a number: TSG1016 at the function, saying to return a pair", () => {
    const { messages } = compileSource(
      `${header}function f(x: number): number { return x * x; }\nexport const g = grad(f as never as (x: number) => [number, number], { hasAux: true });\n`,
    );
    expect(messages.filter((m) => m.startsWith("TSG"))).toEqual([expect.stringMatching(/^TSG1016 3:23 .*pair \[loss, aux\]/)]);
  });

  it("a function returning an array literal without a tuple type: refused, with the annotation to write", () => {
    const { messages } = compileSource(
      `${header}function f(x: number) { return [x * x, x]; }\nexport const g = valueAndGrad(f as never as (x: number) => [number, number], { hasAux: true });\n`,
    );
    expect(messages.filter((m) => m.startsWith("TSG"))).toEqual([expect.stringMatching(/^TSG1016 3:31 .*pair \[loss, aux\].*as const/s)]);
  });

  it("a function whose unannotated pair TypeScript types as an array: TSG1016 naming the type, with the annotation to write", () => {
    const { messages } = compileSource(
      `${header}function f(x: number) { return [x * x, [x, 2]]; }\n// @ts-expect-error not a pair\nexport const g = grad(f, { hasAux: true });\n`,
    );
    expect(messages).toEqual([
      expect.stringMatching(
        /^TSG1016 4:23 .*typed as an array \(\(number \| number\[\]\)\[\]\)[^]*hint: return \[loss, aux\] with the return type annotated as \[number, A\]/,
      ),
    ]);
  });

  it("hasAux must be a literal", () => {
    const { messages } = compileSource(
      `${header}function f(x: number): [number, number] { return [x * x, x]; }\nconst yes = true as boolean;\nexport const g = grad(f, { hasAux: yes as true });\n`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1013 4:36 TSG1013: hasAux must be the literal true or false/)]);
  });

  it("inside a differentiated function: TSG1017", () => {
    const { messages } = compileSource(
      `${header}function f(x: number): [number, number] { return [x * x, x]; }\nfunction outer(x: number): number { return grad(f, { hasAux: true })(x).grad * x; }\nexport const g = grad(outer);\n`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1017 3:44 .*hasAux: true.*inside a differentiated function/)]);
  });

  it("a tensor made from data that cannot carry a derivative, reaching the loss, is still refused", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nimport { item, sum, rand, type Tensor } from "tsgrad/tensor";\nfunction f(x: number): [number, Tensor] {\n  const t = rand([2], x);\n  return [item(sum(t)) * x, t];\n}\nexport const g = grad(f, { hasAux: true });\n`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1009 4:3 .*makes a tensor from data/)]);
  });

  it("of a derivative: TSG1017", () => {
    const { messages } = compileSource(
      `${header}function f(x: number): number { return x * x * x; }\nexport const g = grad(grad(f) as never as (x: number) => [number, number], { hasAux: true });\n`,
    );
    expect(messages.filter((m) => m.startsWith("TSG"))).toEqual([expect.stringMatching(/^TSG1017 3:23 .*no \[loss, aux\] pair/)]);
  });
});
