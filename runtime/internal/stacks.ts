/**
 * Stacks for the reverse sweep. Generated code pushes a value only where the forward sweep
 * overwrites something the reverse sweep needs (one push per overwrite, never per operation),
 * and pops it back in the mirrored place. Storage grows geometrically, so pushes are amortised
 * O(1) and allocation-free in the steady state.
 */

/** Numbers (and booleans, as 0/1) in a growable Float64Array. */
export class F64Stack {
  private data = new Float64Array(64);
  private top = 0;
  private high = 0;

  push(value: number): void {
    if (this.top === this.data.length) this.grow();
    this.data[this.top++] = value;
    if (this.top > this.high) this.high = this.top;
  }

  pop(): number {
    return this.data[--this.top]!;
  }

  pushBool(value: boolean): void {
    this.push(value ? 1 : 0);
  }

  popBool(): boolean {
    return this.pop() !== 0;
  }

  /** Number of values held. */
  get size(): number {
    return this.top;
  }

  /** The most values held at once since `resetPeak` (memory reports and tests count entries). */
  get peak(): number {
    return this.high;
  }

  resetPeak(): void {
    this.high = this.top;
  }

  /** Capacity in values (for memory reports). */
  get capacity(): number {
    return this.data.length;
  }

  private grow(): void {
    const bigger = new Float64Array(this.data.length * 2);
    bigger.set(this.data);
    this.data = bigger;
  }
}

/** References (arrays allocated inside loops) in a plain array. */
export class RefStack<T> {
  private readonly data: T[] = [];

  push(value: T): void {
    this.data.push(value);
  }

  /**
   * The value pushed last. Generated TypeScript assigns it back to the variable it was saved
   * from (`t = refStack.pop()`): that variable's type, inferred from the assignment, is the
   * value's.
   */
  pop<U extends T = T>(): U {
    return this.data.pop()! as U;
  }

  get size(): number {
    return this.data.length;
  }
}

/**
 * The stacks generated code uses. One of each is enough: every generated function pops exactly
 * what it pushed, in mirrored order, before it returns, so nested and recursive calls share them
 * without interference, and no call allocates a stack of its own.
 */
export const stack = new F64Stack();
export const refStack = new RefStack<unknown>();

/**
 * How many values the shared stacks may hold before a recursive call stops saving its forward
 * sweep there (split mode: `h_forward`, then `h_reverse`) and recomputes it in its pullback
 * instead (joint mode). Split mode saves a value or more per call of the recursion, so its memory
 * grows with the recursion's whole tree; joint mode only with its depth, at the price of
 * recomputing each level below it. 2^24 values (128 MiB of numbers) by default.
 */
export const DEFAULT_TAPE_BUDGET = 1 << 24;
let tapeBudget = DEFAULT_TAPE_BUDGET;

/** Sets the budget of roomOnTape (a number of values); returns the previous one. */
export function setTapeBudget(values: number): number {
  const previous = tapeBudget;
  tapeBudget = values;
  return previous;
}

/** Whether a recursive call may save its forward sweep on the shared stacks: they hold fewer values than the budget. */
export function roomOnTape(): boolean {
  return stack.size + refStack.size < tapeBudget;
}
