/**
 * Setup file of mutation runs (vitest.mutate.config.ts), in the worker:
 *   - records the ids of the file's tests, written as Stryker writes them, so that the main
 *     process can give each test the mutants reached while compiling its file
 *     (test/mutation/host.ts);
 *   - a property that fails reports at once: shrinking a counterexample (minutes, with a wrong
 *     rule) tells Stryker nothing more than the failure does.
 */
import fc from "fast-check";
import { afterAll } from "vitest";

fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });

interface Named {
  readonly name: string;
  readonly suite?: Named;
}
interface TaskLike extends Named {
  readonly type: string;
  readonly tasks?: readonly TaskLike[];
  readonly file?: { readonly filepath: string };
}

/** Stryker's vitest runner's test id: `<file>#<suite names and test name>`. */
function rawTestId(test: TaskLike): string {
  const parts = [test.name];
  for (let s = test.suite; s; s = s.suite) parts.unshift(s.name);
  return `${test.file?.filepath ?? "unknown.js"}#${parts.join(" ").trim()}`;
}

function testsOf(task: TaskLike): TaskLike[] {
  return task.type === "test" ? [task] : (task.tasks ?? []).flatMap(testsOf);
}

// Vitest asks for a destructuring pattern as the hook's first parameter
// eslint-disable-next-line no-empty-pattern
afterAll(({}, suite) => {
  const file = suite as unknown as TaskLike & { meta: Record<string, unknown> };
  file.meta.tsgradTestIds = testsOf(file).map(rawTestId);
});
