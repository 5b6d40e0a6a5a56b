/**
 * tsgrad as a GradBench tool: reads the protocol's messages from stdin, one JSON object per line,
 * and writes one response line per message to stdout. Diagnostics go to stderr only, since stdout
 * belongs to the protocol.
 *
 * Run: npx tsgrad-gradbench   (or: npx tsgrad run bench/gradbench/main.ts)
 */
import { createInterface } from "node:readline";
import { EVALS } from "./evals/index.ts";
import { createTool } from "./protocol.ts";

const tool = createTool(EVALS);
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });

for await (const line of lines) {
  if (line.trim() === "") continue;
  let response;
  try {
    response = tool.handle(JSON.parse(line));
  } catch (e) {
    // Without a readable id there is nothing to answer; say why and keep reading.
    process.stderr.write(`tsgrad-gradbench: ignored a message: ${e instanceof Error ? e.message : String(e)}\n`);
    continue;
  }
  process.stdout.write(JSON.stringify(response) + "\n");
}
