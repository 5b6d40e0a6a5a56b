/** The workloads, in the order the report lists them. */
import type { Workload } from "../harness/types.js";
import { gaussianMixture } from "./gmm.js";
import { linearMse } from "./mse.js";
import { rosenbrock } from "./rosenbrock.js";

export const WORKLOADS: readonly Workload[] = [rosenbrock, linearMse, gaussianMixture];
