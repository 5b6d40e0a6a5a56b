/**
 * tsgrad for Rollup (see unplugin.ts):
 *
 * import tsgrad from "tsgrad/rollup";
 * export default { input: "src/main.ts", plugins: [tsgrad(), esbuild()] };  // tsgrad first
 */
import { tsgradUnplugin } from "./unplugin.js";

export type { TsgradPluginOptions } from "./unplugin.js";

const tsgrad: typeof tsgradUnplugin.rollup = tsgradUnplugin.rollup;
export default tsgrad;
