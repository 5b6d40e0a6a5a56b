/**
 * Stage 2 and 3 of the campaign: compile a batch of generated programs through one Program and
 * run every check on each. A program's outcome is a signature (what failed, stripped of the
 * names that differ between programs) that the shrinker keeps while it simplifies.
 */
import type { CaseExports } from "../test/support/fuzz/harness.js";
import { moduleSources } from "../test/support/fuzz/harness.js";
import { compileBatch, importCases } from "../test/support/fuzz/compile.js";
import { runChecks, type Failure, type Point, type Report } from "../test/support/fuzz/checks.js";
import type { GeneratedProgram } from "../test/support/fuzz/spec.js";

export interface Outcome {
  readonly id: string;
  /** "ok", or what failed: a check id (`hessian:symmetry`), or `compile:refused|crashed|invalid`. */
  readonly check: string;
  /** The check plus the gist of the message, with numbers and generated names stripped. */
  readonly signature: string;
  readonly failure?: Failure;
  readonly report?: Report;
  readonly message?: string;
}

/** The gist of an error message: identifiers' numeric parts and literal numbers removed. */
export function gist(message: string): string {
  return message
    .split("\n")[0]!
    .replace(/\b[a-zA-Z_]+\d+(_\w+)?/g, (m) => m.replace(/\d+/g, "#"))
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, "#")
    .slice(0, 120);
}

function signatureOf(check: string, message: string): string {
  if (check.endsWith(":threw") || check.startsWith("compile:")) return `${check} ${gist(message.replace(/^.*?: /, ""))}`;
  return check;
}

export interface Candidate {
  readonly id: string;
  readonly program: GeneratedProgram;
  /** Where to check it. */
  readonly points: readonly Point[];
}

/**
 * Compiles the candidates in one batch and checks each one at the points.
 * `stopAt` ends early at the first candidate whose signature is this one (the shrinker's need).
 */
export async function evaluate(workDir: string, candidates: readonly Candidate[], options: { stopAt?: string; expensiveEvery?: number } = {}): Promise<Outcome[]> {
  const files = candidates.map((c) => ({ id: c.id, ...moduleSources(c.program) }));
  const compiled = compileBatch(workDir, files, { keepSources: true });
  const out: Outcome[] = [];
  for (const [i, result] of compiled.entries()) {
    const c = candidates[i]!;
    let outcome: Outcome;
    if (result.status !== "ok") {
      const check = `compile:${result.status}`;
      outcome = { id: c.id, check, signature: signatureOf(check, result.message), message: result.message };
    } else {
      let cases: CaseExports;
      try {
        cases = await importCases<CaseExports>(result.entry);
      } catch (e) {
        const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        out.push({ id: c.id, check: "import:threw", signature: signatureOf("import:threw", message), message });
        continue;
      }
      const report = runChecks(c.program, cases, c.points, { expensiveEvery: options.expensiveEvery });
      const f = report.failure;
      outcome = f ? { id: c.id, check: f.check, signature: signatureOf(f.check, f.message), failure: f, report, message: f.message } : { id: c.id, check: "ok", signature: "ok", report };
    }
    out.push(outcome);
    if (options.stopAt !== undefined && outcome.signature === options.stopAt) break;
  }
  return out;
}
