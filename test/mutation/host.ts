/**
 * The compiler host of mutation runs (`npm run mutate`, vitest.mutate.config.ts).
 *
 * Stryker mutates the transformer's TypeScript sources and switches one mutant on at a time in
 * Vitest's worker, where it also records which tests reach which mutant. But the tests reach the
 * transformer when their own files are compiled, and that happens in Vitest's main process (a
 * Vite plugin), once, from the compiled dist/. This host takes the place of the tsgrad Vite plugin
 * for those runs and carries Stryker's machinery over to the main process:
 *
 *   - at the start of each run it switches on, in this process, the mutant Stryker switched on in
 *     the worker, and forgets the files it compiled, so that they are compiled again with it;
 *   - it compiles with a fresh instance of the transformer, loaded from the (mutated) TypeScript
 *     sources, so that code run when a module loads, and caches such as the parsed rule
 *     templates, see the run's mutant;
 *   - in the dry run (no mutant), each file gets an instance of its own, and the mutants reached
 *     while compiling it are given to every test of every test file that imports it (Stryker then
 *     runs only those tests against a mutant); the tests' own coverage in the worker is pooled per
 *     file too, for the same reason: a cache filled by one test serves the next;
 *   - in a mutant's run, a file whose compilation did not reach the mutant is not compiled again:
 *     its output is the dry run's; and the test files run in the order most likely to fail first
 *     (Stryker's runner stops at the first failure): those whose compilation ran the mutated code
 *     (rather than only loading its module), then those that killed the most mutants so far;
 *   - a mutant reached far more often than in the dry run is taken for an endless loop (Stryker's
 *     hit limit, which it applies in the worker only): compilation fails;
 *   - a test file that fails to load (the mutant made compilation fail or refuse valid code) gets
 *     a failing test, so that the mutant counts as killed rather than as having no tests.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { createServer, createServerModuleRunner, type Plugin, type ViteDevServer } from "vite";
import type { Reporter, Vitest } from "vitest/node";

type Counts = Record<string, number>;
type Coverage = { static: Counts; perTest: Record<string, Counts> };
interface StrykerNamespace {
  activeMutant?: string;
  mutantCoverage?: Coverage;
  hitCount?: number;
  hitLimit?: number;
}
/** Stryker's global namespace (INSTRUMENTER_CONSTANTS.NAMESPACE), read by the instrumented code. */
const stryker = (): StrykerNamespace => ((globalThis as Record<string, unknown>).__stryker__ ??= {}) as StrykerNamespace;

type TransformerModule = typeof import("../../transformer/index.js");

/** What the dry run learnt, kept on disk for test runner processes Stryker starts later. */
interface DryRun {
  /**
   * Per compiled file: the mutants its compilation reached, how often (`reached`: loading the
   * transformer included; `ran`: compiling alone), and its output.
   */
  readonly files: Record<string, { readonly reached: Counts; readonly ran: Counts; readonly code: string; readonly js: string }>;
  /** Per test file: how many mutants it killed so far in this Stryker run. */
  readonly kills: Counts;
}

/** Files that use the markers: `import ... from "tsgrad"`. */
const USES_MARKERS = /\bfrom\s+["']tsgrad["']/;
const TS_FILE = /\.(m|c)?tsx?$/;
/** A mutant hit this many times more than in the whole dry run (and at least a million) is looping. */
const HIT_FACTOR = 100;
const MIN_HIT_LIMIT = 1_000_000;

export interface MutationHost {
  readonly plugin: Plugin;
  readonly reporter: Reporter;
  /** Sorts test files (absolute paths), most likely to kill the run's mutant first; stable. */
  order(files: readonly string[]): string[];
}

export function mutationHost(): MutationHost {
  let root = process.cwd();
  let vitest: Vitest | undefined;
  let mode: "dry-run" | "mutant" | undefined;
  let activeMutant: string | undefined;
  const dryRunFile = () => path.join(root, ".mutation-dry-run.json");
  let dryRun: DryRun | undefined;
  const loadDryRun = () => (dryRun ??= existsSync(dryRunFile()) ? (JSON.parse(readFileSync(dryRunFile(), "utf8")) as DryRun) : { files: {}, kills: {} });

  // ---- the transformer, loaded from its sources -----------------------------------------------
  let loader: { server: ViteDevServer; load(): Promise<TransformerModule> } | undefined;
  const freshTransformer = async (): Promise<TransformerModule> => {
    if (!loader) {
      const server = await createServer({
        configFile: false,
        root,
        logLevel: "error",
        appType: "custom",
        server: { middlewareMode: true, hmr: false, ws: false },
        optimizeDeps: { noDiscovery: true, include: [] },
      });
      const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
      const entry = path.join(root, "transformer/index.ts");
      loader = {
        server,
        load: async () => {
          runner.clearCache(); // evaluate every module again (their transformed text stays cached)
          return (await runner.import(entry)) as TransformerModule;
        },
      };
    }
    return loader.load();
  };
  let runTransformer: Promise<TransformerModule> | undefined;

  // ---- one Program per run: the project's files parsed afresh, libraries parsed once ----------
  let compilerOptions: ts.CompilerOptions | undefined;
  const libraries = new Map<string, ts.SourceFile | undefined>();
  let compilerHost: ts.CompilerHost | undefined;
  let program: ts.Program | undefined;
  let roots: string[] = [];
  const programFor = (file: string, code: string): ts.Program => {
    if (!compilerOptions) {
      const configPath = ts.findConfigFile(root, ts.sys.fileExists, "tsconfig.json");
      const read = configPath ? ts.readConfigFile(configPath, ts.sys.readFile).config : {};
      const parsed = ts.parseJsonConfigFileContent(read ?? {}, ts.sys, configPath ? path.dirname(configPath) : root);
      compilerOptions = { ...parsed.options, noEmit: false, sourceMap: false, inlineSourceMap: true, inlineSources: true, declaration: false, noEmitOnError: false };
      compilerHost = ts.createCompilerHost(compilerOptions, true);
      const parse = compilerHost.getSourceFile.bind(compilerHost);
      compilerHost.getSourceFile = (name, language, onError, create) => {
        if (!name.includes("/node_modules/")) return parse(name, language, onError, create);
        if (!libraries.has(name)) libraries.set(name, parse(name, language, onError, create));
        return libraries.get(name);
      };
    }
    const sf = program?.getSourceFile(file);
    if (program && sf && sf.text === code) return program;
    if (!roots.includes(file)) roots = [...roots, file];
    program = ts.createProgram({ rootNames: roots, options: compilerOptions, host: compilerHost, oldProgram: program });
    return program;
  };

  const compiled = new Set<string>();

  const compile = async (file: string, code: string): Promise<{ js: string | undefined; diagnostics: ts.Diagnostic[] }> => {
    const p = programFor(file, code);
    const sf = p.getSourceFile(file)!;
    const ns = stryker();
    let transformer: TransformerModule;
    let loaded: Counts = {};
    if (mode === "mutant") transformer = await (runTransformer ??= freshTransformer());
    else {
      ns.mutantCoverage = { static: {}, perTest: {} }; // counts this file's compilation alone
      transformer = await freshTransformer();
      loaded = { ...ns.mutantCoverage.static };
    }
    const diagnostics: ts.Diagnostic[] = [];
    let js: string | undefined;
    try {
      p.emit(sf, (name, text) => {
        if (/\.(m|c)?js$/.test(name)) js = text;
      }, undefined, false, { before: [transformer.tsgradTransformer(p, { report: (d) => diagnostics.push(d) })] });
    } catch (e) {
      diagnostics.push({ category: ts.DiagnosticCategory.Error, code: 0, file: undefined, start: undefined, length: undefined, messageText: String(e) });
    }
    if (mode === "dry-run" && js !== undefined && !diagnostics.length) {
      const reached = { ...ns.mutantCoverage!.static };
      const ran = Object.fromEntries(Object.entries(reached).flatMap(([id, n]) => (n > (loaded[id] ?? 0) ? [[id, n - (loaded[id] ?? 0)]] : [])));
      loadDryRun().files[file] = { reached, ran, code, js };
    }
    return { js, diagnostics };
  };

  const plugin: Plugin = {
    name: "tsgrad-mutation-host",
    enforce: "pre",
    configResolved(config) {
      root = config.root;
    },
    async transform(code, rawId) {
      const id = rawId.split("?")[0]!;
      if (!TS_FILE.test(id) || id.includes("/node_modules/") || id.endsWith(".d.ts") || !USES_MARKERS.test(code)) return null;
      const file = path.resolve(id);
      compiled.add(file);
      const before = mode === "mutant" ? loadDryRun().files[file] : undefined;
      if (before && before.code === code && !(activeMutant! in before.reached)) return { code: before.js, map: null };
      const { js, diagnostics } = await compile(file, code);
      if (diagnostics.length) {
        const text = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n");
        this.error(`tsgrad could not compile ${path.relative(root, file)}:\n${text}`);
      }
      return js === undefined ? null : { code: js, map: null };
    },
  };

  const graphsOf = (v: Vitest) => v.projects.flatMap((p) => Object.values(p.vite.environments).map((e) => e.moduleGraph));

  /** A file and every module it imports (as far as the module graph knows them). */
  const modulesFrom = (v: Vitest | undefined, file: string): Set<string> => {
    const out = new Set<string>([file]);
    const seen = new Set<unknown>();
    for (const graph of v ? graphsOf(v) : []) {
      const stack = [...(graph.getModulesByFile(file) ?? [])];
      while (stack.length) {
        const m = stack.pop()!;
        if (seen.has(m)) continue;
        seen.add(m);
        if (m.file) out.add(path.resolve(m.file));
        stack.push(...m.importedModules);
      }
    }
    return out;
  };

  /** The mutants reached compiling a file and every module it imports. */
  const reachedFrom = (v: Vitest, file: string): Set<string> => {
    const out = new Set<string>();
    for (const m of modulesFrom(v, file)) for (const id of Object.keys(loadDryRun().files[m]?.reached ?? {})) out.add(id);
    return out;
  };

  const order = (files: readonly string[]): string[] => {
    if (mode !== "mutant" || activeMutant === undefined) return [...files];
    const data = loadDryRun();
    const ran = (f: string) => [...modulesFrom(vitest, f)].reduce((n, m) => n + (data.files[m]?.ran[activeMutant!] ?? 0), 0);
    const key = new Map(files.map((f, i) => [f, [ran(f) > 0 ? 1 : 0, data.kills[f] ?? 0, -i] as const]));
    return [...files].sort((a, b) => {
      const [x, y] = [key.get(a)!, key.get(b)!];
      return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
    });
  };

  const reporter: Reporter = {
    onInit(v) {
      if (vitest !== v) v.onClose(async () => loader?.server.close());
      vitest = v;
    },
    onTestRunStart() {
      if (!vitest) return;
      const context = vitest.getProvidedContext() as { mode?: "dry-run" | "mutant"; activeMutant?: string };
      mode = context.mode;
      activeMutant = mode === "mutant" ? context.activeMutant : undefined;
      const ns = stryker();
      ns.activeMutant = activeMutant;
      if (mode === "mutant") {
        let hits = 0;
        for (const f of Object.values(loadDryRun().files)) hits += f.reached[activeMutant!] ?? 0;
        ns.hitCount = 0;
        ns.hitLimit = Math.max(MIN_HIT_LIMIT, HIT_FACTOR * hits);
      } else {
        ns.hitCount = undefined;
        dryRun = { files: {}, kills: {} };
      }
      // every file is compiled again in this run, with this run's mutant
      for (const graph of graphsOf(vitest))
        for (const file of compiled) for (const m of graph.getModulesByFile(file) ?? []) graph.invalidateModule(m);
      compiled.clear();
      program = undefined;
      roots = [];
      runTransformer = undefined;
    },
    onTestRunEnd() {
      if (!vitest) return;
      const data = loadDryRun();
      for (const file of vitest.state.getFiles()) {
        // a test file that could not load: one failing test, so that Stryker sees the failure
        if (file.result?.state === "fail" && !hasTests(file)) addLoadFailure(file);
        if (mode === "dry-run") poolCoverage(file, reachedFrom(vitest, file.filepath));
        if (mode === "mutant" && file.result?.state === "fail") data.kills[file.filepath] = (data.kills[file.filepath] ?? 0) + 1;
      }
      // kept on disk: Stryker may start a new test runner process (after a timeout)
      writeFileSync(dryRunFile(), JSON.stringify(data));
    },
  };

  return { plugin, reporter, order };
}

type FileTask = ReturnType<Vitest["state"]["getFiles"]>[number];
type AnyTask = FileTask["tasks"][number];

function hasTests(suite: { tasks: readonly AnyTask[] }): boolean {
  return suite.tasks.some((t) => t.type === "test" || ("tasks" in t && hasTests(t)));
}

function addLoadFailure(file: FileTask): void {
  const errors = file.result?.errors?.length ? file.result.errors : [{ message: "the test file failed to load", name: "Error" }];
  file.tasks.push({
    type: "test",
    id: `${file.id}_load`,
    name: "the test file loads",
    mode: "run",
    file,
    suite: file,
    meta: {},
    context: undefined as never,
    annotations: [],
    artifacts: [],
    timeout: 0,
    result: { state: "fail", errors },
  } as unknown as AnyTask);
}

/**
 * Coverage per file rather than per test: every test of the file gets the mutants any of its
 * tests reached in the worker, plus those compiling it reached here. `tsgradTestIds` are the
 * tests' ids as Stryker writes them (test/mutation/worker-setup.ts).
 */
function poolCoverage(file: FileTask, compiledReach: Set<string>): void {
  const meta = file.meta as { mutantCoverage?: Coverage; tsgradTestIds?: string[] };
  const ids = meta.tsgradTestIds ?? [];
  const coverage = (meta.mutantCoverage ??= { static: {}, perTest: {} });
  const pooled: Counts = {};
  for (const id of ids) Object.assign(pooled, coverage.perTest[id]);
  for (const m of compiledReach) pooled[m] = (pooled[m] ?? 0) + 1;
  for (const id of ids) coverage.perTest[id] = { ...pooled };
}
