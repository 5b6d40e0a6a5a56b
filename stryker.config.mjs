// Mutation testing (`npm run mutate`): one deliberate bug at a time in the rule table, the parser
// of rule templates and the forward and reverse passes, each run against the tests that check
// derivatives through generated code. It runs occasionally, not in CI (a full run takes hours on
// two cores). How the mutants reach the generated code: test/mutation/host.ts.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner", "./test/mutation/ignore-messages.mjs"],
  // the texts of refusals and errors, and the rules' notes: no derivative depends on them
  ignorers: ["messages"],
  vitest: {
    configFile: "vitest.mutate.config.ts",
    // tests reach the transformer through compilation, not imports: "related" files would be none
    related: false,
  },
  mutate: ["transformer/rules/**/*.ts", "transformer/passes/forward.ts", "transformer/passes/reverse/**/*.ts"],
  coverageAnalysis: "perTest",
  // the sources keep their types: Stryker's @ts-nocheck would only hide nothing here
  disableTypeChecks: false,
  ignorePatterns: ["bench/results", "bench/.scratch", "scratch", "test/.generated", "reports", "fuzz/failures", "fuzz/.work"],
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  concurrency: 1,
  // Compiling the test files (in the main process) is not part of the tests' own time, and the
  // machines are shared: a generous timeout keeps a slow run from passing for a detected mutant.
  // Endless loops in the transformer are caught sooner, by the host's hit limit.
  timeoutMS: 600_000,
  reporters: ["progress-append-only", "clear-text", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
