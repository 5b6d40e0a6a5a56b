/**
 * The numbers beside the plot: at the clicked point, the value, gradient, directional derivative,
 * Hessian, its eigenvalues and the second-derivative test; and the iterates of both methods.
 * Each number's element carries its full value in a data attribute (what the browser tests read);
 * the text shows six significant digits.
 */
import { eigenvalues, isCritical, secondDerivativeTest, type Matrix, type Path, type Point, type Verdict } from "./calculus.js";
import type { UserDerivatives } from "./user-module.js";

/** A number in `digits` significant digits, in exponent form when very small or large. */
export function fmt(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  const text = a >= 1e-4 && a < 1e7 ? String(Number(v.toPrecision(digits))) : v.toExponential(Math.min(digits - 2, 4));
  return text.replace(/-/g, "−");
}

const vector = (v: Point) => `(${fmt(v[0])}, ${fmt(v[1])})`;
/** A unit vector's components: cos(π/2) is 6e-17, shown as the 0 it stands for. */
const unit = (v: Point): Point => [Math.abs(v[0]) < 1e-12 ? 0 : v[0], Math.abs(v[1]) < 1e-12 ? 0 : v[1]];

function set(id: string, text: string, data: Record<string, string> = {}): void {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  for (const [k, v] of Object.entries(data)) el.dataset[k] = v;
}

const VERDICT_TEXT: Record<Verdict, string> = {
  minimum: "a minimum: both eigenvalues > 0, f curves up in every direction",
  maximum: "a maximum: both eigenvalues < 0, f curves down in every direction",
  saddle: "a saddle: eigenvalues of both signs, up one way and down another",
  inconclusive: "inconclusive: an eigenvalue is 0, so the second derivatives do not decide",
};

const SHAPE_TEXT: Record<Verdict, string> = {
  minimum: "curves up in every direction here (positive definite)",
  maximum: "curves down in every direction here (negative definite)",
  saddle: "curves up one way and down another here (indefinite)",
  inconclusive: "is flat along an eigenvector here (singular)",
};

export interface PointReadout {
  readonly point: Point;
  readonly direction: number;
  readonly gradient: Point;
  readonly value: number;
}

/** Fills the point's readout; returns the gradient for the plot's arrow. */
export function showPoint(d: UserDerivatives, point: Point, direction: number): PointReadout {
  const value = d.value(point);
  const g = d.gradient(point);
  const size = Math.hypot(g[0], g[1]);
  set("r-point", vector(point), { x: String(point[0]), y: String(point[1]) });
  set("r-value", fmt(value), { value: String(value) });
  set("r-gradient", `${vector(g)}, |∇f| = ${fmt(size)}`, { values: JSON.stringify(g), norm: String(size) });

  const u: Point = [Math.cos(direction), Math.sin(direction)];
  const degrees = ((direction * 180) / Math.PI + 360) % 360;
  if (d.directional) {
    const du = d.directional(point, u);
    // the angle from atan2 of the cross and dot products: acos of the cosine loses digits near 0°
    const between = size > 0 ? (Math.abs(Math.atan2(g[0] * u[1] - g[1] * u[0], g[0] * u[0] + g[1] * u[1])) * 180) / Math.PI : NaN;
    set("r-direction", `u = ${vector(unit(u))}, at ${degrees.toFixed(1)}° (${Number.isFinite(between) ? `${between.toFixed(1)}° from ∇f` : "∇f is zero"})`, {
      values: JSON.stringify(u),
    });
    set("r-directional", `${fmt(du)}; the largest is |∇f| = ${fmt(size)}, along ∇f`, { value: String(du) });
  } else {
    set("r-direction", `u = ${vector(unit(u))}, at ${degrees.toFixed(1)}°`, { values: JSON.stringify(u) });
    set("r-directional", `export jvp(f) to see it`, { value: "" });
  }

  if (d.hessian) {
    const h = d.hessian(point);
    const eig = eigenvalues(h);
    const verdict = secondDerivativeTest(h);
    const critical = isCritical(g, point, value);
    set("r-hessian", matrixText(h), { values: JSON.stringify(h) });
    set("r-eigenvalues", `${fmt(eig[0])}, ${fmt(eig[1])}`, { values: JSON.stringify(eig) });
    set("r-verdict", critical ? `Critical point: ${VERDICT_TEXT[verdict]}` : `Not a critical point (∇f ≠ 0); f ${SHAPE_TEXT[verdict]}`, {
      verdict,
      critical: String(critical),
    });
  } else {
    set("r-hessian", "export hessian(f) or hvp(f) to see it", { values: "" });
    set("r-eigenvalues", "", { values: "" });
    set("r-verdict", "", { verdict: "", critical: "" });
  }
  set(
    "r-sources",
    `value from ${d.sources.value}; gradient from ${d.sources.gradient}` +
      (d.sources.directional ? `; directional derivative from ${d.sources.directional}` : "") +
      (d.sources.hessian ? `; Hessian from ${d.sources.hessian}` : ""),
  );
  return { point, direction, gradient: g, value };
}

function matrixText(h: Matrix): string {
  return `[${fmt(h[0][0])}, ${fmt(h[0][1])}; ${fmt(h[1][0])}, ${fmt(h[1][1])}]`;
}

/** One method's iterates as table rows (k, x₁, x₂, f, |∇f|), and where it ended. */
export function showIterates(tableId: string, path: Path, d: UserDerivatives, method: string): void {
  const table = document.getElementById(tableId) as HTMLTableElement | null;
  if (!table) return;
  const body = table.tBodies[0] ?? table.createTBody();
  const rows = path.iterates.map((it) => {
    const tr = document.createElement("tr");
    tr.dataset.k = String(it.k);
    tr.dataset.x = String(it.x[0]);
    tr.dataset.y = String(it.x[1]);
    tr.dataset.value = String(it.value);
    for (const text of [String(it.k), fmt(it.x[0], 5), fmt(it.x[1], 5), fmt(it.value, 5), fmt(Math.hypot(it.gradient[0], it.gradient[1]), 3)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  body.replaceChildren(...rows);
  const last = path.iterates[path.iterates.length - 1]!;
  let ending = `${method}: ${path.iterates.length - 1} step${path.iterates.length === 2 ? "" : "s"}`;
  if (path.stopped) ending += `, stopped: ${path.stopped}`;
  if (d.hessian && isCritical(last.gradient, last.x, last.value)) ending += `. It ends at a critical point, ${secondDerivativeTest(d.hessian(last.x))}.`;
  const caption = table.caption ?? table.createCaption();
  caption.textContent = ending;
}

export function clearReadout(message: string): void {
  for (const id of ["r-point", "r-value", "r-gradient", "r-direction", "r-directional", "r-hessian", "r-eigenvalues", "r-verdict"]) set(id, "");
  set("r-sources", message);
  for (const id of ["descent", "newton"]) {
    const table = document.getElementById(id) as HTMLTableElement | null;
    table?.tBodies[0]?.replaceChildren();
    if (table?.caption) table.caption.textContent = "";
  }
}
