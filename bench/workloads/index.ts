/** The workloads, in the order the report lists them. */
import type { Workload } from "../harness/types.js";
import { rosenbrock } from "./rosenbrock.js";

export const WORKLOADS: readonly Workload[] = [rosenbrock];
