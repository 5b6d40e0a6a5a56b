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
import { particle } from "./particle.ts";
import { saddle } from "./saddle.ts";

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
  particle,
  saddle,
];
