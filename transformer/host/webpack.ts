/**
 * tsgrad for Webpack (see unplugin.ts):
 *
 * import tsgrad from "tsgrad/webpack";  // webpack.config.mjs
 * export default { plugins: [tsgrad()], module: { rules: [{ test: /\.ts$/, loader: "esbuild-loader" }] } };
 */
import { tsgradUnplugin } from "./unplugin.js";

export type { TsgradPluginOptions } from "./unplugin.js";

const tsgrad: typeof tsgradUnplugin.webpack = tsgradUnplugin.webpack;
export default tsgrad;
