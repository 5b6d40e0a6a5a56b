/**
 * Stage 1: the programs of a campaign. Program i of campaign seed S has its own seed (a hash of
 * S and i), so any one program can be generated again alone (`--replay <program seed>`).
 */
import { Choices, uint32Stream } from "../test/support/fuzz/choices.js";
import { generateProgram } from "../test/support/fuzz/generate.js";

/** The seed of program `index` of a campaign. */
export function programSeed(campaignSeed: number, index: number): number {
  const next = uint32Stream((Math.imul(campaignSeed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  next();
  return next() % 2 ** 31;
}

/** The program of a seed, and the draws that make it (for shrinking). */
export function programOf(seed: number) {
  const c = new Choices([], uint32Stream(seed));
  const program = generateProgram(c, `p${seed}`);
  return { program, draws: c.drawn };
}
