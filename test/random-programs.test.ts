/**
 * Random programs through every marker (the CI part of the random-program campaign; the long
 * campaign is `npm run fuzz`). A fixed set of program seeds: programs with helpers calling helpers
 * (pass-through helpers, helpers in a sibling module, helpers returning tuples and objects, called
 * per element in loops), local helpers and arrows closing over the code around them, parameters of every kind, module constants passed down, and every
 * primitive (test/support/fuzz/generate.ts); bitwise operators on counters and on differentiated
 * values, slices read in loops, a `let` tuple state reassigned in a loop, helpers writing into a
 * caller's array, module-level tuples and objects read as data, and the everyday idioms
 * (test/support/fuzz/idioms.ts: entries loops, reduce without an initial value, callbacks by name,
 * destructuring assignment, rest, at, concat, findIndex, Number(cond), sorted and reversed
 * copies, optional fields, console.log, stubbed while checked). They are compiled through one ts.Program, and each
 * is checked at random points (test/support/fuzz/checks.ts):
 *   - grad, valueAndGrad, jvp, vjp, hvp of the program, against central finite differences of
 *     the plain program (where those are stable at two step sizes) and against each other (the
 *     dot-product test; hvp against finite differences of grad, and symmetric in two directions);
 *   - hessian (symmetric, and its product with a direction is hvp), jvp(grad(f)), jacobian of a
 *     vector-valued variant in both modes (equal, against jvp, vjp and finite differences),
 *     grad(grad(g)) of a one-number variant (against the Hessian along its line and finite
 *     differences), a function that calls grad inside (its gradient is H w + grad / 2), and the
 *     Hessian of a tensor parameter (a block of the whole Hessian), grad and hvp of arrows over
 *     the data inside a function, and gradient steps of a training loop on such a closure;
 *   - after every call of generated code the shared stacks are as they were and the arguments
 *     unchanged.
 * A failing program reports at once (fast-check's endOnFailure: no shrinking of the inputs; the
 * campaign tool shrinks the program itself).
 */
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Choices, uint32Stream } from "./support/fuzz/choices.js";
import { runChecks, type Report } from "./support/fuzz/checks.js";
import { compileBatch, importCases, type CompileOutcome } from "./support/fuzz/compile.js";
import { generateProgram } from "./support/fuzz/generate.js";
import { moduleSources, type CaseExports } from "./support/fuzz/harness.js";
import { CONSTRUCTS, IDIOMS } from "./support/fuzz/spec.js";
import { pointArbitrary } from "./support/fuzz/points.js";
import { GENERATED_DIR } from "./support/compile.js";

const PROGRAMS = 40;
const POINTS = 10;
const SEED = 20261208;

const nextSeed = uint32Stream(SEED);
const programs = Array.from({ length: PROGRAMS }, (_, i) => {
  const seed = nextSeed() % 2 ** 31;
  return { seed, program: generateProgram(new Choices([], uint32Stream(seed)), `p${i}`) };
});

/** Points per program where f was finite, and where finite differences were stable (checked). */
const counts: { valid: number; smooth: number; secondOrder: number }[] = [];

describe("random programs through every marker", () => {
  let outcomes: CompileOutcome[] = [];
  beforeAll(() => {
    const files = programs.map(({ program }, i) => ({ id: `p${i}`, ...moduleSources(program) }));
    outcomes = compileBatch(path.join(GENERATED_DIR, "random-programs"), files, { typecheck: true });
  }, 240_000);

  it(`compiles all ${PROGRAMS} programs: no type error, no refusal, no crash`, () => {
    const problems = outcomes.filter((o) => o.status !== "ok").map((o) => `${o.id}: ${o.status}\n${"message" in o ? o.message : ""}`);
    expect(problems).toEqual([]);
  });

  it("the programs have the shapes that hid bugs: helper chains, pass-throughs, helpers in another module, closures, and every construct counted", () => {
    const stats = programs.map((p) => p.program.stats);
    expect(stats.filter((s) => s.depth >= 3).length).toBeGreaterThanOrEqual(PROGRAMS / 5);
    expect(stats.filter((s) => s.passThrough > 0).length).toBeGreaterThanOrEqual(PROGRAMS / 4);
    expect(stats.filter((s) => s.libHelpers > 0).length).toBeGreaterThanOrEqual(PROGRAMS / 5);
    expect(stats.filter((s) => s.closures > 0).length).toBeGreaterThanOrEqual(PROGRAMS / 5);
    // the constructs the compiler learned last: bitwise operators, slices, a let tuple state,
    // helpers writing into a caller's array, module-level tuples and objects
    for (const construct of CONSTRUCTS) expect(stats.filter((s) => s.uses[construct] > 0).length, `programs writing ${construct}`).toBeGreaterThanOrEqual(2);
    // the everyday idioms: entries/keys/values loops, reduce without an initial value, callbacks by
    // name, destructuring assignment, rest, at, concat, findIndex, Number(cond), sorted and
    // reversed copies, a median, optional fields and objects, console.log
    for (const construct of IDIOMS) expect(stats.filter((s) => s.uses[construct] > 0).length, `programs writing ${construct}`).toBeGreaterThanOrEqual(1);
    const kinds = new Set(programs.flatMap((p) => p.program.params.map((q) => q.kind)));
    expect([...kinds].sort()).toEqual(["arr", "f64", "num", "obj", "ten", "tup"]);
  });

  for (const [i, { seed, program }] of programs.entries()) {
    const s = program.stats;
    it(`p${i} (seed ${seed}; ${s.helpers} helpers, chain ${s.depth}, ${s.passThrough} pass-through, ${s.libHelpers} in lib): every marker against finite differences and the other modes`, async () => {
      const outcome = outcomes[i]!;
      if (outcome.status !== "ok") return expect.fail(`p${i} did not compile (${outcome.status})`);
      const cases = await importCases<CaseExports>(outcome.entry);
      const total: Report = { points: 0, valid: 0, smooth: 0, secondOrder: 0, ran: {} };
      fc.assert(
        fc.property(pointArbitrary, (point) => {
          const r = runChecks(program, cases, [point], { expensiveEvery: total.points % 2 === 0 ? 1 : 2 });
          total.points++;
          total.valid += r.valid;
          total.smooth += r.smooth;
          total.secondOrder += r.secondOrder;
          if (r.failure) {
            const f = r.failure;
            const sources = moduleSources(program);
            throw new Error(`${f.message}\n  expected ${JSON.stringify(f.expected)}\n  got      ${JSON.stringify(f.got)}\n${sources.lib ? `---- lib.ts\n${sources.lib}\n---- main.ts\n` : ""}${program.main}`);
          }
        }),
        { numRuns: POINTS, seed: SEED + i, endOnFailure: true, unbiased: true },
      );
      counts[i] = total;
      // most points must have been checked against finite differences, not skipped as kinks
      expect(total.valid, "points where the program is finite").toBeGreaterThanOrEqual(POINTS / 2);
      expect(total.smooth / total.valid, `points checked against finite differences: ${total.smooth} of ${total.valid}`).toBeGreaterThanOrEqual(0.5);
    });
  }

  it("across all programs, most points were checked against finite differences, first and second order", () => {
    const sum = (f: (c: (typeof counts)[number]) => number) => counts.reduce((a, c) => a + (c ? f(c) : 0), 0);
    const valid = sum((c) => c.valid);
    const smooth = sum((c) => c.smooth);
    const second = sum((c) => c.secondOrder);
    console.log(`random programs: ${valid} valid points, ${smooth} checked against finite differences, ${second} second order against finite differences of the gradient`);
    expect(counts.filter(Boolean).length, "programs checked").toBe(PROGRAMS);
    expect(smooth / valid).toBeGreaterThanOrEqual(0.8);
    expect(second / valid).toBeGreaterThanOrEqual(0.6);
  });
});
