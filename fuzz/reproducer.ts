/**
 * Stage 5: write a shrunk failure as a TypeScript file that runs on its own with
 * `npx tsgrad run <file>`: the program and its marker calls, a header that says where it came
 * from (campaign seed, program seed), which check failed and expected against got, and at the
 * end the same check run again at the failing point (exit code 1 while it still fails). A program
 * with a sibling module gets a second file, `<name>.lib.ts`, next to it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { moduleSources } from "../test/support/fuzz/harness.js";
import type { Point } from "../test/support/fuzz/checks.js";
import type { GeneratedProgram } from "../test/support/fuzz/spec.js";
import type { Outcome } from "./evaluate.js";

export interface ReproducerInfo {
  readonly campaignSeed?: number;
  readonly programIndex?: number;
  readonly programSeed: number;
  readonly program: GeneratedProgram;
  readonly outcome: Outcome;
  readonly point?: Point;
  /** Draws before and after shrinking (a measure of size). */
  readonly sizes?: { readonly before: number; readonly after: number };
}

const short = (v: unknown): string => {
  const text = JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x));
  return text === undefined ? String(v) : text.length > 600 ? `${text.slice(0, 600)}...` : text;
};

/** Writes the reproducer; returns the path of its main file. */
export function writeReproducer(outDir: string, info: ReproducerInfo): string {
  mkdirSync(outDir, { recursive: true });
  const base = `seed-${info.programSeed}-${info.outcome.check.replace(/[^a-zA-Z0-9-]+/g, "-")}`;
  const sources = moduleSources(info.program);
  const root = path.relative(outDir, path.resolve(import.meta.dirname, "..")).split(path.sep).join("/") || ".";
  const f = info.outcome.failure;
  const header = [
    `/**`,
    ` * A failure found by random programs (npm run fuzz).`,
    ...(info.campaignSeed !== undefined ? [` * campaign: --seed ${info.campaignSeed}, program ${info.programIndex}`] : []),
    ` * program seed: ${info.programSeed} (npm run fuzz -- --replay ${info.programSeed})`,
    ` * check: ${info.outcome.check}`,
    ` * ${(info.outcome.message ?? "").split("\n").slice(0, 12).join("\n * ")}`,
    ...(f?.expected !== undefined ? [` * expected: ${short(f.expected)}`, ` * got:      ${short(f.got)}`] : []),
    ...(info.point ? [` * at: z = ${short(info.point.z)}, k = ${info.point.k}, s = ${info.point.s}`] : []),
    ...(info.sizes ? [` * shrunk from ${info.sizes.before} draws to ${info.sizes.after}`] : []),
    ` *`,
    ` * Run: npx tsgrad run ${path.join(outDir, `${base}.ts`)}`,
    ` */`,
  ];
  let main = sources.main;
  if (sources.lib !== undefined) {
    main = main.replace(`from "./lib.ts"`, `from "./${base}.lib.ts"`);
    writeFileSync(path.join(outDir, `${base}.lib.ts`), sources.lib);
  }
  const footer = info.point
    ? [
        ``,
        `// ---- the check, again, at the failing point ----`,
        `import { runChecks } from "${root}/test/support/fuzz/checks.ts";`,
        `const program = ${JSON.stringify(info.program)};`,
        `const point = ${JSON.stringify(info.point)};`,
        `const report = runChecks(program, cases as never, [point]);`,
        `console.log(report.failure ? \`fails: \${report.failure.message}\` : "passes");`,
        `if (report.failure) process.exitCode = 1;`,
        ``,
      ]
    : [];
  const file = path.join(outDir, `${base}.ts`);
  writeFileSync(file, [...header, main, ...footer].join("\n"));
  return file;
}
