/**
 * `node --import tsgrad/register app.ts`: runs TypeScript files directly, as tsx does, with the
 * marker calls of files that import them replaced by generated derivatives (Node >= 20.6; tsgrad
 * needs 20.19). Stack traces give the user's own file names and lines: source maps are turned on
 * and every compiled file carries its map.
 *
 * This module runs on the main thread and registers the hooks (register-hooks.ts), which Node runs
 * on its loader thread: the project's Program lives there.
 */
import * as nodeModule from "node:module";

const register = (nodeModule as { register?: (specifier: string, parentURL: string) => void }).register;
if (typeof register !== "function")
  throw new Error(`tsgrad/register needs Node's module.register (Node >= 20.6); this is Node ${process.versions.node}.`);
process.setSourceMapsEnabled(true);
register("./register-hooks.js", import.meta.url);
