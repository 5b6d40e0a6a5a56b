/**
 * What tsgrad's generated code keeps for its reverse sweep: the peak of the runtime's shared
 * stacks (numbers on `stack`, references such as tensors or arrays on `refStack`) during one call.
 * The stacks are observed from outside, by wrapping their push and pop for that one call; nothing
 * is observed while timing.
 */
import { refStack, stack } from "tsgrad/internal";
import type { MemoryUse } from "./types.js";

/** Bytes held by a value pushed on the reference stack (a tensor's data, an array's doubles). */
function bytesOf(v: unknown): number {
  if (v instanceof Float64Array) return v.byteLength;
  if (Array.isArray(v)) return 8 * v.length;
  if (typeof v === "object" && v !== null && "data" in v && (v as { data: unknown }).data instanceof Float64Array)
    return ((v as { data: Float64Array }).data).byteLength;
  return 8;
}

export function tsgradStackPeak(run: () => unknown): () => MemoryUse {
  return () => {
    let bytes = 0;
    let peak = 0;
    const numbers = stack as unknown as { push: (v: number) => void; pop: () => number };
    const refs = refStack as unknown as { push: (v: unknown) => void; pop: () => unknown };
    const pushNumber = numbers.push;
    const popNumber = numbers.pop;
    const pushRef = refs.push;
    const popRef = refs.pop;
    numbers.push = function (v: number) {
      bytes += 8;
      if (bytes > peak) peak = bytes;
      pushNumber.call(this, v);
    };
    numbers.pop = function () {
      bytes -= 8;
      return popNumber.call(this);
    };
    refs.push = function (v: unknown) {
      bytes += bytesOf(v);
      if (bytes > peak) peak = bytes;
      pushRef.call(this, v);
    };
    refs.pop = function () {
      const v = popRef.call(this);
      bytes -= bytesOf(v);
      return v;
    };
    try {
      run();
    } finally {
      // the prototype's methods come back
      delete (numbers as { push?: unknown }).push;
      delete (numbers as { pop?: unknown }).pop;
      delete (refs as { push?: unknown }).push;
      delete (refs as { pop?: unknown }).pop;
    }
    return { bytes: peak, what: "tsgrad reverse-sweep stack peak" };
  };
}
