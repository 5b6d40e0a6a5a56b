/** The `tsgrad` command line. */
import fs from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { emitCommand } from "./emit.js";
import { runFile } from "./run.js";

/** A file argument that must exist and be a file (the commands would otherwise report nothing to do). */
function existingFile(file: string): string {
  if (!fs.existsSync(file)) throw new InvalidArgumentError(`${file} does not exist.`);
  if (!fs.statSync(file).isFile()) throw new InvalidArgumentError(`${file} is not a file.`);
  return file;
}

const program = new Command();
program
  .name("tsgrad")
  .description("Compile-time automatic differentiation for TypeScript")
  .showHelpAfterError();

program
  .command("emit")
  .description("print the derivative code tsgrad generates for a file")
  .argument("<file>", "a TypeScript file that calls grad/jvp/vjp/valueAndGrad", existingFile)
  .option("--fn <name>", "only code derived from the function of this name")
  .action(async (file: string, opts: { fn?: string }) => {
    process.exitCode = await emitCommand(file, opts);
  });

program
  .command("run")
  .description("compile a file with the transformer in memory and run it")
  .argument("<file>", "a TypeScript file (its relative imports follow)", existingFile)
  .argument("[args...]", "arguments passed to the script")
  .allowUnknownOption()
  .action(async (file: string, args: string[]) => {
    process.exitCode = await runFile(file, args);
  });

await program.parseAsync(process.argv);
