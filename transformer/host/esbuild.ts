/**
 * tsgrad for Esbuild (see unplugin.ts):
 *
 * import tsgrad from "tsgrad/esbuild";
 * await esbuild.build({ entryPoints: ["src/main.ts"], bundle: true, plugins: [tsgrad()] });
 */
import { tsgradUnplugin } from "./unplugin.js";

export type { TsgradPluginOptions } from "./unplugin.js";

const tsgrad: typeof tsgradUnplugin.esbuild = tsgradUnplugin.esbuild;
export default tsgrad;
