#!/usr/bin/env node
// tsgrad as a GradBench tool: compiles bench/gradbench/main.ts with the transformer in memory and
// runs it; it speaks GradBench's protocol on stdin and stdout.
import { fileURLToPath } from "node:url";
import { runFile } from "../dist/transformer/cli/run.js";

const main = fileURLToPath(new URL("../bench/gradbench/main.ts", import.meta.url));
process.exitCode = await runFile(main, process.argv.slice(2));
