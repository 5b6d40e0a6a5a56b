/**
 * ba: bundle adjustment's residuals (ADBench). Each of p observations projects a 3D point through
 * a camera (Rodrigues rotation, radial distortion) and compares it with a 2D feature, scaled by a
 * weight w; each weight also gets the residual 1 - w². `jacobian` is the sparse Jacobian of all
 * residuals in all cameras, points and weights.
 *
 * The input holds one camera, point, weight and feature, repeated n, m, p and p times; the tool
 * must still do the work for every observation, and answers only a summary of the matrix.
 */
import { grad, vjp } from "tsgrad";
import { integer, number, record, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

const CAMERA_PARAMS = 11; // rotation (3), centre (3), focal length, principal point (2), distortion (2)
const BLOCK = CAMERA_PARAMS + 3 + 1; // the parameters one residual depends on: a camera, a point, a weight

/**
 * The two residuals of one observation, from scalars only (no array is made): the camera is
 * cams[camAt .. camAt + 11), the point X[xAt .. xAt + 3), the feature feats[fAt .. fAt + 2). The
 * point relative to the camera centre is rotated by the angle-axis vector (Rodrigues), projected,
 * distorted radially, scaled by the focal length and shifted to the principal point.
 */
export function reprojectionError(cams: Float64Array, camAt: number, X: Float64Array, xAt: number, w: number, feats: Float64Array, fAt: number): number[] {
  const r0 = cams[camAt]!;
  const r1 = cams[camAt + 1]!;
  const r2 = cams[camAt + 2]!;
  const p0 = X[xAt]! - cams[camAt + 3]!;
  const p1 = X[xAt + 1]! - cams[camAt + 4]!;
  const p2 = X[xAt + 2]! - cams[camAt + 5]!;
  const sqTheta = r0 * r0 + r1 * r1 + r2 * r2;
  // At the origin, first order: p + r × p.
  let x = p0 + (r1 * p2 - r2 * p1);
  let y = p1 + (r2 * p0 - r0 * p2);
  let z = p2 + (r0 * p1 - r1 * p0);
  if (sqTheta !== 0) {
    const theta = Math.sqrt(sqTheta);
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const w0 = r0 / theta;
    const w1 = r1 / theta;
    const w2 = r2 / theta;
    const along = (w0 * p0 + w1 * p1 + w2 * p2) * (1 - cos);
    x = p0 * cos + (w1 * p2 - w2 * p1) * sin + w0 * along;
    y = p1 * cos + (w2 * p0 - w0 * p2) * sin + w1 * along;
    z = p2 * cos + (w0 * p1 - w1 * p0) * sin + w2 * along;
  }
  const u = x / z;
  const v = y / z;
  const rsq = u * u + v * v;
  const distortion = 1 + cams[camAt + 9]! * rsq + cams[camAt + 10]! * rsq * rsq;
  const focal = cams[camAt + 6]!;
  return [w * (u * distortion * focal + cams[camAt + 7]! - feats[fAt]!), w * (v * distortion * focal + cams[camAt + 8]! - feats[fAt + 1]!)];
}

export function weightError(w: number): number {
  return 1 - w * w;
}

/**
 * The pullback of one observation's residuals in its camera, point and weight. It is called with
 * the observation's camera and point copied into 11- and 3-number work buffers (at 0), so that
 * the adjoints it makes have the block's size, not that of all cameras and points.
 */
export const reprojectionVjp = vjp(reprojectionError, { wrt: [0, 2, 4] });
export const weightErrorGradient = grad(weightError);

export interface BaProblem {
  readonly n: number;
  readonly m: number;
  readonly p: number;
  readonly cams: Float64Array; // n by 11
  readonly X: Float64Array; // m by 3
  readonly w: Float64Array; // p
  readonly feats: Float64Array; // p by 2
  readonly obs: Int32Array; // p pairs (camera, point)
}

export function baObjective(b: BaProblem): { reprojErr: Float64Array; wErr: Float64Array } {
  const reprojErr = new Float64Array(2 * b.p);
  const wErr = new Float64Array(b.p);
  for (let i = 0; i < b.p; i++) {
    const e = reprojectionError(b.cams, b.obs[2 * i]! * CAMERA_PARAMS, b.X, b.obs[2 * i + 1]! * 3, b.w[i]!, b.feats, 2 * i);
    reprojErr[2 * i] = e[0]!;
    reprojErr[2 * i + 1] = e[1]!;
    wErr[i] = weightError(b.w[i]!);
  }
  return { reprojErr, wErr };
}

/** A sparse matrix in compressed rows: row r holds cols/vals[rows[r] .. rows[r + 1]). */
export interface SparseJacobian {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly vals: Float64Array;
}

/**
 * The Jacobian of the 2p reprojection residuals and then the p weight residuals in the 11n camera
 * parameters, 3m point coordinates and p weights (in that column order). Each reprojection row
 * has 15 entries (its camera, its point, its weight), from two pullbacks of the residual pair.
 */
export function baJacobian(b: BaProblem): SparseJacobian {
  const rows = new Int32Array(3 * b.p + 1);
  const cols = new Int32Array(2 * BLOCK * b.p + b.p);
  const vals = new Float64Array(2 * BLOCK * b.p + b.p);
  const pointColumns = CAMERA_PARAMS * b.n;
  const weightColumns = pointColumns + 3 * b.m;
  let nnz = 0;
  let row = 0;
  const camera = new Float64Array(CAMERA_PARAMS);
  const point = new Float64Array(3);
  for (let i = 0; i < b.p; i++) {
    const cam = b.obs[2 * i]!;
    const pt = b.obs[2 * i + 1]!;
    for (let j = 0; j < CAMERA_PARAMS; j++) camera[j] = b.cams[cam * CAMERA_PARAMS + j]!;
    for (let j = 0; j < 3; j++) point[j] = b.X[3 * pt + j]!;
    const { pullback } = reprojectionVjp(camera, 0, point, 0, b.w[i]!, b.feats, 2 * i);
    for (let r = 0; r < 2; r++) {
      const [dCam, dX, dW] = pullback(r === 0 ? [1, 0] : [0, 1]);
      for (let j = 0; j < CAMERA_PARAMS; j++) {
        cols[nnz] = cam * CAMERA_PARAMS + j;
        vals[nnz++] = dCam[j]!;
      }
      for (let j = 0; j < 3; j++) {
        cols[nnz] = pointColumns + 3 * pt + j;
        vals[nnz++] = dX[j]!;
      }
      cols[nnz] = weightColumns + i;
      vals[nnz++] = dW;
      rows[++row] = nnz;
    }
  }
  for (let i = 0; i < b.p; i++) {
    cols[nnz] = weightColumns + i;
    vals[nnz++] = weightErrorGradient(b.w[i]!);
    rows[++row] = nnz;
  }
  return { rows, cols, vals };
}

/** Expands the one camera, point, weight and feature of the input to n, m, p and p copies. */
function prepare(input: unknown): BaProblem {
  const r = record(input);
  const n = integer(r.n, "n", 1);
  const m = integer(r.m, "m", 1);
  const p = integer(r.p, "p", 1);
  const cam = vector(r.cam, "cam", CAMERA_PARAMS);
  const x = vector(r.x, "x", 3);
  const w = number(r.w, "w");
  const feat = vector(r.feat, "feat", 2);
  const cams = new Float64Array(CAMERA_PARAMS * n);
  for (let i = 0; i < n; i++) cams.set(cam, i * CAMERA_PARAMS);
  const X = new Float64Array(3 * m);
  for (let i = 0; i < m; i++) X.set(x, 3 * i);
  const feats = new Float64Array(2 * p);
  const obs = new Int32Array(2 * p);
  for (let i = 0; i < p; i++) {
    feats.set(feat, 2 * i);
    obs[2 * i] = i % n;
    obs[2 * i + 1] = i % m;
  }
  return { n, m, p, cams, X, w: new Float64Array(p).fill(w), feats, obs };
}

/** The first 30 entries and the last one, which is what the eval compares. */
function summary(a: Int32Array | Float64Array): number[] {
  return [...a.subarray(0, 30), a[a.length - 1]!];
}

export const ba: EvalModule = {
  name: "ba",
  functions: {
    objective: evalFunction({
      prepare,
      compute: baObjective,
      answer: (e, b) => ({
        reproj_error: { elements: [e.reprojErr[0]!, e.reprojErr[1]!], repeated: b.p },
        w_err: { element: e.wErr[0]!, repeated: b.p },
      }),
    }),
    jacobian: evalFunction({
      prepare,
      compute: baJacobian,
      answer: (j) => ({ rows: summary(j.rows), cols: summary(j.cols), vals: summary(j.vals) }),
    }),
  },
};
