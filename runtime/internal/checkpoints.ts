/**
 * Binomial checkpointing (Griewank's revolve) for the reverse sweep of long loops.
 *
 * A loop of n steps whose reverse sweep would save what every step overwrites (memory growing
 * with n) is reversed instead from at most c snapshots of its loop-carried state: forward
 * segments are recomputed from a snapshot, and only a short stretch of steps at a time is taped.
 * With c snapshots and r the least integer with binom(c + r, c) >= n, the optimal schedule
 * advances r * n - binom(c + r, c + 1) steps in all (Griewank and Walther, ACM TOMS 26(1), 2000);
 * the schedule below attains it (test/checkpoint-schedule.test.ts checks it against that formula).
 *
 * The schedule's unit is a stretch of `stretch` iterations (the last one may be shorter): it is
 * stored, restored, advanced and reversed whole, and a stretch is reversed with the plain sweep
 * (taped forward, then reversed, the stack holding that stretch alone). Deciding an action costs
 * a few hundred nanoseconds, more than one step of a small loop body; per stretch it is paid once
 * for `stretch` iterations. Memory: c + 1 snapshots of the state, and the tape of one stretch.
 *
 * Generated code drives it (passes/reverse/checkpoint.ts): the forward sweep starts a run with
 * the trip count (`start`) and asks `forward()` for actions until the loop has run, the reverse
 * sweep asks `reverse()` until it is done. An action is a number:
 *   k > 0   advance k iterations (the primal body, nothing saved)
 *   STORE   copy the loop-carried state into snapshot `slot`
 *   RESTORE copy snapshot `slot` back into the state
 *   STEP    run `stepLength` iterations taped, and reverse them
 *   DONE    0, the sweep's part of the loop is done
 * Generated code names them by the fields of the same names on the Checkpoints object.
 */

/** The sweep's part of the loop is done. */
export const DONE = 0;
/** Copy the loop-carried state into snapshot `slot`. */
export const STORE = -1;
/** Copy snapshot `slot` back into the loop-carried state. */
export const RESTORE = -2;
/** Run a stretch of `stepLength` iterations taped from the current state, then reverse it. */
export const STEP = -3;

/** Iterations per unit of the schedule unless set otherwise (see the module comment). */
export const DEFAULT_STRETCH = 64;
let stretchLength = DEFAULT_STRETCH;

/**
 * Sets the iterations per unit of the schedule for checkpointed loops started from now on, and
 * returns the previous setting. 1 is the classic schedule (one iteration taped at a time, the
 * least memory, the most bookkeeping); for tests and measurements.
 */
export function setCheckpointStretch(iterations: number): number {
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new RangeError(`checkpointing: the stretch must be a whole number of iterations >= 1, got ${iterations}`);
  const previous = stretchLength;
  stretchLength = iterations;
  return previous;
}

/**
 * binom(c + r, c), the number of steps c snapshots reverse with r recomputations each; computed
 * over the smaller of c and r (the schedule asks it for every split, and c may be 1000).
 */
function beta(c: number, r: number): number {
  if (r < 0 || c < 0) return 0;
  const k = Math.min(c, r);
  let b = 1;
  for (let i = 1; i <= k; i++) b = (b * (c + r - k + i)) / i;
  return Math.round(b);
}

/** The least r with beta(c, r) >= n (n >= 1, c >= 1), by beta(c, r + 1) = beta(c, r) (c + r + 1) / (r + 1). */
function repetitions(n: number, c: number): number {
  let r = 0;
  for (let b = 1; b < n; r++) b = Math.round((b * (c + r + 1)) / (r + 1));
  return r;
}

/**
 * The fewest primal steps advanced (taped steps not counted) to reverse n steps with c snapshots,
 * the first holding the initial state: r * n - binom(c + r, c + 1).
 */
export function binomialSteps(n: number, c: number): number {
  if (n <= 1) return 0;
  const r = repetitions(n, c);
  return r * n - beta(c + 1, r - 1);
}

/**
 * The optimal schedule as a state machine: O(c) memory, one action per `next()`. Frames are the
 * pending reversals: frame k reverses steps [from[k], to[k]) with the state at from[k] in
 * snapshot k and snaps[k] snapshots (its own included). Snapshot slots therefore follow the
 * frames: a frame's slot is freed when it is done.
 */
export class RevolveSchedule {
  /** Steps advanced so far (for tests and reports). */
  advanced = 0;
  /** The snapshot slot of the last STORE or RESTORE. */
  slot = 0;
  /** The step of the current state: -1 after a STEP (the taped step changed it). */
  position = 0;
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private readonly snaps: Int32Array;
  private depth: number;
  /** An action decided together with the previous one (a STORE after an advance). */
  private pending = DONE;

  constructor(
    readonly steps: number,
    readonly snapshots: number,
  ) {
    if (!Number.isInteger(steps) || steps < 0)
      throw new RangeError(`checkpointing: the trip count must be a whole number >= 0, got ${steps}`);
    if (!Number.isInteger(snapshots) || snapshots < 1)
      throw new RangeError(`checkpointing: the number of snapshots must be a whole number >= 1, got ${snapshots}`);
    this.from = new Int32Array(snapshots);
    this.to = new Int32Array(snapshots);
    this.snaps = new Int32Array(snapshots);
    this.depth = steps > 0 ? 1 : 0;
    this.to[0] = steps;
    this.snaps[0] = snapshots;
    // the initial state goes into slot 0 first
    if (steps > 0) this.pending = STORE;
  }

  /** The next action (see the module comment). */
  next(): number {
    if (this.pending !== DONE) {
      const a = this.pending;
      this.pending = DONE;
      if (a === STORE) this.slot = this.depth - 1;
      return a;
    }
    while (this.depth > 0) {
      const k = this.depth - 1;
      const from = this.from[k]!;
      const to = this.to[k]!;
      if (from >= to) {
        this.depth--;
        continue;
      }
      const length = to - from;
      const c = this.snaps[k]!;
      if (length === 1 || c === 1) {
        // the last step of the range: advance to it from its start, tape it and reverse it
        const target = to - 1;
        if (this.position === target) {
          this.to[k] = target;
          this.position = -1;
          return STEP;
        }
        if (this.position < from || this.position > target) return this.restore(k, from);
        return this.advance(target - this.position);
      }
      if (this.position !== from) return this.restore(k, from);
      const mid = from + this.split(length, c);
      // reverse [mid, to) with one snapshot fewer (taken at mid), then [from, mid) with these
      this.to[k] = mid;
      this.from[k + 1] = mid;
      this.to[k + 1] = to;
      this.snaps[k + 1] = c - 1;
      this.depth++;
      this.pending = STORE;
      return this.advance(mid - from);
    }
    return DONE;
  }

  private restore(k: number, from: number): number {
    this.slot = k;
    this.position = from;
    return RESTORE;
  }

  private advance(count: number): number {
    this.advanced += count;
    this.position += count;
    return count;
  }

  /**
   * Where to take the next snapshot in a range of `length` steps with `c` snapshots: the right
   * part, reversed with c - 1 snapshots, and the left one, whose steps were just advanced once,
   * each within the counts the optimum allows (beta(c - 1, r) and beta(c, r - 1) steps), and
   * neither so short that it would use fewer recomputations than the optimum assigns it.
   */
  private split(length: number, c: number): number {
    const r = repetitions(length, c);
    const upper = Math.min(beta(c, r - 1), length - beta(c - 1, r - 1));
    return Math.max(1, upper);
  }
}

/** Total bytes of snapshots held by checkpointed loops since the last reset (for reports). */
let snapshotBytes = 0;
let snapshotBytesPeak = 0;

/** The most bytes of snapshots held at once since `resetCheckpointMemory`. */
export function checkpointMemoryPeak(): number {
  return snapshotBytesPeak;
}

export function resetCheckpointMemory(): void {
  snapshotBytesPeak = snapshotBytes;
}

/**
 * The snapshots of one run of a checkpointed loop and the schedule that uses them: `snapshots`
 * slots for the schedule and one more for the state before the last stretch (the forward sweep
 * runs the loop through to the end, so the reverse sweep starts by taping that stretch from it).
 * The schedule counts stretches of `stretch` iterations; actions given out count iterations.
 */
export class Checkpoints {
  // the action codes, for generated code to compare with by name (`action === checkpoints.STEP`)
  readonly DONE = DONE;
  readonly STORE = STORE;
  readonly RESTORE = RESTORE;
  readonly STEP = STEP;
  /** Iterations the last STEP tapes and reverses. */
  stepLength = 0;
  private schedule = new RevolveSchedule(0, 1);
  /** Iterations in the last stretch of this run (the others have `stretch`). */
  private lastLength = 0;
  private scalars = new Float64Array(0);
  private arrays: (Float64Array | null)[] = [];
  /** The slot after the schedule's: the state before the last step. */
  private last = 0;
  private phase: "forward" | "lastStep" | "ran" | "restoreLast" | "reverse" | "done" = "done";
  private bytes = 0;
  /** The slot stores and restores use now. */
  slot = 0;

  constructor(
    readonly snapshots: number,
    private readonly scalarCount: number,
    private readonly arrayCount: number,
    private readonly stretch = 1,
  ) {}

  /** A run of the loop of `steps` iterations begins: its first forward-sweep action. */
  start(steps: number): number {
    this.release();
    if (!Number.isInteger(steps) || steps < 0)
      throw new RangeError(`checkpointing: the trip count must be a whole number >= 0, got ${steps}`);
    const units = Math.ceil(steps / this.stretch);
    this.schedule = new RevolveSchedule(units, this.snapshots);
    this.lastLength = steps - (units - 1) * this.stretch;
    this.last = Math.min(this.snapshots, Math.max(units, 1));
    this.scalars = new Float64Array((this.last + 1) * this.scalarCount);
    this.arrays = new Array<Float64Array | null>((this.last + 1) * this.arrayCount).fill(null);
    this.hold(this.scalars.byteLength);
    this.phase = "forward";
    return this.forward();
  }

  /** Stretches the schedule has advanced in this run (taped ones not counted). */
  get advanced(): number {
    return this.schedule.advanced;
  }

  /** Forward sweep: advances and stores until the loop has run to its end; then DONE. */
  forward(): number {
    switch (this.phase) {
      case "forward": {
        const a = this.schedule.steps === 0 ? DONE : this.schedule.next();
        if (a === DONE) {
          this.phase = "ran";
          return DONE;
        }
        if (a > 0) return a * this.stretch;
        if (a !== STEP) {
          if (a === STORE) this.slot = this.schedule.slot;
          return a;
        }
        // the schedule wants the last stretch taped: keep the state before it, then run it plainly
        this.phase = "lastStep";
        this.slot = this.last;
        return STORE;
      }
      case "lastStep":
        this.phase = "ran";
        return this.lastLength;
      default:
        return DONE;
    }
  }

  /** Reverse sweep: restores, advances, stores and taped steps until every step is reversed. */
  reverse(): number {
    switch (this.phase) {
      case "ran":
        if (this.schedule.steps === 0) break;
        this.phase = "restoreLast";
        this.slot = this.last;
        return RESTORE;
      case "restoreLast":
        this.phase = "reverse";
        this.stepLength = this.lastLength;
        return STEP;
      case "reverse": {
        // every stretch but the last, reversed first, is a whole one
        const a = this.schedule.next();
        if (a > 0) return a * this.stretch;
        if (a === STORE || a === RESTORE) this.slot = this.schedule.slot;
        else if (a === STEP) this.stepLength = this.stretch;
        if (a !== DONE) return a;
        break;
      }
      default:
        break;
    }
    this.phase = "done";
    this.release();
    return DONE;
  }

  save(j: number, value: number | boolean): void {
    this.scalars[this.slot * this.scalarCount + j] = +value;
  }

  restore(j: number): number {
    return this.scalars[this.slot * this.scalarCount + j]!;
  }

  saveArray(j: number, a: ArrayLike<number>): void {
    const at = this.slot * this.arrayCount + j;
    let copy = this.arrays[at];
    if (!copy || copy.length !== a.length) {
      if (copy) this.hold(-copy.byteLength);
      copy = new Float64Array(a.length);
      this.arrays[at] = copy;
      this.hold(copy.byteLength);
    }
    for (let i = 0; i < a.length; i++) copy[i] = a[i]!;
  }

  restoreArray(j: number, a: { length: number; [i: number]: number }): void {
    const copy = this.arrays[this.slot * this.arrayCount + j]!;
    for (let i = 0; i < copy.length; i++) a[i] = copy[i]!;
  }

  private hold(bytes: number): void {
    this.bytes += bytes;
    snapshotBytes += bytes;
    if (snapshotBytes > snapshotBytesPeak) snapshotBytesPeak = snapshotBytes;
  }

  private release(): void {
    snapshotBytes -= this.bytes;
    this.bytes = 0;
  }
}

// What generated code calls: plain functions, so that emit calls them like the other helpers.

/**
 * The snapshots and schedule of a checkpointed loop: `snapshots` states of so many numbers and
 * arrays, the schedule over stretches of the current setting (`setCheckpointStretch`).
 */
export function checkpoints(snapshots: number, scalarCount: number, arrayCount: number): Checkpoints {
  return new Checkpoints(snapshots, scalarCount, arrayCount, stretchLength);
}

export function checkpointStart(ck: Checkpoints, steps: number): number {
  return ck.start(steps);
}

export function checkpointForward(ck: Checkpoints): number {
  return ck.forward();
}

export function checkpointReverse(ck: Checkpoints): number {
  return ck.reverse();
}

/** Iterations of the stretch the last STEP asked to tape and reverse. */
export function checkpointStepLength(ck: Checkpoints): number {
  return ck.stepLength;
}

export function checkpointSave(ck: Checkpoints, j: number, value: number | boolean): void {
  ck.save(j, value);
}

export function checkpointRestore(ck: Checkpoints, j: number): number {
  return ck.restore(j);
}

export function checkpointRestoreBool(ck: Checkpoints, j: number): boolean {
  return ck.restore(j) !== 0;
}

export function checkpointSaveArray(ck: Checkpoints, j: number, a: ArrayLike<number>): void {
  ck.saveArray(j, a);
}

export function checkpointRestoreArray(ck: Checkpoints, j: number, a: { length: number; [i: number]: number }): void {
  ck.restoreArray(j, a);
}
