import { defineConfig } from "vite";
import tsgrad from "tsgrad/vite";

export default defineConfig({
  plugins: [tsgrad()],
  build: { outDir: "dist-vite", sourcemap: true },
});
