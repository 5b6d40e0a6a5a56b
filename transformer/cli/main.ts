/** The `tsgrad` command line. */
import { Command } from "commander";
import { emitCommand } from "./emit.js";
import { runFile } from "./run.js";

const program = new Command();
program
  .name("tsgrad")
  .description("Compile-time automatic differentiation for TypeScript")
  .showHelpAfterError();

program
  .command("emit")
  .description("print the derivative code tsgrad generates for a file")
  .argument("<file>", "a TypeScript file that calls grad/jvp/vjp/valueAndGrad")
  .option("--fn <name>", "only code derived from the function of this name")
  .action(async (file: string, opts: { fn?: string }) => {
    process.exitCode = await emitCommand(file, opts);
  });

program
  .command("run")
  .description("compile a file with the transformer in memory and run it")
  .argument("<file>", "a TypeScript file (its relative imports follow)")
  .argument("[args...]", "arguments passed to the script")
  .allowUnknownOption()
  .action(async (file: string, args: string[]) => {
    process.exitCode = await runFile(file, args);
  });

await program.parseAsync(process.argv);
