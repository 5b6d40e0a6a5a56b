import path from "node:path";
import tsgrad from "tsgrad/webpack";

export default {
  mode: "production",
  target: "node",
  entry: "./src/cli.ts",
  output: { path: path.resolve("dist-webpack"), filename: "cli.cjs" },
  devtool: "source-map",
  resolve: { extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } },
  module: { rules: [{ test: /\.ts$/, loader: "esbuild-loader" }] },
  plugins: [tsgrad()],
};
