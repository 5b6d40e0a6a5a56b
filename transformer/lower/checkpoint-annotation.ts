/**
 * `// @tsgrad checkpoint [snapshots | off]` in the comments just above a loop: how the source asks
 * for binomial checkpointing of that loop's reverse sweep (passes/reverse/checkpoint.ts). The
 * annotation belongs to the loop, not to a marker: a function's derivative is shared by every
 * marker that reaches it, and a function may have one long loop among short ones.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import type { Stmt } from "../ir/types.js";

type Request = (Stmt & { k: "loop" })["checkpoint"];

const ANNOTATION = /@tsgrad\s+checkpoint\b(.*)$/;

/** The checkpointing the comments above `loop` ask for, if any. */
export function checkpointRequest(loop: ts.Statement): Request {
  const text = loop.getSourceFile().text;
  // a labelled loop's comments are above its label
  const at = ts.isLabeledStatement(loop.parent) ? loop.parent : loop;
  const ranges = ts.getLeadingCommentRanges(text, at.getFullStart()) ?? [];
  let request: Request;
  for (const r of ranges) {
    const comment = text.slice(r.pos, r.end).replace(/^\/\/|^\/\*|\*\/$/g, "");
    const match = ANNOTATION.exec(comment.trim());
    if (!match) continue;
    const arg = match[1]!.trim();
    if (arg === "") request = {};
    else if (arg === "off") request = "off";
    else if (/^[0-9]+$/.test(arg) && Number(arg) >= 1) request = { snapshots: Number(arg) };
    else
      fail(
        TSG.checkpoint,
        loop,
        `\`@tsgrad checkpoint ${arg}\`: the budget must be a whole number of snapshots >= 1, or \`off\``,
        "write `// @tsgrad checkpoint 50`, `// @tsgrad checkpoint` (the default budget) or `// @tsgrad checkpoint off`",
      );
  }
  return request;
}
