/**
 * Generated code as a person reads it: prettier's standalone build (the one that runs in a
 * browser), with the Babel parser's TypeScript syntax, which is the smallest of prettier's parsers
 * that reads it. Results are kept by input text: typing elsewhere in the module leaves most
 * generated functions unchanged, and those are not formatted again.
 */
import * as babel from "prettier/plugins/babel";
import * as estree from "prettier/plugins/estree";
import type { Plugin } from "prettier";
import { format } from "prettier/standalone";

// the estree plugin's declaration file declares nothing (it only prints); it is a plugin all the same
const plugins = [babel, estree as Plugin];

const formatted = new Map<string, string>();

export async function formatTypeScript(text: string): Promise<string> {
  const known = formatted.get(text);
  if (known !== undefined) return known;
  const out = await format(text, { parser: "babel-ts", plugins, printWidth: 88 });
  if (formatted.size > 200) formatted.clear();
  formatted.set(text, out);
  return out;
}
