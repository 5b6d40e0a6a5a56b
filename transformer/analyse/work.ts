/**
 * Counts of the work analyses do (statements visited), by analysis. Tests read them to check that
 * the work grows linearly with the size of the code on generated programs: a count, unlike a
 * time, does not depend on how busy the machine is. Nothing in the compiler reads them.
 */
const counts = new Map<string, number>();

export function countWork(analysis: string, statements = 1): void {
  counts.set(analysis, (counts.get(analysis) ?? 0) + statements);
}

/** The counts since the last reset, by analysis. */
export function workCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

export function resetWorkCounts(): void {
  counts.clear();
}
