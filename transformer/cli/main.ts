/** The `tsgrad` command line. */
import fs from "node:fs";
import { createRequire } from "node:module";
import { Command, InvalidArgumentError } from "commander";
import { checkCommand } from "./check.js";
import { emitCommand } from "./emit.js";
import { generateCommand } from "./generate.js";
import { UsageError } from "./project.js";
import { runFile } from "./run.js";

/** A file argument that must exist and be a file (the commands would otherwise report nothing to do). */
function existingFile(file: string): string {
  if (!fs.existsSync(file)) throw new InvalidArgumentError(`${file} does not exist.`);
  if (!fs.statSync(file).isFile()) throw new InvalidArgumentError(`${file} is not a file.`);
  return file;
}

const { version } = createRequire(import.meta.url)("../../../package.json") as { version: string };

const program = new Command();
program
  .name("tsgrad")
  .description("Compile-time automatic differentiation for TypeScript")
  .version(version, "-v, --version", "print tsgrad's version")
  .enablePositionalOptions()
  .showHelpAfterError();

/** Runs a command; a usage mistake is a message and exit code 2, not a stack trace. */
async function exit(run: () => number | Promise<number>): Promise<void> {
  try {
    process.exitCode = await run();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tsgrad: ${e.message}\n`);
    process.exitCode = 2;
  }
}

program
  .command("emit")
  .description("print the derivative code tsgrad generates for a file")
  .argument("<file>", "a TypeScript file that calls grad/jvp/vjp/valueAndGrad", existingFile)
  .option("--fn <name>", "only code derived from the function of this name (exits 1 when none is)")
  .option(
    "--stages",
    "before each function's code, its IR after each stage: lowered, structured, anf, forward/reverse, assembled, simplified",
  )
  .action(async (file: string, opts: { fn?: string; stages?: boolean }) => exit(() => emitCommand(file, opts)));

program
  .command("run")
  .description("compile a file with the transformer in memory and run it (source maps on)")
  .argument("<file>", "a TypeScript file (its relative imports follow)", existingFile)
  .argument("[args...]", "arguments passed to the script")
  .option("--type-check", "report type errors (with the nearest tsconfig.json's options) and do not run when there are any")
  .allowUnknownOption()
  .passThroughOptions()
  .action(async (file: string, args: string[], opts: { typeCheck?: boolean }) => exit(() => runFile(file, args, opts)));

program
  .command("check")
  .description("report every refusal in a project without emitting (exits 1 if there is any)")
  .argument("[files...]", "TypeScript files (their imports follow); default: the project of -p, or ./tsconfig.json")
  .option("-p, --project <tsconfig>", "a tsconfig.json, or a folder holding one")
  .action(async (files: string[], opts: { project?: string }) => exit(() => checkCommand({ files, project: opts.project })));

program
  .command("generate")
  .description("write every source file to <dir>, marker calls replaced by generated derivatives (TypeScript)")
  .argument("[files...]", "TypeScript files (their imports follow); default: the project of -p, or ./tsconfig.json")
  .option("-p, --project <tsconfig>", "a tsconfig.json, or a folder holding one; paths under <dir> are relative to its folder")
  .requiredOption("-o, --out <dir>", "where to write the files")
  .option("--check", "write nothing; exit 1 when <dir> is stale (for CI)")
  .action(async (files: string[], opts: { project?: string; out: string; check?: boolean }) =>
    exit(() => generateCommand({ files, project: opts.project, out: opts.out, check: opts.check })),
  );

await program.parseAsync(process.argv);
