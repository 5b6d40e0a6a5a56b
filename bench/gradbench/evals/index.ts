/** Every eval module the tool answers for, by GradBench's module name. */
import type { EvalModule } from "../protocol.ts";
import { hello } from "./hello.ts";

export const EVALS: readonly EvalModule[] = [
  hello,
];
