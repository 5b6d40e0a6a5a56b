import { defineConfig } from "vitest/config";
// The project's own plugin, through the package's public entry (built by `npm run build`).
import tsgrad from "tsgrad/vite";

export default defineConfig({
  plugins: [tsgrad()],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
