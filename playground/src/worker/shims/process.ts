/**
 * The one thing the transformer reads of Node's `process` while compiling: the working directory,
 * which its generated comments name files relative to. The worker's files live under "/", so
 * `(playground.ts:3)` points at the editor's module. Nothing here looks like Node to TypeScript
 * (it checks `process.nextTick`), so it keeps its browser system.
 */
const scope = globalThis as { process?: unknown };
scope.process ??= { cwd: () => "/", env: {} };

export {};
