/**
 * jax-js: a JAX-style tracing AD whose jit compiles the traced program to WebAssembly (its "wasm"
 * device; the default). Its 0.1.x releases construct `Float16Array`s, which Node 20 does not have:
 * the shim below stands in for the type so the library loads. It belongs to this benchmark only;
 * nothing here computes in float16, and constructing one throws.
 *
 * jax-js arrays are reference counted: a function takes ownership of its arguments, so inputs kept
 * across calls are passed as `x.ref`. Results are read with `dataSync()` (the timed unit ends there).
 * Inputs are float64, like tsgrad's.
 */
import type { Peers } from "../harness/types.js";
import { concat } from "../harness/arrays.js";

type Jax = Peers["jax"];
export type JaxArray = import("@jax-js/jax").Array;

function installFloat16Shim(): void {
  const g = globalThis as { Float16Array?: unknown };
  if (g.Float16Array !== undefined) return;
  g.Float16Array = class Float16ArrayUnavailable {
    constructor() {
      throw new Error("Float16Array is not available on this Node version (the benchmark's shim only lets jax-js load)");
    }
  };
}

let loaded: Promise<Jax> | undefined;

/** Loads jax-js once and starts its WebAssembly backend. */
export function loadJax(): Promise<Jax> {
  loaded ??= (async () => {
    installFloat16Shim();
    const jax = await import("@jax-js/jax");
    const devices = await jax.init("wasm");
    if (!devices.includes("wasm")) throw new Error(`jax-js: the wasm backend did not start (got ${devices.join(", ")})`);
    jax.defaultDevice("wasm");
    return jax;
  })();
  return loaded;
}

/** A float64 jax-js array with a shape. */
export function array(jax: Jax, data: Float64Array, shape: readonly number[]): JaxArray {
  return jax.numpy.array(data, { dtype: jax.numpy.float64 }).reshape([...shape]);
}

/** Reads arrays into one float64 array, disposing them (they are results the caller owns). */
export function readAll(arrays: readonly JaxArray[]): Float64Array {
  return concat(arrays.map((a) => a.dataSync() as unknown as ArrayLike<number>));
}
