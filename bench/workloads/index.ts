/** The workloads, in the order the report lists them. */
import type { Workload } from "../harness/types.js";
import { gaussianMixture } from "./gmm.js";
import { hessianVector } from "./hvp.js";
import { mlpStep } from "./mlp.js";
import { linearMse } from "./mse.js";
import { odeJacobian } from "./ode-jacobian.js";
import { rosenbrock } from "./rosenbrock.js";

export const WORKLOADS: readonly Workload[] = [rosenbrock, linearMse, gaussianMixture, mlpStep, hessianVector, odeJacobian];
