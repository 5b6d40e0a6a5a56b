/**
 * The TypeScript compiler instance the transformer works with.
 *
 * The transformer must use its host's `typescript` module, not a second copy: two copies disagree
 * on syntax kinds, type flags and symbols (a 5.9 program read with 6.0's enums refuses every
 * `number` parameter). So no module of the transformer imports `typescript` at run time; they
 * import `ts` from here, and each entry point sets it before the transformer runs:
 *
 * - ts-patch hands its plugin the compiler it runs (`extras.ts`, transformer/index.ts);
 * - the language-service plugin gets tsserver's (`modules.typescript`);
 * - the bundler plugins, the Node loader and the CLI pass tsgrad's own copy (a dependency that is
 *   always a JavaScript-API compiler, even in a project whose own TypeScript is 7).
 *
 * `ts` is a live binding: modules read it when they run, never when they load. Lookup tables keyed
 * by syntax kinds are built per instance with `perCompiler`. Until an entry point sets one (a test
 * importing a module directly), the first use loads tsgrad's own copy.
 *
 * For type checking, the global declaration below makes `ts.Node` and friends name the types of
 * the `typescript` package in every module of the transformer (the import is erased: nothing
 * here loads it). The value `ts` must still be imported from this module.
 */
import { createRequire } from "node:module";
import typescript from "typescript";

declare global {
  // the types of the `typescript` package under the name `ts` (the value is the binding below)
  export import ts = typescript;
}

type Compiler = typeof typescript;

/** The instance in use: a stand-in that loads tsgrad's own copy on first use until one is set. */
export let ts: Compiler = new Proxy({} as Compiler, {
  get(_target, key) {
    if (ts === fallback) ts = ownCompiler();
    return (ts as unknown as Record<PropertyKey, unknown>)[key];
  },
});
const fallback = ts;

let own: Compiler | undefined;

/** tsgrad's own `typescript` dependency (the bundler, loader and CLI routes use it). */
export function ownCompiler(): Compiler {
  own ??= checkCompiler(createRequire(import.meta.url)("typescript") as Compiler, "tsgrad's own typescript dependency");
  return own;
}

/**
 * Routes that work whatever TypeScript a project has; named by every error about a compiler
 * without the transformer API (TypeScript 7, the native compiler).
 */
export const ROUTES_WITHOUT_TRANSFORMER_API =
  "a bundler plugin (tsgrad/vite, tsgrad/rollup, tsgrad/webpack, tsgrad/rspack, tsgrad/esbuild), " +
  "`node --import tsgrad/register app.ts`, or `tsgrad generate` followed by your usual tsc";

/**
 * The instance, checked: a compiler without the JavaScript API (TypeScript 7's package exports
 * only its version) cannot run a transformer, and the error says which routes work instead.
 */
export function checkCompiler(instance: Compiler | undefined, what: string): Compiler {
  const version = (instance as { version?: string } | undefined)?.version ?? "unknown";
  if (!instance || typeof instance.createProgram !== "function" || typeof instance.transform !== "function")
    throw new Error(
      `tsgrad: ${what} (TypeScript ${version}) has no transformer API. TypeScript 7 is the native compiler: ` +
        `its tsc runs no transformer plugins, so ts-patch cannot add tsgrad to it. Use ${ROUTES_WITHOUT_TRANSFORMER_API}; ` +
        `or keep a TypeScript 5.x/6.x for the ts-patch route.`,
    );
  return instance;
}

/** Makes `instance` the compiler every module of the transformer uses from now on. */
export function useCompiler(instance: Compiler): void {
  ts = instance;
}

/**
 * A lookup table whose keys or values come from the compiler's enums (syntax kinds), built once
 * per compiler instance when first read: numbering differs between TypeScript versions.
 */
export function perCompiler<T extends object>(build: () => T): T {
  const tables = new WeakMap<object, T>();
  const current = (): T => {
    const instance = ts === fallback ? ((ts = ownCompiler()), ts) : ts;
    let table = tables.get(instance);
    if (!table) tables.set(instance, (table = build()));
    return table;
  };
  return new Proxy({} as T, {
    get: (_target, key) => (current() as Record<PropertyKey, unknown>)[key],
    has: (_target, key) => key in current(),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_target, key) => {
      const d = Reflect.getOwnPropertyDescriptor(current(), key);
      return d && { ...d, configurable: true };
    },
  });
}
