/**
 * The random source of the program generator: a recorded sequence of choices.
 *
 * Every decision the generator makes is one draw from this source, and every draw is recorded.
 * Replaying a recorded sequence gives the same program; replaying an edited one gives another
 * program that is still valid, because the generator, not the editor, decides what each draw
 * means. That is how failures shrink (shrink.ts): delete the draws of one statement or helper,
 * or make the draws of one expression all zero, and generate again. The generator is written so
 * that a zero draw is always the simplest choice (an atom, no more statements, the first
 * option), and a sequence that runs out reads as zeros.
 *
 * Spans mark the draws of one syntactic element (a helper, a statement, an expression), so the
 * shrinker edits whole elements rather than single numbers.
 */

/** Draws are unsigned 32-bit integers; a choice among n options scales one to [0, n). */
const RANGE = 2 ** 32;

export interface Span {
  readonly kind: string;
  /** Index of the first draw and one past the last, in the recorded sequence. */
  readonly start: number;
  readonly end: number;
  /** Nesting depth: 0 for top-level elements. */
  readonly depth: number;
  /** Whether deleting the span's draws removes exactly this element (an element of a list). */
  readonly deletable: boolean;
}

/** Replay one recorded span as all zeros (its simplest form), then carry on after it. */
export interface Minimize {
  readonly span: number;
  readonly resumeAt: number;
}

export class Choices {
  private pos = 0;
  /** What this run drew, in order: replaying it gives the same program. */
  readonly drawn: number[] = [];
  readonly spans: Span[] = [];
  private readonly open: { kind: string; start: number; depth: number; deletable: boolean; index: number }[] = [];
  private spanCount = 0;
  /** Depth of the minimized span while inside it (draws are zeros), else -1. */
  private zeroDepth = -1;

  /**
   * @param prefix draws to replay first
   * @param fresh where draws come from after the prefix (none: zeros)
   * @param minimize one span of the prefix's run to replay as zeros
   */
  constructor(
    private readonly prefix: readonly number[] = [],
    private readonly fresh?: () => number,
    private readonly minimize?: Minimize,
  ) {}

  /** A raw draw in [0, 2^32). */
  private raw(): number {
    let v: number;
    if (this.zeroDepth >= 0) v = 0;
    else if (this.pos < this.prefix.length) v = this.prefix[this.pos++]!;
    else {
      v = this.fresh ? this.fresh() : 0;
      this.pos++;
    }
    this.drawn.push(v);
    return v;
  }

  /** An integer in [0, n); 0 is the simplest option. */
  int(n: number): number {
    if (n <= 1) return 0;
    return Math.min(n - 1, Math.floor((this.raw() / RANGE) * n));
  }

  /** True with probability p; a zero draw is false. */
  flag(p: number): boolean {
    return this.raw() >= (1 - p) * RANGE;
  }

  /** One of the options; the first is the simplest. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** Runs `body` as one element; `deletable` when it is an element of a list drawn with `list`. */
  span<T>(kind: string, body: () => T, deletable = false): T {
    const index = this.spanCount++;
    const entry = { kind, start: this.drawn.length, depth: this.open.length, deletable, index };
    this.open.push(entry);
    const zeroHere = this.minimize?.span === index && this.zeroDepth < 0;
    if (zeroHere) this.zeroDepth = this.open.length;
    try {
      return body();
    } finally {
      if (zeroHere) {
        this.zeroDepth = -1;
        this.pos = this.minimize!.resumeAt;
      }
      this.open.pop();
      this.spans[index] = { kind, start: entry.start, end: this.drawn.length, depth: entry.depth, deletable };
    }
  }

  /**
   * Elements while a flag says "more" (a zero draw ends the list), between min and max of them.
   * Each element's span includes its flag, so deleting the span's draws removes that element
   * and leaves the others as they were.
   */
  list<T>(kind: string, min: number, max: number, pMore: number, element: (i: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < max; i++) {
      const item = this.span(
        kind,
        () => {
          const more = this.flag(pMore);
          if (i >= min && !more) return undefined;
          return { value: element(i) };
        },
        true,
      );
      if (!item) break;
      out.push(item.value);
    }
    return out;
  }
}

/** mulberry32, the runtime's seeded generator of 32-bit draws (shared with `rand` and `randn`). */
export { uint32Stream } from "../../../runtime/tensor/random.js";
