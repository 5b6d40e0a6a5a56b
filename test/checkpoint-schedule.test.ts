/**
 * The binomial checkpointing schedule (runtime/internal/checkpoints.ts), on its own: replayed
 * against a model of the loop that checks every action is legal (a restore reads a snapshot of
 * the state it claims, a taped step runs from the right state, steps are reversed last to first
 * exactly once, never more than c snapshots held), and counted against Griewank's formula for
 * the fewest forward steps, t(n, c) = r n - binom(c + r, c + 1), computed here independently.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Checkpoints, DONE, RESTORE, RevolveSchedule, STEP, STORE } from "../runtime/internal/checkpoints.js";

function binom(a: number, b: number): number {
  if (b < 0 || b > a) return 0;
  let x = 1;
  for (let i = 1; i <= b; i++) x = (x * (a - b + i)) / i;
  return Math.round(x);
}

/** Griewank and Walther's minimal number of advanced steps. */
function optimalSteps(n: number, c: number): number {
  if (n <= 1) return 0;
  let r = 0;
  while (binom(c + r, c) < n) r++;
  return r * n - binom(c + r, c + 1);
}

/** The fewest advances by dynamic programming over all split points (small n only). */
function bruteForce(n: number, c: number, memo = new Map<string, number>()): number {
  if (n <= 1) return 0;
  if (c === 1) return (n * (n - 1)) / 2;
  const key = `${n},${c}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  let best = Infinity;
  for (let m = 1; m < n; m++) best = Math.min(best, m + bruteForce(n - m, c - 1, memo) + bruteForce(m, c, memo));
  memo.set(key, best);
  return best;
}

interface Replay {
  advanced: number;
  taped: number;
  maxSnapshots: number;
}

/** Runs the schedule on a model loop whose state is its step number, checking each action. */
function replay(n: number, c: number): Replay {
  const s = new RevolveSchedule(n, c);
  const slots = new Map<number, number>();
  let state = 0;
  let valid = true;
  let nextToReverse = n - 1;
  let taped = 0;
  let maxSnapshots = 0;
  for (let a = s.next(); a !== DONE; a = s.next()) {
    if (a > 0) {
      expect(valid).toBe(true);
      state += a;
      expect(state).toBeLessThan(n);
    } else if (a === STORE) {
      expect(valid).toBe(true);
      expect(s.slot).toBeGreaterThanOrEqual(0);
      expect(s.slot).toBeLessThan(c);
      slots.set(s.slot, state);
      // slots are a stack: storing into slot k forgets every slot above it
      for (const k of [...slots.keys()]) if (k > s.slot) slots.delete(k);
      maxSnapshots = Math.max(maxSnapshots, slots.size);
    } else if (a === RESTORE) {
      expect(slots.has(s.slot)).toBe(true);
      state = slots.get(s.slot)!;
      valid = true;
    } else if (a === STEP) {
      expect(valid).toBe(true);
      expect(state).toBe(nextToReverse);
      nextToReverse--;
      taped++;
      valid = false;
    } else throw new Error(`unknown action ${a}`);
  }
  expect(nextToReverse).toBe(-1);
  expect(s.advanced).toBeGreaterThanOrEqual(0);
  return { advanced: s.advanced, taped, maxSnapshots };
}

describe("binomial checkpointing schedule", () => {
  it("the closed form is the dynamic programme's optimum", () => {
    for (let n = 1; n <= 40; n++) for (let c = 1; c <= 6; c++) expect(optimalSteps(n, c)).toBe(bruteForce(n, c));
  });

  it("reverses every step once, from the right state, with the fewest advances", () => {
    for (const [n, c] of [
      [0, 1],
      [1, 1],
      [1, 5],
      [2, 1],
      [5, 1],
      [10, 2],
      [10, 3],
      [10, 10],
      [10, 50],
      [100, 4],
      [1000, 10],
      [10000, 3],
    ] as const) {
      const r = replay(n, c);
      expect(r.taped).toBe(n);
      expect(r.advanced).toBe(optimalSteps(n, c));
      expect(r.maxSnapshots).toBeLessThanOrEqual(c);
    }
  });

  it("c >= n advances each step once at most; c = 1 recomputes from the start each time", () => {
    expect(replay(20, 20).advanced).toBe(19);
    expect(replay(20, 1).advanced).toBe((20 * 19) / 2);
  });

  it("random (n, c): optimal and legal", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 1, max: 60 }), (n, c) => {
        const r = replay(n, c);
        expect(r.taped).toBe(n);
        expect(r.advanced).toBe(optimalSteps(n, c));
        expect(r.maxSnapshots).toBeLessThanOrEqual(Math.min(c, Math.max(n, 1)));
      }),
      { numRuns: 100 },
    );
  });

  it("a million steps with 100 snapshots: r = 4", () => {
    const s = new RevolveSchedule(1_000_000, 100);
    let taped = 0;
    for (let a = s.next(); a !== DONE; a = s.next()) if (a === STEP) taped++;
    expect(taped).toBe(1_000_000);
    expect(s.advanced).toBe(optimalSteps(1_000_000, 100));
    expect(s.advanced / 1_000_000).toBeLessThan(4);
  });

  it("bad budgets and trip counts are clear errors", () => {
    expect(() => new RevolveSchedule(10, 0)).toThrow(/snapshots must be a whole number >= 1, got 0/);
    expect(() => new RevolveSchedule(-1, 3)).toThrow(/trip count must be a whole number >= 0, got -1/);
    expect(() => new RevolveSchedule(2.5, 3)).toThrow(/trip count/);
  });
});

describe("the driver generated code calls", () => {
  /**
   * Runs a model loop x_{k+1} = x_k * 2 + k through forward() and reverse(), as generated code
   * does, with the schedule over stretches of `stretch` iterations.
   */
  function drive(n: number, c: number, stretch = 1): { final: number; reversed: number[]; lengths: number[]; advanced: number } {
    const ck = new Checkpoints(c, 2, 1, stretch);
    let x = 1;
    let k = 0;
    const arr = [0];
    const step = () => {
      x = x * 2 + k;
      arr[0] = x;
      k++;
    };
    const save = () => {
      ck.save(0, x);
      ck.save(1, k);
      ck.saveArray(0, arr);
    };
    const restore = () => {
      x = ck.restore(0);
      k = ck.restore(1);
      ck.restoreArray(0, arr);
    };
    let advanced = 0;
    for (let a = ck.start(n); a !== DONE; a = ck.forward()) {
      if (a > 0) for (let t = 0; t < a; t++, advanced++) step();
      else if (a === STORE) save();
      else throw new Error(`forward sweep got ${a}`);
    }
    const final = x;
    expect(arr[0]).toBe(n === 0 ? 0 : x);
    const reversed: number[] = [];
    const lengths: number[] = [];
    for (let a = ck.reverse(); a !== DONE; a = ck.reverse()) {
      if (a > 0) for (let t = 0; t < a; t++, advanced++) step();
      else if (a === STORE) save();
      else if (a === RESTORE) restore();
      else {
        expect(a).toBe(STEP);
        // the taped stretch sees the state before its first step k
        reversed.push(k);
        lengths.push(ck.stepLength);
        expect(x).toBe(model(k));
        for (let t = 0; t < ck.stepLength; t++) step();
      }
    }
    return { final, reversed, lengths, advanced };
  }
  const model = (k: number) => {
    let x = 1;
    for (let j = 0; j < k; j++) x = x * 2 + j;
    return x;
  };
  const CASES = [
    [0, 3],
    [1, 1],
    [1, 4],
    [2, 1],
    [7, 1],
    [7, 2],
    [7, 7],
    [7, 30],
    [30, 3],
  ] as const;

  it("runs the loop to its end forward, then reverses every step from its own state", () => {
    for (const [n, c] of CASES) {
      const { final, reversed, lengths, advanced } = drive(n, c);
      expect(final).toBe(model(n));
      expect(reversed).toEqual(Array.from({ length: n }, (_, i) => n - 1 - i));
      expect(lengths.every((l) => l === 1)).toBe(true);
      // the schedule's advances, and the one plain run of the last step in the forward sweep
      expect(advanced).toBe(optimalSteps(n, c) + (n > 0 ? 1 : 0));
    }
  });

  it("over stretches: every stretch reversed once, last to first, from its own state; the schedule counts stretches", () => {
    for (const stretch of [2, 3, 8])
      for (const [n0, c] of CASES)
        for (const n of [n0, n0 * stretch, n0 * stretch + 1]) {
          const { final, reversed, lengths, advanced } = drive(n, c, stretch);
          expect(final).toBe(model(n));
          const units = Math.ceil(n / stretch);
          const last = n - (units - 1) * stretch;
          // stretch starts, last to first, and their lengths: whole stretches but the last
          expect(reversed).toEqual(Array.from({ length: units }, (_, i) => (units - 1 - i) * stretch));
          expect(lengths).toEqual(Array.from({ length: units }, (_, i) => (i === 0 ? last : stretch)));
          expect(advanced).toBe(optimalSteps(units, c) * stretch + (n > 0 ? last : 0));
        }
  });
});
