import { defineConfig } from "vitest/config";
// The project's own plugin, through the package's public entry (built by `npm run build`).
import tsgrad from "tsgrad/vite";

export default defineConfig({
  plugins: [tsgrad()],
  test: {
    include: ["test/**/*.test.ts"],
    // property tests draw from a fixed seed (FC_SEED overrides it): see the file
    setupFiles: ["test/support/fast-check-seed.ts"],
    // limits for work that installs packages, builds the playground or runs the benchmark's
    // agreement checks; on a shared machine those take several times their unloaded time
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
