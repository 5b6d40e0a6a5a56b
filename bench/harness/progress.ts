/**
 * The progress display: one line per finished step, and on a terminal a live line saying what is
 * running now (rewritten in place). Off a terminal (CI, the tests) only the finished lines print.
 */
export class Progress {
  private done = 0;
  private readonly live: boolean;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    this.live = out.isTTY === true;
  }

  private counter(): string {
    const width = String(this.total).length;
    return `[${String(this.done + 1).padStart(width)}/${this.total}]`;
  }

  /** Shows what starts now (on a terminal only). */
  start(what: string): void {
    if (this.live) this.out.write(`\r\x1b[K${this.counter()} ${what} ...`);
  }

  /** Prints a finished step. */
  finish(what: string, outcome: string): void {
    const line = `${this.counter()} ${what}: ${outcome}`;
    this.done++;
    this.out.write(this.live ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  /** A line outside the counted steps. */
  note(text: string): void {
    this.out.write(this.live ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}
