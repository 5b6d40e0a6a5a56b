/**
 * `tsgrad emit --stages`: the IR of each derived function after each stage of the pipeline, in the
 * compact form of `ir/print.ts` (variables as `name#id`, so that two variables a stage has not
 * named apart yet are told apart), the way a verbose mode shows what each pass did.
 */
import { printBlock, printExpr } from "../ir/print.js";
import type { Stage, StageIR } from "../pipeline/derive.js";

/** The stages seen for each derived function of each file, in order; a function derived again (after a refusal rolled it back) keeps its last run. */
export class StageLog {
  private readonly byFunction = new Map<string, { stage: Stage; ir: StageIR }[]>();

  readonly observe = (file: string, key: string, stage: Stage, ir: StageIR): void => {
    const id = `${file}\n${key}`;
    const first = stage === "lowered" || stage === "input";
    let log = this.byFunction.get(id);
    if (!log || first) this.byFunction.set(id, (log = []));
    log.push({ stage, ir });
  };

  /** The stages of a derived function, printed, each under a `// ---- stage: name ----` line. */
  print(file: string, key: string): string {
    return (this.byFunction.get(`${file}\n${key}`) ?? [])
      .map(({ stage, ir }) => `// ---- stage: ${stage} ----\n${printStage(ir)}`)
      .join("\n");
  }
}

function printStage(ir: StageIR): string {
  const params = `// parameters: ${ir.params.map((v) => printExpr({ k: "var", v })).join(", ")}`;
  const sections = ir.sections.filter((s) => s.body.length > 0).map((s) => (s.label ? `// ${s.label}\n` : "") + printBlock(s.body));
  return [params, ...sections].join("\n");
}
