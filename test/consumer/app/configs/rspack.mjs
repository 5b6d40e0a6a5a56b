import path from "node:path";
import { rspack } from "@rspack/core";
import tsgrad from "tsgrad/rspack";

const config = {
  mode: "production",
  target: "node",
  entry: "./src/cli.ts",
  output: { path: path.resolve("dist-rspack"), filename: "cli.cjs" },
  devtool: "source-map",
  resolve: { extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } },
  module: { rules: [{ test: /\.ts$/, loader: "builtin:swc-loader", options: { jsc: { parser: { syntax: "typescript" } } } }] },
  plugins: [tsgrad()],
};

const stats = await new Promise((resolve, reject) => rspack(config, (err, s) => (err ? reject(err) : resolve(s))));
if (stats.hasErrors()) {
  console.error(stats.toString({ all: false, errors: true }));
  process.exit(1);
}
