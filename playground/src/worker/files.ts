/**
 * The worker's file system: every file a Program reads, by absolute path. The lib files and
 * tsgrad's declarations are put here by the build (see vite.config.ts); the user's module is
 * `/playground.ts`, so generated comments say `(playground.ts:3)`.
 */
import libs from "virtual:typescript-libs";
import declarations from "virtual:tsgrad-declarations";

export const ENTRY = "/playground.ts";

/** Globals the playground's module may use beyond ES2022: `console`, whose output goes to the page's console. */
export const GLOBALS = "/playground-globals.d.ts";
const globals = `declare var console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  table(data: unknown): void;
};
`;

export const files: ReadonlyMap<string, string> = new Map([...Object.entries(libs), ...Object.entries(declarations), [GLOBALS, globals]]);
