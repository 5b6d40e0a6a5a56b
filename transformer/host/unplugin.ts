/**
 * One plugin for every bundler, through unplugin: tsgrad/vite, tsgrad/rollup, tsgrad/webpack,
 * tsgrad/rspack and tsgrad/esbuild each default-export `tsgrad(options?)`, this plugin for that
 * bundler. It runs before the bundler's own TypeScript handling (`enforce: "pre"`), emits each
 * file that imports a marker through the project's shared Program (host/project.ts) and leaves
 * every other file to the bundler.
 *
 * A derivative depends on every function it differentiates, wherever it is declared: the plugin
 * tells the bundler so (addWatchFile), and the Program is rebuilt when any of its files changed.
 */
import { createUnplugin, type UnpluginInstance } from "unplugin";
import { formatDiagnosticsPlain } from "../diagnostics.js";
import { TsgradProject, type TsgradPluginOptions } from "./project.js";

export type { TsgradPluginOptions } from "./project.js";

export const tsgradUnplugin: UnpluginInstance<TsgradPluginOptions | undefined, false> = createUnplugin(
  (options: TsgradPluginOptions | undefined) => {
    const project = new TsgradProject(options);
    return {
      name: "tsgrad",
      enforce: "pre",
      transform: {
        filter: { id: { include: [/\.(m|c)?tsx?(\?.*)?$/], exclude: [/[\\/]node_modules[\\/]/, /\.d\.(m|c)?ts$/] } },
        handler(code, rawId) {
          const id = rawId.split("?")[0]!;
          const out = project.transform(id, code);
          if (!out) return null;
          for (const dep of out.dependencies) this.addWatchFile(dep);
          if (out.diagnostics.length) {
            this.error(`tsgrad could not differentiate code in ${id}:\n${formatDiagnosticsPlain(out.diagnostics, project.root)}`);
            return null;
          }
          return { code: out.code, map: out.map };
        },
      },
      vite: {
        configResolved(config: { root: string }) {
          project.root = config.root;
        },
      },
      webpack(compiler) {
        project.root = compiler.context;
      },
      rspack(compiler) {
        project.root = compiler.context;
      },
    };
  },
);
