import nodeResolve from "@rollup/plugin-node-resolve";
import esbuild from "rollup-plugin-esbuild";
import tsgrad from "tsgrad/rollup";

export default {
  input: "src/cli.ts",
  output: { file: "dist-rollup/cli.js", format: "es", sourcemap: true },
  // tsgrad first: it rewrites the files that use markers before TypeScript is stripped
  plugins: [tsgrad(), nodeResolve({ extensions: [".ts", ".js"] }), esbuild()],
};
