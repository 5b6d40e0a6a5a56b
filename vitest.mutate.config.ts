/**
 * Vitest configuration of mutation runs (`npm run mutate`, stryker.config.mjs): the test files
 * that check derivatives through generated code, compiled by test/mutation/host.ts with the
 * transformer loaded from its (mutated) sources instead of dist/. Tests that compile code at
 * test time (`tsgrad/compile`) get the sources too.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { mutationHost } from "./test/mutation/host.js";

/**
 * The tests that reach the rules and the forward and reverse passes through generated code, in
 * the order they run: quick and broad first, so that a mutant they kill stops the run early
 * (Stryker's vitest runner bails at the first failure).
 */
export const MUTATION_TESTS = [
  "test/rules-generated.test.ts",
  "test/rules.test.ts",
  "test/edge-cases.test.ts",
  "test/calculus.test.ts",
  "test/helper-chains.test.ts",
  "test/nested.test.ts",
  "test/second-order.test.ts",
  "test/modes.test.ts",
  "test/custom-rules.test.ts",
  "test/jacobian.test.ts",
  "test/tensor.test.ts",
  "test/constructs.test.ts",
  "test/fuzz-regressions.test.ts",
  "test/missing-rule.test.ts",
];

const host = mutationHost();

/** The list's order, then, in a mutant's run, the files most likely to kill it first. */
class MutationOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => MUTATION_TESTS.findIndex((t) => f.moduleId.endsWith(t));
    const listed = [...files].sort((a, b) => rank(a) - rank(b));
    const order = host.order(listed.map((f) => f.moduleId));
    return listed.sort((a, b) => order.indexOf(a.moduleId) - order.indexOf(b.moduleId));
  }
}

export default defineConfig({
  plugins: [host.plugin],
  resolve: {
    alias: { "tsgrad/compile": fileURLToPath(new URL("./transformer/host/compile.ts", import.meta.url)) },
  },
  test: {
    include: MUTATION_TESTS,
    setupFiles: ["test/mutation/worker-setup.ts"],
    reporters: ["dot", host.reporter],
    sequence: { sequencer: MutationOrder },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
