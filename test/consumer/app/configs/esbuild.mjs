import * as esbuild from "esbuild";
import tsgrad from "tsgrad/esbuild";

await esbuild.build({
  entryPoints: ["src/cli.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: "dist-esbuild/cli.js",
  sourcemap: true,
  plugins: [tsgrad()],
});
