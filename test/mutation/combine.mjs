// Combines Stryker's JSON reports of several runs (one per mutated file, when a whole run is too
// long) into one table, with Stryker's score: detected (killed or timed out) over valid mutants
// (detected, survived, no coverage); ignored mutants and runtime errors are not counted.
//
//   node test/mutation/combine.mjs reports/mutation/parts/*.report.json [--survivors]
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const showSurvivors = args.includes("--survivors");
const files = new Map();
for (const report of args.filter((a) => !a.startsWith("--"))) {
  const data = JSON.parse(readFileSync(report, "utf8"));
  for (const [name, file] of Object.entries(data.files)) {
    // a later report of the same file replaces an earlier one
    files.set(name, file);
  }
}

const count = (mutants) => {
  const c = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, RuntimeError: 0, CompileError: 0 };
  for (const m of mutants) c[m.status] = (c[m.status] ?? 0) + 1;
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return { ...c, score: valid ? (100 * detected) / valid : NaN };
};

const rows = [...files].sort(([a], [b]) => a.localeCompare(b)).map(([name, f]) => [name, count(f.mutants)]);
const total = count([...files.values()].flatMap((f) => f.mutants));
const line = (name, c) => `| ${name} | ${c.score.toFixed(1)} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} | ${c.RuntimeError + c.CompileError} |`;
console.log("| file | score % | killed | timeout | survived | no coverage | ignored | errors |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const [name, c] of rows) console.log(line(name, c));
console.log(line("**all**", total));

if (showSurvivors) {
  console.log("");
  for (const [name, f] of files) {
    const lines = f.source.split("\n");
    for (const m of f.mutants.filter((x) => x.status === "Survived" || x.status === "NoCoverage")) {
      const { line: l, column } = m.location.start;
      console.log(`- ${m.status} ${name}:${l}:${column} ${m.mutatorName}: \`${lines[l - 1].trim()}\` -> \`${m.replacement}\``);
    }
  }
}
