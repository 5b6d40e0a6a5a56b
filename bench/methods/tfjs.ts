/**
 * TensorFlow.js, as a user runs it in Node without native code: the umbrella package
 * `@tensorflow/tfjs` (under Node ESM, `tfjs-core` alone registers no gradients) on its
 * pure-JavaScript "cpu" backend, which computes in float32.
 *
 * Every timed TF.js call runs inside `tf.tidy` and ends by reading the result with `dataSync()`:
 * a user needs the numbers in JavaScript, and the backend may defer work until they are read.
 */
import type { MemoryUse, Peers } from "../harness/types.js";
import { concat } from "../harness/arrays.js";

type Tf = Peers["tf"];
type TfTensor = import("@tensorflow/tfjs").Tensor;

let loaded: Promise<Tf> | undefined;

/** Loads TF.js once, on the cpu backend, without its "install tfjs-node" banner. */
export function loadTf(): Promise<Tf> {
  loaded ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    await tf.setBackend("cpu");
    await tf.ready();
    // The cpu backend prints an advertisement for the native backend on its first write.
    const warn = console.warn;
    console.warn = () => {};
    try {
      tf.tidy(() => tf.scalar(0).dataSync());
    } finally {
      console.warn = warn;
    }
    return tf;
  })();
  return loaded;
}

/** Float32 data of tensors, concatenated into one float64 array (for the agreement check). */
export function flatten(parts: readonly (Float32Array | Float64Array | Int32Array | Uint8Array)[]): Float64Array {
  return concat(parts);
}

/**
 * Runs `compute` in tf.tidy and reads every tensor it returns with dataSync: the timed unit of a
 * TF.js method. Returns the data, in order.
 */
export function tidyRead(tf: Tf, compute: () => TfTensor | readonly TfTensor[]): Float32Array[] {
  return tf.tidy(() => {
    const out = compute();
    const list = Array.isArray(out) ? (out as readonly TfTensor[]) : [out as TfTensor];
    return list.map((t) => t.dataSync() as Float32Array);
  });
}

/**
 * Peak bytes of tensors alive during one call, above what was alive before it (TF.js's own
 * accounting, `tf.profile`): the tape's saved intermediates and the gradients.
 */
export function tfPeakBytes(tf: Tf, run: () => unknown): () => Promise<MemoryUse> {
  return async () => {
    const before = tf.memory().numBytes;
    const info = await tf.profile(() => {
      run();
    });
    return { bytes: Math.max(0, info.peakBytes - before), what: "TF.js peak tensor bytes" };
  };
}

/** Throws if calling `run` leaves tensors behind (a leak would slow every later measurement). */
export function assertNoLeak(tf: Tf, label: string, run: () => unknown): void {
  const before = tf.memory().numTensors;
  run();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${label}: leaves ${after - before} TF.js tensors behind per call`);
}
