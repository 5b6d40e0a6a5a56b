/**
 * tsgrad for Vite (see unplugin.ts):
 *
 * import tsgrad from "tsgrad/vite";
 * export default defineConfig({ plugins: [tsgrad()] });
 */
import { tsgradUnplugin } from "./unplugin.js";

export type { TsgradPluginOptions } from "./unplugin.js";

const tsgrad: typeof tsgradUnplugin.vite = tsgradUnplugin.vite;
export default tsgrad;
