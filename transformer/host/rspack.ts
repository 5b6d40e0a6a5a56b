/**
 * tsgrad for Rspack (see unplugin.ts):
 *
 * import tsgrad from "tsgrad/rspack";
 * export default { plugins: [tsgrad()] };
 */
import { tsgradUnplugin } from "./unplugin.js";

export type { TsgradPluginOptions } from "./unplugin.js";

const tsgrad: typeof tsgradUnplugin.rspack = tsgradUnplugin.rspack;
export default tsgrad;
