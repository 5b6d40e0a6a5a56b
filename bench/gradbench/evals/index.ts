/** Every eval module the tool answers for, by GradBench's module name. */
import type { EvalModule } from "../protocol.ts";
import { ba } from "./ba.ts";
import { det } from "./det.ts";
import { gmm } from "./gmm.ts";
import { hello } from "./hello.ts";
import { ht } from "./ht.ts";
import { kmeans } from "./kmeans.ts";
import { llsq } from "./llsq.ts";
import { lse } from "./lse.ts";
import { lstm } from "./lstm.ts";
import { ode } from "./ode.ts";

/**
 * particle.ts and saddle.ts hold these evals written with nested markers, and are not imported:
 * the transformer refuses them, so compiling them would stop the whole tool from starting.
 */
const NESTED =
  "tsgrad does not compile this eval yet: it needs nested derivatives, a grad or jvp call inside a function " +
  "that is itself differentiated, and the transformer refuses the inner call (TSG1002), destructuring its " +
  "gradient (TSG1009) and reading .tangent from it (TSG1009). The code is in bench/gradbench/evals/";

export const EVALS: readonly EvalModule[] = [
  hello,
  llsq,
  lse,
  det,
  ode,
  gmm,
  lstm,
  ba,
  ht,
  kmeans,
  { name: "particle", functions: {}, unsupported: `${NESTED}particle.ts` },
  { name: "saddle", functions: {}, unsupported: `${NESTED}saddle.ts` },
];
