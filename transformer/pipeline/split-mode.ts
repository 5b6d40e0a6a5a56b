/**
 * Split mode for recursive functions (passes/split-calls.ts) in the pipeline: which calls of
 * emitted reverse-mode code go through the halves of a pullback, and the halves themselves, made
 * once per function and set of active arguments.
 */
import { derivedKey, parseDerivedKey } from "../ir/keys.js";
import type { Block, IRFunction } from "../ir/types.js";
import { forEachStmt, forEachSubExpr, stmtExprs } from "../ir/visit.js";
import { toAnf } from "../passes/anf.js";
import { assembleValuePullback, type Assembled } from "../passes/assemble.js";
import { simplify } from "../passes/simplify/index.js";
import { cutAtSweeps, splitCalls, type CanSplit, type SplitHalves } from "../passes/split-calls.js";
import { structure } from "../passes/structure.js";

export class SplitMode {
  /** The halves, by the key of the forward half; "cutting" while its own calls are split. */
  private readonly made = new Map<string, SplitHalves | null | "cutting">();
  /** Whether a source function calls itself, by key. */
  private readonly selfCalling = new Map<string, boolean>();

  /** `sourceOf`: a source function's IR as every derivative of it starts from (narrowed). */
  constructor(private readonly sourceOf: (key: string) => IRFunction) {}

  /**
   * Whether calls of `key` in emitted reverse-mode code go through the halves of its pullback:
   * where the function calls itself, since that is where joint mode's recomputation grows with
   * the depth, and where its pullback can be cut in two.
   */
  readonly canSplit: CanSplit = (active, key) => {
    if (!this.callsItself(key)) return false;
    // its own calls, while it is being cut: it was found cuttable before (halves)
    if (this.made.get(derivedKey("splitForward", active, key)) === "cutting") return true;
    return this.halves(active, key) !== null;
  };

  /**
   * The emitted body of a reverse-mode function: its assembly with the pairs of calls that may
   * be split calling the halves, simplified again (the halves have effects, so simplification
   * neither moves nor drops them); the simplified body as it was where no pair is split.
   */
  emitted(unsimplified: Assembled, simplified: Assembled): Block {
    const split = splitCalls(unsimplified.body, this.canSplit);
    return split === unsimplified.body ? simplified.body : simplify(split);
  }

  /**
   * The two halves of the pullback of `key` for these active arguments: the pullback that also
   * keeps its value, its own recursive calls split, simplified, cut after its forward sweep. Null
   * where it cannot be cut (cutAtSweeps), which is known before its calls are split, so that a
   * recursive call is split only in a pullback that is.
   */
  halves(active: readonly boolean[], key: string): SplitHalves | null {
    const k = derivedKey("splitForward", active, key);
    const known = this.made.get(k);
    if (known === "cutting") throw new Error(`${k} is needed while it is being cut`);
    if (known !== undefined) return known;
    const source = this.sourceOf(key);
    const { assembled, sink } = assembleValuePullback(toAnf(structure(source)), active);
    const cut = (body: Block) => cutAtSweeps({ ...assembled, body }, source.params.length, sink, source.returnType);
    if (!cut(simplify(assembled.body))) {
      this.made.set(k, null);
      return null;
    }
    this.made.set(k, "cutting");
    try {
      const halves = cut(simplify(splitCalls(assembled.body, this.canSplit)));
      // its own calls were split on the promise that it is cut: only the calls differ from above
      if (!halves) throw new Error(`${k}: the pullback could be cut before its calls were split, not after`);
      this.made.set(k, halves);
      return halves;
    } catch (e) {
      this.made.delete(k);
      throw e;
    }
  }

  private callsItself(key: string): boolean {
    if (parseDerivedKey(key)) return false;
    let calls = this.selfCalling.get(key);
    if (calls === undefined) {
      let found = false;
      forEachStmt(this.sourceOf(key).body, (s) => {
        for (const e of stmtExprs(s))
          forEachSubExpr(e, (x) => x.k === "call" && x.fn.kind === "user" && x.fn.key === key && (found = true));
      });
      this.selfCalling.set(key, (calls = found));
    }
    return calls;
  }
}
