/**
 * lstm: ADBench's LSTM (diagonal weight matrices) run over a text, one character (a vector of
 * bits) per step; the objective is the mean log-likelihood of each next character under the
 * prediction, negated, and `jacobian` is its gradient in the main and extra parameters.
 */
import { grad } from "tsgrad";
import { record, rows } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * `main` holds, per layer, the weights then the biases of the forget, input, output and change
 * gates (8b numbers); `extra` the input weights, output weights and output biases (3b); `state`
 * the hidden then the cell vector of each layer (2b per layer); `sequence` c characters of b bits.
 */
export function lstmObjective(main: Float64Array, extra: Float64Array, state: Float64Array, sequence: Float64Array, layers: number, b: number): number {
  const c = sequence.length / b;
  const s = state.slice(); // the state evolves; the caller's stays as it was
  // Work buffers, made once and overwritten at every step: the scaled character and the
  // prediction.
  const scaled = new Float64Array(b);
  const prediction = new Float64Array(b);
  let total = 0;
  for (let t = 0; t < c - 1; t++) {
    for (let i = 0; i < b; i++) scaled[i] = sequence[t * b + i]! * extra[i]!;
    for (let layer = 0; layer < layers; layer++) {
      const w = 8 * b * layer; // this layer's weights; its biases follow at w + 4b
      const h = 2 * b * layer; // this layer's hidden vector; its cell vector follows at h + b
      for (let i = 0; i < b; i++) {
        // The first layer reads the scaled character, the others the hidden vector below.
        const input = layer === 0 ? scaled[i]! : s[h - 2 * b + i]!;
        const forget = sigmoid(input * main[w + i]! + main[w + 4 * b + i]!);
        const ingate = sigmoid(s[h + i]! * main[w + b + i]! + main[w + 5 * b + i]!);
        const outgate = sigmoid(input * main[w + 2 * b + i]! + main[w + 6 * b + i]!);
        const change = Math.tanh(s[h + i]! * main[w + 3 * b + i]! + main[w + 7 * b + i]!);
        const cell = s[h + b + i]! * forget + ingate * change;
        s[h + b + i] = cell;
        s[h + i] = outgate * Math.tanh(cell);
      }
    }
    const top = 2 * b * (layers - 1);
    // ADBench's log-sum-exp adds 2 to the sum.
    let sum = 2;
    for (let i = 0; i < b; i++) {
      prediction[i] = s[top + i]! * extra[b + i]! + extra[2 * b + i]!;
      sum += Math.exp(prediction[i]!);
    }
    const lse = Math.log(sum);
    for (let i = 0; i < b; i++) total += sequence[(t + 1) * b + i]! * (prediction[i]! - lse);
  }
  return -total / ((c - 1) * b);
}

export const lstmGradient = grad(lstmObjective, { wrt: [0, 1] });

interface LstmInput {
  readonly main: Float64Array;
  readonly extra: Float64Array;
  readonly state: Float64Array;
  readonly sequence: Float64Array;
  readonly layers: number;
  readonly b: number;
}

function prepare(input: unknown): LstmInput {
  const r = record(input);
  const main = rows(r.main_params, "main_params");
  if (main.rows === 0 || main.rows % 2 !== 0 || main.cols % 4 !== 0) throw new Error("main_params must have 2l rows of 4b numbers");
  const layers = main.rows / 2;
  const b = main.cols / 4;
  const sequence = rows(r.sequence, "sequence", { cols: b });
  if (sequence.rows < 2) throw new Error("sequence must have at least 2 characters");
  return {
    main: main.data,
    extra: rows(r.extra_params, "extra_params", { rows: 3, cols: b }).data,
    state: rows(r.state, "state", { rows: 2 * layers, cols: b }).data,
    sequence: sequence.data,
    layers,
    b,
  };
}

export const lstm: EvalModule = {
  name: "lstm",
  functions: {
    objective: evalFunction({ prepare, compute: (p) => lstmObjective(p.main, p.extra, p.state, p.sequence, p.layers, p.b), answer: (y: number) => y }),
    jacobian: evalFunction({
      prepare,
      compute: (p) => lstmGradient(p.main, p.extra, p.state, p.sequence, p.layers, p.b),
      // The gradient of main_params row by row, then that of extra_params.
      answer: ([main, extra]) => [...main, ...extra],
    }),
  },
};
