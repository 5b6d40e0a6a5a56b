/**
 * ht: hand tracking (ADBench). A skinned hand model is posed by 26 parameters theta (global
 * rotation, translation, then finger joint angles); the residuals are the differences between
 * observed points and the model's corresponding vertices ("simple"), or points on the model's
 * triangles at barycentric coordinates us ("complicated"). `jacobian` is the Jacobian of the
 * residuals, by forward mode: one vector sweep for the 26 theta columns, and two sweeps for us,
 * whose columns are block-diagonal (each residual depends only on its own pair of coordinates),
 * so one sweep per coordinate gives every row's entry.
 */
import { jacobian, jvp } from "tsgrad";
import { fail, indices, record, rows, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

export interface HandModel {
  readonly parents: number[]; // per bone, -1 for the root; parents come before children
  readonly baseRelatives: number[][]; // per bone, a 4x4 matrix row-major
  readonly inverseBaseAbsolutes: number[][]; // per bone, a 4x4 matrix row-major
  readonly basePositions: number[]; // per vertex, x y z 1
  readonly weights: number[][]; // per vertex, one skinning weight per bone
  readonly triangles: number[]; // per triangle, three vertex indices
  readonly isMirrored: boolean;
}

export interface Observations {
  readonly correspondences: number[]; // per point, a vertex (simple) or a triangle (complicated)
  readonly points: number[]; // per point, x y z
}

/** Row-major product of an r×k and a k×c matrix. */
export function matmul(a: number[], b: number[], r: number, k: number, c: number): number[] {
  const out = new Array<number>(r * c).fill(0);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      let sum = 0;
      for (let l = 0; l < k; l++) sum += a[i * k + l]! * b[l * c + j]!;
      out[i * c + j] = sum;
    }
  return out;
}

/** The rotation by angle-axis vector (a0, a1, a2), row-major 3x3 (the identity near zero). */
export function angleAxisToRotation(a0: number, a1: number, a2: number): number[] {
  const R = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const norm = Math.sqrt(a0 * a0 + a1 * a1 + a2 * a2);
  if (norm >= 0.0001) {
    const x = a0 / norm;
    const y = a1 / norm;
    const z = a2 / norm;
    const s = Math.sin(norm);
    const c = Math.cos(norm);
    R[0] = x * x + (1 - x * x) * c;
    R[1] = x * y * (1 - c) - z * s;
    R[2] = x * z * (1 - c) + y * s;
    R[3] = x * y * (1 - c) + z * s;
    R[4] = y * y + (1 - y * y) * c;
    R[5] = y * z * (1 - c) - x * s;
    R[6] = x * z * (1 - c) - y * s;
    R[7] = z * y * (1 - c) + x * s;
    R[8] = z * z + (1 - z * z) * c;
  }
  return R;
}

/** Rz(tz) Ry(ty) Rx(tx), row-major 3x3. */
export function eulerToRotation(tx: number, ty: number, tz: number): number[] {
  const rx = [1, 0, 0, 0, Math.cos(tx), -Math.sin(tx), 0, Math.sin(tx), Math.cos(tx)];
  const ry = [Math.cos(ty), 0, Math.sin(ty), 0, 1, 0, -Math.sin(ty), 0, Math.cos(ty)];
  const rz = [Math.cos(tz), -Math.sin(tz), 0, Math.sin(tz), Math.cos(tz), 0, 0, 0, 1];
  return matmul(matmul(rz, ry, 3, 3, 3), rx, 3, 3, 3);
}

/**
 * The pose parameters, three per column, column-major: global rotation, scale (ones), global
 * translation, then three angles per bone. Of each finger's four bones the first three move: the
 * first by two angles (flexion and spread), the next two by one; the rest stay at zero.
 */
export function poseParameters(theta: Float64Array, bones: number): number[] {
  const pose = new Array<number>(3 * (bones + 3)).fill(0);
  for (let i = 0; i < 3; i++) {
    pose[i] = theta[i]!;
    pose[3 + i] = 1;
    pose[6 + i] = theta[3 + i]!;
  }
  let t = 6;
  let column = 5;
  for (let finger = 0; finger < 5; finger++) {
    for (let joint = 0; joint < 3; joint++) {
      pose[3 * column] = theta[t]!;
      t++;
      if (joint === 0) {
        pose[3 * column + 1] = theta[t]!;
        t++;
      }
      column++;
    }
    column++;
  }
  return pose;
}

/** The posed vertex positions, x y z per vertex, after skinning and the global transform. */
export function skinnedVertices(
  theta: Float64Array,
  parents: number[],
  baseRelatives: number[][],
  inverseBaseAbsolutes: number[][],
  basePositions: number[],
  weights: number[][],
  isMirrored: boolean,
): number[] {
  const bones = parents.length;
  const pose = poseParameters(theta, bones);

  // Each bone's transform: its base transform relative to its parent, rotated by its angles,
  // chained from the root, times the inverse of its base absolute transform.
  const absolutes: number[][] = [];
  const transforms: number[][] = [];
  for (let i = 0; i < bones; i++) {
    const r = eulerToRotation(pose[3 * (i + 3)]!, pose[3 * (i + 3) + 2]!, pose[3 * (i + 3) + 1]!);
    const posed = [r[0]!, r[1]!, r[2]!, 0, r[3]!, r[4]!, r[5]!, 0, r[6]!, r[7]!, r[8]!, 0, 0, 0, 0, 1];
    const relative = matmul(baseRelatives[i]!, posed, 4, 4, 4);
    const parent = parents[i]!;
    if (parent === -1) absolutes.push(relative);
    else absolutes.push(matmul(absolutes[parent]!, relative, 4, 4, 4));
    transforms.push(matmul(absolutes[i]!, inverseBaseAbsolutes[i]!, 4, 4, 4));
  }

  // Linear blend skinning, then the global rotation, scale and translation.
  const vertices = basePositions.length / 4;
  const R = angleAxisToRotation(pose[0]!, pose[1]!, pose[2]!);
  const positions: number[] = [];
  for (let v = 0; v < vertices; v++) {
    let x = 0;
    let y = 0;
    let z = 0;
    for (let b = 0; b < bones; b++) {
      const weight = weights[v]![b]!;
      if (weight !== 0) {
        const T = transforms[b]!;
        const p0 = basePositions[4 * v]!;
        const p1 = basePositions[4 * v + 1]!;
        const p2 = basePositions[4 * v + 2]!;
        const p3 = basePositions[4 * v + 3]!;
        x += weight * (T[0]! * p0 + T[1]! * p1 + T[2]! * p2 + T[3]! * p3);
        y += weight * (T[4]! * p0 + T[5]! * p1 + T[6]! * p2 + T[7]! * p3);
        z += weight * (T[8]! * p0 + T[9]! * p1 + T[10]! * p2 + T[11]! * p3);
      }
    }
    if (isMirrored) x = -x;
    positions.push(R[0]! * pose[3]! * x + R[1]! * pose[4]! * y + R[2]! * pose[5]! * z + pose[6]!);
    positions.push(R[3]! * pose[3]! * x + R[4]! * pose[4]! * y + R[5]! * pose[5]! * z + pose[7]!);
    positions.push(R[6]! * pose[3]! * x + R[7]! * pose[4]! * y + R[8]! * pose[5]! * z + pose[8]!);
  }
  return positions;
}

/**
 * The residuals, three per observed point: the point minus its vertex when `us` is empty, else
 * minus the point at barycentric coordinates (u0, u1, 1 - u0 - u1) of its triangle.
 */
export function htObjective(theta: Float64Array, us: Float64Array, model: HandModel, observed: Observations): number[] {
  const positions = skinnedVertices(theta, model.parents, model.baseRelatives, model.inverseBaseAbsolutes, model.basePositions, model.weights, model.isMirrored);
  const err: number[] = [];
  for (let i = 0; i < observed.correspondences.length; i++) {
    const target = observed.correspondences[i]!;
    for (let j = 0; j < 3; j++) {
      let vertex = positions[3 * target + j]!;
      if (us.length > 0) {
        const t = model.triangles;
        const u0 = us[2 * i]!;
        const u1 = us[2 * i + 1]!;
        vertex = u0 * positions[3 * t[3 * target]! + j]! + u1 * positions[3 * t[3 * target + 1]! + j]! + (1 - u0 - u1) * positions[3 * t[3 * target + 2]! + j]!;
      }
      err.push(observed.points[3 * i + j]! - vertex);
    }
  }
  return err;
}

export const htTangent = jvp(htObjective, { wrt: [0, 1] });
/** The residuals' Jacobian in theta: every column in one vector forward sweep. */
export const htThetaJacobian = jacobian(htObjective, { wrt: [0], mode: "forward" });

interface HtInput {
  readonly theta: Float64Array;
  readonly us: Float64Array;
  readonly model: HandModel;
  readonly observed: Observations;
}

/**
 * The Jacobian column by column (column-major, 3N rows): for complicated inputs the us columns
 * (each row's derivative in its own u0, then u1: one tangent sweep each, since every residual
 * depends on its own pair only), then the theta columns, from one vector sweep.
 */
export function htJacobian(input: HtInput): { columns: Float64Array; rows: number; cols: number } {
  const { theta, us, model, observed } = input;
  const rowCount = 3 * observed.correspondences.length;
  const usColumns = us.length > 0 ? 2 : 0;
  const cols = usColumns + theta.length;
  const columns = new Float64Array(rowCount * cols);
  const thetaDirection = new Float64Array(theta.length);
  const usDirection = new Float64Array(us.length);
  for (let k = 0; k < usColumns; k++) {
    for (let i = k; i < us.length; i += 2) usDirection[i] = 1;
    columns.set(htTangent(theta, us, model, observed, thetaDirection, usDirection).tangent, k * rowCount);
    usDirection.fill(0);
  }
  const thetaRows = htThetaJacobian(theta, us, model, observed);
  for (let r = 0; r < rowCount; r++) for (let k = 0; k < theta.length; k++) columns[(usColumns + k) * rowCount + r] = thetaRows[r]![k]!;
  return { columns, rows: rowCount, cols };
}

/** Rows of a flat row-major matrix as arrays. */
function split(data: Float64Array, rowCount: number, cols: number): number[][] {
  return Array.from({ length: rowCount }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));
}

/** `count` 4x4 matrices, each flattened row-major. */
function transforms(v: unknown, what: string, count: number): number[][] {
  if (!Array.isArray(v) || v.length !== count) fail(`${what} must hold ${count} 4x4 matrices`);
  return v.map((m, i) => Array.from(rows(m, `${what}[${i}]`, { rows: 4, cols: 4 }).data));
}

function prepare(input: unknown): HtInput {
  const r = record(input);
  const data = record(r.data, "data");
  const model = record(data.model, "data.model");
  const parents = indices(model.parents, "data.model.parents", { min: -1 });
  const bones = parents.length;
  // The pose layout (wrist, then five fingers of four bones) reaches bone 20.
  if (bones < 21) fail(`data.model.parents must list at least 21 bones, got ${bones}`);
  parents.forEach((p, i) => {
    if (p >= i) fail(`data.model.parents[${i}] = ${p} must name an earlier bone`);
  });
  const positions = rows(model.base_positions, "data.model.base_positions", { cols: 4 });
  const vertices = positions.rows;
  const triangles = rows(model.triangles, "data.model.triangles", { cols: 3 });
  const correspondences = indices(data.correspondences, "data.correspondences");
  const points = rows(data.points, "data.points", { rows: correspondences.length, cols: 3 });
  const usRows: unknown = r.us ?? [];
  const us = Array.isArray(usRows) && usRows.length === 0 ? new Float64Array(0) : rows(usRows, "us", { rows: correspondences.length, cols: 2 }).data;
  const limit = us.length > 0 ? triangles.rows : vertices;
  for (const c of correspondences) if (c >= limit) fail(`data.correspondences has ${c}, beyond the ${limit} ${us.length > 0 ? "triangles" : "vertices"}`);
  for (const t of triangles.data) if (!Number.isInteger(t) || t < 0 || t >= vertices) fail(`data.model.triangles has vertex ${t} of ${vertices}`);
  return {
    theta: vector(r.theta, "theta", 26),
    us,
    model: {
      parents,
      baseRelatives: transforms(model.base_relatives, "data.model.base_relatives", bones),
      inverseBaseAbsolutes: transforms(model.inverse_base_absolutes, "data.model.inverse_base_absolutes", bones),
      basePositions: Array.from(positions.data),
      weights: split(rows(model.weights, "data.model.weights", { rows: vertices, cols: bones }).data, vertices, bones),
      triangles: Array.from(triangles.data),
      isMirrored: model.is_mirrored === true,
    },
    observed: { correspondences, points: Array.from(points.data) },
  };
}

export const ht: EvalModule = {
  name: "ht",
  functions: {
    objective: evalFunction({ prepare, compute: (p) => htObjective(p.theta, p.us, p.model, p.observed), answer: (err) => err }),
    jacobian: evalFunction({
      prepare,
      compute: htJacobian,
      // One row per residual, its entries in column order.
      answer: (j) => Array.from({ length: j.rows }, (_, i) => Array.from({ length: j.cols }, (_, k) => j.columns[k * j.rows + i]!)),
    }),
  },
};
