/**
 * The pipeline behind every marker: a table of functions by key, and the generation of derived
 * functions on demand.
 *
 *   lowered IR --structure (reverse only)--> --anf--> --activity-->
 *     --forward | reverse--> --assemble--> --simplify--> GeneratedFunction
 *
 * A derived function's key says how it is made: `grad[10](file#pos)` is the gradient of the
 * source function `file#pos` with respect to its first parameter. Generated code that calls other
 * functions names them by key too (the tangent or pullback of a callee), and the pipeline
 * generates those in turn, once each: recursion ends because a key is registered before its body
 * is generated.
 */
import { calleeKey } from "../ir/build.js";
import { derivedKey, parseDerivedKey, type DerivedKind } from "../ir/keys.js";
import { isDifferentiable } from "../ir/build.js";
import type { Block, Expr, GeneratedFunction, IRFunction, Param, Var } from "../ir/types.js";
import { forEachStmt, forEachSubExpr, mapBlock, stmtExprs } from "../ir/visit.js";
import { isCheckpointCall } from "../ir/calls.js";
import { toAnf } from "../passes/anf.js";
import {
  assembleCalleePullback,
  assembleGradient,
  assembleGradientPullback,
  assemblePublicPullback,
  type Assembled,
} from "../passes/assemble.js";
import {
  assembleDerivative,
  assembleHessian,
  assembleJacobian,
  assembleTangent,
  assembleVjpWrapper,
  tangentOnly,
  withAux,
} from "../passes/assemble-forward.js";
import { simplify } from "../passes/simplify/index.js";
import { structure } from "../passes/structure.js";
import { vectorize } from "../passes/vectorize.js";
import { IrRefusal } from "../refusal.js";
import { assembleWithAux, splitAux, type SplitAux } from "../passes/aux.js";
import { keepReturnedFields, narrowCallsToReadFields } from "../passes/unread-fields.js";
import { SplitMode } from "./split-mode.js";
import { skipZeroSeeds } from "../passes/zero-seeds.js";

export interface FunctionTable {
  /** The IR of a source function (lowered on demand and cached); throws a refusal. */
  source(key: string): IRFunction;
}

/** Whether generated code of this module can call a source function by its own name. */
export type CanReference = (key: string) => boolean;

/**
 * The stages a derived function goes through, in order (each function goes through those its
 * kind needs): the IR of the function it derives from (`lowered` from source, `input` when that is
 * itself derived, as the gradient under a Hessian-vector product), one exit and no jumps
 * (`structured`, reverse mode), A-normal form (`anf`), the differentiating pass's own output
 * (`forward`, `reverse`), the whole function with its public signature (`assembled`), vector mode
 * over it (`vectorized`), and after simplification (`simplified`).
 */
export type Stage = "lowered" | "input" | "structured" | "anf" | "forward" | "reverse" | "assembled" | "vectorized" | "simplified";

/** The IR at a stage: parameters, and the body in labelled sections (a pass's sweeps). */
export interface StageIR {
  readonly params: readonly Var[];
  readonly sections: readonly { readonly label?: string; readonly body: Block }[];
}

/** Told each derived function's IR (by key) after each stage, for `tsgrad emit --stages`. */
export type StageObserver = (key: string, stage: Stage, ir: StageIR) => void;

/** Reports a stage; the IR is made only when someone observes. */
type Report = (stage: Stage, ir: () => StageIR) => void;

const KIND_SUFFIX: Record<DerivedKind, string> = {
  grad: "grad",
  valueAndGrad: "valueAndGrad",
  jvp: "jvp",
  jvpVec: "jvp_directions",
  vjp: "adjoint",
  pullback: "pullback",
  vjpPublic: "vjp",
  primal: "primal",
  fields: "fields",
  hvp: "hvp",
  hessian: "hessian",
  derivative: "grad",
  valueAndDerivative: "valueAndGrad",
  jacobian: "jacobian",
  jacobianForward: "jacobian_forward",
  jacobianReverse: "jacobian_reverse",
  withoutAux: "loss",
  gradAux: "grad",
  valueAndGradAux: "valueAndGrad",
  vjpAux: "vjp",
  jvpAux: "jvp",
  withAux: "aux",
  splitForward: "forward",
  splitReverse: "reverse",
};

/** Kinds whose bodies come from the reverse pass over their source: their calls may be split (passes/split-calls.ts). */
const REVERSE_BUILT: ReadonlySet<DerivedKind> = new Set<DerivedKind>([
  "grad",
  "valueAndGrad",
  "gradAux",
  "valueAndGradAux",
  "vjp",
  "pullback",
]);

const KIND_DOC: Record<DerivedKind, string> = {
  grad: "Gradient of",
  valueAndGrad: "Value and gradient of",
  jvp: "Directional derivative (forward mode) of",
  jvpVec: "Directional derivatives along several directions at once (vector forward mode) of",
  vjp: "Pullback (reverse mode, joint: recomputes the primal) of",
  pullback: "Pullback (vector-Jacobian product) of",
  vjpPublic: "Value and pullback of",
  primal: "A copy (callable from here) of",
  fields: "A copy returning only the fields its callers read of",
  hvp: "Hessian-vector product (forward over reverse) of",
  hessian: "Hessian (one Hessian-vector product per row) of",
  derivative: "Derivative (forward mode, direction 1) of",
  valueAndDerivative: "Value and derivative (forward mode, direction 1) of",
  jacobian: "Jacobian (forward or reverse mode, whichever takes fewer sweeps) of",
  jacobianForward: "Jacobian (forward mode, one sweep per input) of",
  jacobianReverse: "Jacobian (reverse mode, one sweep per output) of",
  withoutAux: "The loss, without its auxiliary output, of",
  gradAux: "Gradient, and the auxiliary output, of",
  valueAndGradAux: "Value, auxiliary output and gradient of",
  vjpAux: "Value, auxiliary output and pullback of",
  jvpAux: "Value, auxiliary output and directional derivative (forward mode) of",
  withAux: "A derivative and the auxiliary output of",
  splitForward: "Forward sweep of the pullback (split mode: returns the value, and saves what the reverse sweep reads) of",
  splitReverse: "Reverse sweep of the pullback (split mode: reads what the forward sweep saved) of",
};

export class Pipeline {
  private readonly generated = new Map<string, GeneratedFunction | null>();
  private readonly order: string[] = [];
  /** Generated functions as IR sources, for passes applied to them (forward over reverse). */
  private readonly sources = new Map<string, IRFunction>();
  /**
   * Reverse-mode functions generated again without automatic checkpointing, by key: what forward
   * passes differentiate in their place (`tangentSource`). Sources only, never emitted.
   */
  private readonly withoutCheckpoints = new Map<string, IRFunction>();
  /** Functions returning [loss, aux] as their loss alone, by the key of the function (`hasAux`). */
  private readonly splits = new Map<string, SplitAux>();
  /**
   * Generated functions whose callees are still to be derived. A worklist, not recursion: a chain
   * of thousands of helpers must not grow the stack. The outermost derive() drains it.
   */
  private readonly calleesPending: GeneratedFunction[] = [];
  /** Split mode for recursive functions: which calls go through the halves of a pullback, and the halves. */
  private readonly split = new SplitMode((key) => this.narrowedSource(key));
  /** Source functions' IR with their calls narrowed to the fields read (`narrowedSource`). */
  private readonly narrowed = new Map<string, IRFunction>();
  private draining = false;

  constructor(
    private readonly table: FunctionTable,
    private readonly canReference: CanReference,
    private readonly observe?: StageObserver,
  ) {}

  /** Runs `f`; if it throws, forgets every function it registered, then rethrows. */
  transaction<T>(f: () => T): T {
    const known = new Set(this.generated.keys());
    const order = this.order.length;
    const pending = this.calleesPending.length;
    try {
      return f();
    } catch (e) {
      for (const k of [...this.generated.keys()])
        if (!known.has(k)) {
          this.generated.delete(k);
          this.sources.delete(k);
        }
      this.order.length = order;
      this.calleesPending.length = pending;
      throw e;
    }
  }

  /** Keys generated since position `from` of the generation order. */
  keysSince(from: number): string[] {
    return this.order.slice(from);
  }

  get size(): number {
    return this.order.length;
  }

  /** Generates (once) the derived function and everything it calls; returns its key. */
  derive(kind: DerivedKind, mask: readonly boolean[], key: string): string {
    const k = derivedKey(kind, mask, key);
    if (this.generated.has(k)) return k;
    this.generated.set(k, null); // registered first: recursion stops here
    const { gf, ir } = this.build(kind, mask, key, k);
    this.sources.set(k, ir);
    this.generated.set(k, gf);
    this.order.push(k);
    const floor = this.calleesPending.length;
    this.calleesPending.push(gf);
    if (!this.draining) this.deriveCalleesDownTo(floor);
    return k;
  }

  /** Derives the callees of the pending functions above `floor`, and theirs, until none is left. */
  private deriveCalleesDownTo(floor: number): void {
    this.draining = true;
    try {
      while (this.calleesPending.length > floor) this.deriveCallees(this.calleesPending.pop()!);
    } finally {
      this.draining = false;
    }
  }

  /** derive(), or null when the derivation is refused (nothing it registered stays). */
  private tryDerive(kind: DerivedKind, mask: readonly boolean[], key: string): string | null {
    // its callees are derived here, inside the transaction, so that their refusals are its own
    const draining = this.draining;
    this.draining = false;
    try {
      return this.transaction(() => this.derive(kind, mask, key));
    } catch (e) {
      if (e instanceof IrRefusal) return null;
      throw e;
    } finally {
      this.draining = draining;
    }
  }

  get(key: string): GeneratedFunction | undefined {
    return this.generated.get(key) ?? undefined;
  }

  /** Every generated function, callees after their callers' first use. */
  all(): GeneratedFunction[] {
    return this.order.map((k) => this.generated.get(k)!).filter((g): g is GeneratedFunction => g !== null);
  }

  /** The IR of a function by key: a source function, or a generated one (generated on demand). */
  sourceOf(key: string): IRFunction {
    const parsed = parseDerivedKey(key);
    if (!parsed) return this.table.source(key);
    if (parsed.kind === "withoutAux") return this.withoutAux(parsed.base).fn;
    this.derive(parsed.kind, parsed.mask, parsed.base);
    const ir = this.sources.get(key);
    if (!ir) throw new Error(`${key} is needed while it is being generated`);
    return ir;
  }

  /**
   * A source function's IR with its calls narrowed to the fields it reads of their results
   * (passes/unread-fields.ts), made once per function: every derivative of it starts there.
   */
  private narrowedSource(key: string): IRFunction {
    let narrowed = this.narrowed.get(key);
    if (!narrowed) {
      narrowed = narrowCallsToReadFields(this.sourceOf(key), (k) => this.sourceOf(k));
      this.narrowed.set(key, narrowed);
    }
    return narrowed;
  }

  /**
   * The IR a forward pass differentiates for the function `key` (`source`, its IR). A checkpointed
   * loop's reverse sweep restores values from snapshots, not their tangents, so forward mode cannot
   * go through it (passes/forward.ts refuses it). Where the reverse pass checkpointed a loop of its
   * own accord (a long constant trip count), the function is generated again with the plain sweep
   * for every loop that did not ask for checkpointing, and that copy is differentiated: second
   * derivatives keep working, with memory growing with the trip count as before checkpointing.
   * Loops annotated `@tsgrad checkpoint` stay checkpointed there, and forward mode refuses them.
   * Callees need nothing here: the tangent of a callee's pullback comes through this same function.
   */
  private tangentSource(key: string, source: IRFunction): IRFunction {
    const parsed = parseDerivedKey(key);
    if (!parsed || !callsCheckpointing(source.body)) return source;
    let plain = this.withoutCheckpoints.get(key);
    if (!plain) {
      plain = this.build(parsed.kind, parsed.mask, parsed.base, key, false).ir;
      this.withoutCheckpoints.set(key, plain);
    }
    return plain;
  }

  /**
   * A function returning [loss, aux], as the function returning its loss (passes/aux.ts): a
   * source for the passes, never emitted itself (what is derived from it is).
   */
  private withoutAux(key: string): SplitAux {
    let split = this.splits.get(key);
    if (!split) {
      const source = this.sourceOf(key);
      split = splitAux(source);
      split = { ...split, fn: { ...split.fn, key: derivedKey("withoutAux", [], key) } };
      this.splits.set(key, split);
    }
    return split;
  }

  /**
   * The output of `withoutAux[](f)` for the functions derived from it that need it (jacobian):
   * the first element of a call of f, since the function without its aux is never emitted.
   */
  private outputWithoutAux(key: string, source: IRFunction): Expr | undefined {
    const parsed = parseDerivedKey(key);
    if (parsed?.kind !== "withoutAux") return undefined;
    const f = this.sourceOf(parsed.base);
    const args = source.params.map((p): Expr => ({ k: "var", v: p.root }));
    return { k: "field", obj: { k: "call", fn: { kind: "user", key: f.key }, args, type: f.returnType }, key: 0 };
  }

  /**
   * Generates the function `k` (kind[mask](key)): its emitted form and its IR as a source of
   * other derivations. With `automaticCheckpoints` false, a copy that only forward passes read
   * (`tangentSource`): no loop is checkpointed unasked, and its stages are not reported.
   */
  private build(
    kind: DerivedKind,
    mask: readonly boolean[],
    key: string,
    k: string,
    automaticCheckpoints = true,
  ): { gf: GeneratedFunction; ir: IRFunction } {
    // a source function calls copies of its callees that leave out the fields it never reads
    const inner = parseDerivedKey(key);
    const source = inner ? this.sourceOf(key) : this.narrowedSource(key);
    const observe = automaticCheckpoints ? this.observe : undefined;
    const report: Report = observe ? (stage, ir) => observe(k, stage, ir()) : () => {};
    report(inner ? "input" : "lowered", () => functionIR(source));
    let wasSimplified = false;
    const anf = (fn: IRFunction) => anfReported(fn, report);
    const reverseReady = (fn: IRFunction) => reverseReadyReported(automaticCheckpoints ? fn : plainSweepsUnasked(fn), report);
    const tangentSource = (fnKey: string, fn: IRFunction) => this.tangentSource(fnKey, fn);
    /** The last assembly before simplification: split mode rewrites its calls (emitted code only). */
    let unsimplified: Assembled | undefined;
    const simplified = (a: Assembled, before: Stage = "assembled") => {
      wasSimplified = true;
      unsimplified = a;
      return simplifiedReported(a, report, before);
    };
    let assembled: Assembled;
    /** The generated function's name and the source function its doc names, where not the source's. */
    let named: { name: string; source: string } | undefined;
    switch (kind) {
      case "jvp":
        assembled = simplified(assembleTangent(anf(tangentSource(key, source)), mask, source.name));
        break;
      case "jvpVec":
        assembled = simplified(vectorize(simplified(assembleTangent(anf(tangentSource(key, source)), mask))), "vectorized");
        break;
      case "grad":
      case "valueAndGrad":
        assembled = simplified(assembleGradient(reverseReady(source), mask, kind === "valueAndGrad"));
        break;
      case "gradAux":
      case "valueAndGradAux": {
        const split = this.withoutAux(key);
        assembled = simplified(assembleGradient(reverseReady(split.fn), mask, kind === "valueAndGradAux", undefined, split.aux));
        break;
      }
      case "jvpAux": {
        const split = this.withoutAux(key);
        assembled = simplified(withAux(assembleTangent(anf(split.fn), mask, source.name), split.aux));
        break;
      }
      case "vjpAux":
        assembled = assembleVjpWrapper(source, mask, this.derive("pullback", mask, derivedKey("withoutAux", [], key)), true);
        break;
      case "withoutAux":
        throw new Error(`${k} is a source of other derivations, never generated itself`);
      case "withAux": {
        // key: the hvp, hessian or jacobian of withoutAux[](f); source: that derivative
        if (!inner) throw new Error(`${k}: withAux of a source function`);
        const f = this.sourceOf(parseDerivedKey(inner.base)!.base);
        const field = inner.kind === "hvp" ? "hvp" : inner.kind === "hessian" ? "hessian" : "jacobian";
        assembled = {
          ...assembleWithAux(f, source, field),
          doc: `${KIND_DOC[inner.kind]} the ${inner.kind === "hvp" || inner.kind === "hessian" ? "loss" : "output"}, with the auxiliary output, of`,
        };
        named = { name: `${f.name}_${KIND_SUFFIX[inner.kind]}_aux`, source: f.name };
        break;
      }
      case "vjp": {
        // a derivative called inside a function differentiated in reverse mode
        if (inner && (inner.kind === "grad" || inner.kind === "valueAndGrad")) {
          const jvpOfGrad = this.derive("jvp", inner.mask, this.derive("grad", mask, inner.base));
          assembled = simplified(
            assembleGradientPullback(this.sourceOf(inner.base), inner.mask, mask, inner.kind === "valueAndGrad", jvpOfGrad),
          );
        } else if (inner && inner.kind !== "jvp" && inner.kind !== "fields")
          throw new Error(`no pullback for ${key}: the reverse pass refuses calls of it`);
        else assembled = simplified(assembleCalleePullback(reverseReady(source), mask));
        break;
      }
      case "splitForward":
      case "splitReverse": {
        const halves = this.split.halves(mask, key);
        if (!halves) throw new Error(`${k}: the pullback of ${source.name} was not split`);
        assembled = kind === "splitForward" ? halves.forward : halves.reverse;
        wasSimplified = true; // before the cut
        break;
      }
      case "pullback":
        assembled = simplified(assemblePublicPullback(reverseReady(source), mask));
        break;
      case "vjpPublic": {
        const pullback = this.derive("pullback", mask, key);
        assembled = assembleVjpWrapper(source, mask, pullback);
        break;
      }
      case "primal":
        assembled = { params: source.params.map((p) => p.root), body: source.body, returnType: source.returnType };
        break;
      case "fields": {
        // what only the fields left out needed is dead code here
        const type = source.returnType;
        if (type.kind !== "record") throw new Error(`${k}: ${source.name} does not return a tuple or object`);
        const body = keepReturnedFields(source, mask);
        assembled = simplified({ params: source.params.map((p) => p.root), body, returnType: type });
        const kept = type.fields.filter((_, i) => mask[i]).map((f) => f.key);
        assembled = { ...assembled, doc: `A copy, returning only ${kept.join(" and ") || "nothing"} (what its caller reads), of` };
        named = { name: `${source.name}_${kept.join("_")}`, source: source.name };
        break;
      }
      case "hvp": {
        // the tangent sweep over the gradient, keeping only the tangent: the gradient's own
        // accumulations that no tangent reads are dead code
        const gradKey = this.derive("grad", mask, key);
        assembled = simplified(tangentOnly(assembleTangent(anf(tangentSource(gradKey, this.sourceOf(gradKey))), mask, source.name)));
        break;
      }
      case "hessian":
        assembled = assembleHessian(source, mask, this.derive("hvp", mask, key));
        break;
      case "jacobian":
      case "jacobianForward":
      case "jacobianReverse":
        assembled = assembleJacobian(
          source,
          mask,
          // forward: every column in one vector sweep where the code allows, else one sweep each
          kind === "jacobianReverse" ? null : (this.tryDerive("jvpVec", mask, key) ?? this.derive("jvp", mask, key)),
          kind === "jacobianForward" ? null : this.derive("pullback", mask, key),
          this.outputWithoutAux(key, source),
        );
        break;
      case "derivative":
      case "valueAndDerivative":
        assembled = assembleDerivative(source, mask, this.derive("jvp", mask, key), kind === "valueAndDerivative");
        break;
    }
    // kinds made of calls of other derived functions (vjp, hessian, jacobian, ...) are only assembled
    if (!wasSimplified) report("assembled", () => assembledIR(assembled));
    const name = named?.name ?? `${source.name}_${KIND_SUFFIX[kind]}`;
    const ir: IRFunction = {
      key: k,
      name,
      params: paramsOf(assembled.params, assembled.body, new Set(source.params.filter((p) => p.captured).map((p) => p.root))),
      body: assembled.body,
      returnType: assembled.returnType,
      origin: source.origin,
    };
    const gf: GeneratedFunction = {
      key: k,
      kind,
      name,
      params: assembled.params,
      // emitted code only: the IR above is what other passes differentiate
      body: skipZeroSeeds(REVERSE_BUILT.has(kind) && !inner && unsimplified ? this.split.emitted(unsimplified, assembled) : assembled.body),
      returnType: assembled.returnType,
      doc: `${assembled.doc ?? KIND_DOC[kind]} \`${named?.source ?? source.name}\``,
      origin: source.origin,
    };
    return { gf, ir };
  }

  private deriveCallees(gf: GeneratedFunction): void {
    forEachStmt(gf.body, (s) => {
      for (const e of stmtExprs(s))
        forEachSubExpr(e, (x) => {
          if (x.k !== "call" || x.fn.kind === "runtime" || x.fn.kind === "opaque" || x.fn.kind === "tensor") return;
          const parsed = parseDerivedKey(calleeKey(x.fn));
          if (parsed) this.derive(parsed.kind, parsed.mask, parsed.base);
          else if (!this.canReference(x.fn.key)) this.derive("primal", [], x.fn.key);
        });
    });
  }
}

/**
 * Parameters of a generated function as IR parameters. A record keeps its leaves: the variables
 * that stand for its parts, or, where the generated code reads it with field expressions (a
 * pullback's seed `seed[0]`), the record itself, so that a derivative of this function sees it
 * vary (a tangent pass over it then reads `seed_dot[0]`). The source's captured variables stay
 * captured.
 */
function paramsOf(roots: readonly Var[], body: Block, captured: ReadonlySet<Var>): Param[] {
  return roots.map((root) => {
    const leaves: Var[] = [];
    if (root.type.kind === "record") {
      const seen = new Set<Var>();
      let readWhole = false;
      forEachStmt(body, (st) => {
        for (const e of stmtExprs(st))
          forEachSubExpr(e, (x) => {
            if (x.k !== "var") return;
            if (x.v === root) readWhole = true;
            else if (x.v.path?.root === root && !seen.has(x.v)) {
              seen.add(x.v);
              leaves.push(x.v);
            }
          });
      });
      if (readWhole) {
        if (leaves.length > 0) throw new Error(`generated code reads ${root.name} both whole and by leaves`);
        leaves.push(root);
      }
    } else leaves.push(root);
    // what a closure captures stays data in its derivatives (lower/captures.ts)
    return { root, leaves, differentiable: isDifferentiable(root.type), ...(captured.has(root) ? { captured: true } : {}) };
  });
}

/** Whether generated code calls the runtime's checkpointing (a checkpointed loop's sweeps). */
function callsCheckpointing(body: Block): boolean {
  let found = false;
  forEachStmt(body, (s) => {
    if (!found)
      for (const e of stmtExprs(s))
        forEachSubExpr(e, (x) => {
          if (x.k === "call" && isCheckpointCall(x.fn)) found = true;
        });
  });
  return found;
}

/** `fn` with the plain sweep for every loop that does not ask for checkpointing (`@tsgrad checkpoint off` on those). */
function plainSweepsUnasked(fn: IRFunction): IRFunction {
  const body = mapBlock(fn.body, (s) => (s.k === "loop" && s.checkpoint === undefined ? { ...s, checkpoint: "off" as const } : s));
  return { ...fn, body };
}

/** A-normal form. */
function anfReported(fn: IRFunction, report: Report): IRFunction {
  const anf = toAnf(fn);
  report("anf", () => functionIR(anf));
  return anf;
}

/** Reverse mode needs one exit and no jumps, then A-normal form. */
function reverseReadyReported(fn: IRFunction, report: Report): IRFunction {
  const structured = structure(fn);
  report("structured", () => functionIR(structured));
  return anfReported(structured, report);
}

/** Simplification of an assembled function (reporting the pass's output and the assembly first). */
function simplifiedReported(a: Assembled, report: Report, before: Stage): Assembled {
  const pass = a.pass;
  if (pass) report(pass.stage, () => ({ params: a.params, sections: pass.sections }));
  report(before, () => assembledIR(a));
  const out = { ...a, body: simplify(a.body) };
  report("simplified", () => assembledIR(out));
  return out;
}

function functionIR(fn: IRFunction): StageIR {
  return { params: fn.params.map((p) => p.root), sections: [{ body: fn.body }] };
}

function assembledIR(a: Assembled): StageIR {
  return { params: a.params, sections: [{ body: a.body }] };
}
