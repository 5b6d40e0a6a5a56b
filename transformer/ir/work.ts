/**
 * Counts of the work the compiler does over the IR: nodes the traversals visit (ir/visit.ts), and
 * statements each analysis of the reverse pass visits, by analysis. Compile time that grows faster
 * than the code shows up here as counts that do, whatever else the machine is doing, so the tests
 * of compile-time growth (compile-growth, reverse-work) count these instead of timing. Nothing in
 * the compiler reads them.
 */

/** Statements and expression nodes visited by the IR's traversals. */
export const traversalWork = { visits: 0 };

const counts = new Map<string, number>();

/** Counts statements an analysis visited. */
export function countWork(analysis: string, statements = 1): void {
  counts.set(analysis, (counts.get(analysis) ?? 0) + statements);
}

/** The analyses' counts since the last reset, by analysis. */
export function workCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

export function resetWorkCounts(): void {
  counts.clear();
}
