/**
 * The picture: level sets of f over a window (d3-contour on a grid of f's values), gradient
 * arrows on a coarser grid, and, at the clicked point, the gradient, a direction the user drags,
 * and the paths of gradient descent and Newton's method.
 *
 * The axes keep one scale (a unit is as long across as up), or the gradient would not look
 * perpendicular to the level sets: the window given is widened, if need be, to the plot's shape.
 */
import { axisBottom, axisLeft } from "d3-axis";
import { contours } from "d3-contour";
import { scaleLinear, type ScaleLinear } from "d3-scale";
import { select, type Selection } from "d3-selection";
import { line } from "d3-shape";
import type { Point } from "./calculus.js";

export interface Window {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
}

export interface Field {
  value(p: Point): number;
  gradient(p: Point): Point;
}

export interface Overlay {
  readonly point?: Point;
  readonly gradient?: Point;
  /** The dragged direction, an angle in radians from the x axis. */
  readonly direction: number;
  readonly descent?: readonly Point[];
  readonly newton?: readonly Point[];
}

export interface PlotHandlers {
  onPick(p: Point): void;
  onDirection(angle: number): void;
}

const MARGIN = { top: 10, right: 12, bottom: 26, left: 44 };
/** Samples of f across the window (and proportionally many down). */
const SAMPLES = 120;
const ARROWS_ACROSS = 17;
const LEVELS = 18;
/** Pixel length of the gradient and direction arrows drawn at the clicked point. */
const HANDLE = 56;

type G = Selection<SVGGElement, unknown, null, undefined>;

export class ContourPlot {
  readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly layers: Record<"bands" | "arrows" | "axes" | "paths" | "marker", G>;
  private x: ScaleLinear<number, number> = scaleLinear();
  private y: ScaleLinear<number, number> = scaleLinear();
  private window: Window = { x: [-1, 1], y: [-1, 1] };
  private overlay: Overlay = { direction: 0 };

  constructor(
    private readonly container: HTMLElement,
    private readonly handlers: PlotHandlers,
  ) {
    this.svg = select(container).append("svg").attr("class", "plot").attr("role", "img").attr("aria-label", "contour plot");
    const defs = this.svg.append("defs");
    for (const [id, cls] of [
      ["head-field", "field-head"],
      ["head-gradient", "gradient-head"],
      ["head-direction", "direction-head"],
    ] as const)
      defs
        .append("marker")
        .attr("id", id)
        .attr("viewBox", "0 0 10 10")
        .attr("refX", 8)
        .attr("refY", 5)
        .attr("markerWidth", 6)
        .attr("markerHeight", 6)
        .attr("orient", "auto-start-reverse")
        .append("path")
        .attr("class", cls)
        .attr("d", "M 0 0 L 10 5 L 0 10 z");
    defs.append("clipPath").attr("id", "plot-area").append("rect");
    const root = this.svg.append("g").attr("transform", `translate(${MARGIN.left},${MARGIN.top})`);
    const clipped = (cls: string) => root.append("g").attr("class", cls).attr("clip-path", "url(#plot-area)");
    this.layers = { bands: clipped("bands"), arrows: clipped("arrows"), axes: root.append("g").attr("class", "axes"), paths: clipped("paths"), marker: root.append("g").attr("class", "marker") };
    root
      .insert("rect", ":first-child")
      .attr("class", "hit")
      .on("click", (event: MouseEvent) => {
        const [px, py] = this.pointer(event);
        this.handlers.onPick([this.x.invert(px), this.y.invert(py)]);
      });
    this.layers.bands.on("click", (event: MouseEvent) => {
      const [px, py] = this.pointer(event);
      this.handlers.onPick([this.x.invert(px), this.y.invert(py)]);
    });
  }

  /** The window as drawn (widened to the plot's shape so that both axes have one scale). */
  get shownWindow(): Window {
    return this.window;
  }

  /** Pixel position of a point (for tests and the page's own use). */
  toPixel(p: Point): [number, number] {
    return [MARGIN.left + this.x(p[0]), MARGIN.top + this.y(p[1])];
  }

  render(window: Window, field: Field, overlay: Overlay): void {
    this.layout(window);
    this.drawContours(field);
    this.drawArrows(field);
    this.drawAxes();
    this.drawOverlay(overlay);
  }

  /** Redraws only the point, its arrows and the paths (while a direction is dragged). */
  drawOverlay(overlay: Overlay): void {
    this.overlay = overlay;
    const path = line<Point>()
      .x((p) => this.x(p[0]))
      .y((p) => this.y(p[1]));
    const paths = [
      { cls: "descent", points: overlay.descent ?? [] },
      { cls: "newton", points: overlay.newton ?? [] },
    ];
    this.layers.paths
      .selectAll<SVGPathElement, (typeof paths)[number]>("path")
      .data(paths)
      .join("path")
      .attr("class", (d) => `path ${d.cls}`)
      .attr("d", (d) => (d.points.length > 1 ? path(d.points as Point[]) : null));
    const dots = paths.flatMap((d) => d.points.map((p, k) => ({ cls: d.cls, p, k })));
    this.layers.paths
      .selectAll<SVGCircleElement, (typeof dots)[number]>("circle")
      .data(dots)
      .join("circle")
      .attr("class", (d) => `iterate ${d.cls}`)
      .attr("data-k", (d) => d.k)
      .attr("cx", (d) => this.x(d.p[0]))
      .attr("cy", (d) => this.y(d.p[1]))
      .attr("r", (d) => (d.k === 0 ? 0 : 2.6));

    const marker = this.layers.marker;
    marker.selectAll("*").remove();
    const p = overlay.point;
    if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return;
    const [px, py] = [this.x(p[0]), this.y(p[1])];
    const g = overlay.gradient;
    const size = g ? Math.hypot(g[0], g[1]) : 0;
    if (g && size > 0 && Number.isFinite(size))
      marker
        .append("line")
        .attr("class", "gradient-arrow")
        .attr("x1", px)
        .attr("y1", py)
        .attr("x2", px + (HANDLE * g[0]) / size)
        .attr("y2", py - (HANDLE * g[1]) / size)
        .attr("marker-end", "url(#head-gradient)");
    const [ux, uy] = [Math.cos(overlay.direction), Math.sin(overlay.direction)];
    const hx = px + HANDLE * ux;
    const hy = py - HANDLE * uy;
    marker.append("line").attr("class", "direction-arrow").attr("x1", px).attr("y1", py).attr("x2", hx).attr("y2", hy).attr("marker-end", "url(#head-direction)");
    marker.append("circle").attr("class", "point").attr("cx", px).attr("cy", py).attr("r", 4.5);
    const handle = marker.append("circle").attr("class", "direction-handle").attr("cx", hx).attr("cy", hy).attr("r", 9);
    handle.append("title").text("drag to turn the direction u");
    handle.on("pointerdown", (event: PointerEvent) => {
      event.stopPropagation();
      event.preventDefault();
      // the handle is drawn anew at each move: the drag follows the pointer on the window, not on it
      const move = (e: PointerEvent) => {
        const [mx, my] = this.pointer(e);
        if (mx === px && my === py) return;
        this.handlers.onDirection(Math.atan2(py - my, mx - px));
      };
      const up = () => {
        window.removeEventListener("pointermove", move);
        window.removeEventListener("pointerup", up);
        window.removeEventListener("pointercancel", up);
      };
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", up);
      window.addEventListener("pointercancel", up);
    });
    handle.on("click", (event: MouseEvent) => event.stopPropagation());
  }

  private pointer(event: MouseEvent): [number, number] {
    const box = (this.svg.node() as SVGSVGElement).getBoundingClientRect();
    return [event.clientX - box.left - MARGIN.left, event.clientY - box.top - MARGIN.top];
  }

  /** Sizes the plot to its container and fixes one scale for both axes. */
  private layout(window: Window): void {
    const outer = Math.max(320, this.container.clientWidth);
    const width = outer - MARGIN.left - MARGIN.right;
    const [x0, x1] = window.x;
    const [y0, y1] = window.y;
    const ratio = Math.min(0.9, Math.max(0.45, (y1 - y0) / (x1 - x0)));
    const height = Math.round(width * ratio);
    const unit = Math.max((x1 - x0) / width, (y1 - y0) / height);
    const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
    const [hw, hh] = [(unit * width) / 2, (unit * height) / 2];
    this.window = { x: [cx - hw, cx + hw], y: [cy - hh, cy + hh] };
    this.x = scaleLinear().domain(this.window.x).range([0, width]);
    this.y = scaleLinear().domain(this.window.y).range([height, 0]);
    this.svg.attr("width", outer).attr("height", height + MARGIN.top + MARGIN.bottom).attr("viewBox", `0 0 ${outer} ${height + MARGIN.top + MARGIN.bottom}`);
    this.svg.select("#plot-area rect").attr("width", width).attr("height", height);
    // where the plot area is and what it shows, for readers of the page other than eyes (tests)
    this.svg.attr("data-window", [...this.window.x, ...this.window.y].join(",")).attr("data-area", [MARGIN.left, MARGIN.top, width, height].join(","));
    this.svg.select("rect.hit").attr("width", width).attr("height", height);
  }

  private drawContours(field: Field): void {
    const [width, height] = [this.x.range()[1]!, this.y.range()[0]!];
    const nx = SAMPLES;
    const ny = Math.max(2, Math.round((SAMPLES * height) / width));
    const [x0, x1] = this.window.x;
    const [y0, y1] = this.window.y;
    // samples at the centres of an nx × ny grid of cells: d3-contour puts sample i at i + 0.5
    const values = new Float64Array(nx * ny);
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const v = field.value([x0 + ((i + 0.5) * (x1 - x0)) / nx, y0 + ((j + 0.5) * (y1 - y0)) / ny]);
        values[j * nx + i] = Number.isFinite(v) ? v : NaN;
      }
    const thresholds = levels(values, LEVELS);
    const polygons = contours().size([nx, ny]).thresholds(thresholds)(Array.from(values));
    const toScreen = (ring: number[][]): Point[] => ring.map(([cx, cy]) => [this.x(x0 + (cx! * (x1 - x0)) / nx), this.y(y0 + (cy! * (y1 - y0)) / ny)] as Point);
    const ringPath = line<Point>();
    const shade = scaleLinear<string>().domain([0, Math.max(1, thresholds.length - 1)]).range(["#f4f8fb", "#6a8fb5"]);
    this.layers.bands
      .selectAll<SVGPathElement, (typeof polygons)[number]>("path")
      .data(polygons)
      .join("path")
      .attr("class", "level")
      .attr("data-value", (d) => d.value)
      .attr("fill", (_d, i) => shade(i))
      .attr("d", (d) => d.coordinates.flatMap((polygon) => polygon.map((ring) => `${ringPath(toScreen(ring))}Z`)).join(""));
  }

  private drawArrows(field: Field): void {
    const [width, height] = [this.x.range()[1]!, this.y.range()[0]!];
    const spacing = width / ARROWS_ACROSS;
    const rows = Math.max(1, Math.round(height / spacing));
    const arrows: { x: number; y: number; dx: number; dy: number; size: number }[] = [];
    for (let j = 0; j < rows; j++)
      for (let i = 0; i < ARROWS_ACROSS; i++) {
        const [px, py] = [(i + 0.5) * spacing, ((j + 0.5) * height) / rows];
        const g = field.gradient([this.x.invert(px), this.y.invert(py)]);
        const size = Math.hypot(g[0], g[1]);
        if (!(size > 0) || !Number.isFinite(size)) continue;
        arrows.push({ x: px, y: py, dx: g[0] / size, dy: -g[1] / size, size });
      }
    // shade by the gradient's size, on a log scale across this window
    const logs = arrows.map((a) => Math.log(a.size));
    const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
    const opacity = scaleLinear().domain([lo, hi > lo ? hi : lo + 1]).range([0.3, 0.95]);
    const half = spacing * 0.34;
    this.layers.arrows
      .selectAll<SVGLineElement, (typeof arrows)[number]>("line")
      .data(arrows)
      .join("line")
      .attr("class", "field-arrow")
      .attr("x1", (a) => a.x - a.dx * half)
      .attr("y1", (a) => a.y - a.dy * half)
      .attr("x2", (a) => a.x + a.dx * half)
      .attr("y2", (a) => a.y + a.dy * half)
      .attr("stroke-opacity", (a) => opacity(Math.log(a.size)))
      .attr("marker-end", "url(#head-field)");
  }

  private drawAxes(): void {
    const axes = this.layers.axes;
    axes.selectAll("*").remove();
    axes
      .append("g")
      .attr("transform", `translate(0,${this.y.range()[0]})`)
      .call(axisBottom(this.x).ticks(8));
    axes.append("g").call(axisLeft(this.y).ticks(6));
  }

  /** The direction as last drawn. */
  get direction(): number {
    return this.overlay.direction;
  }
}

/**
 * Levels at evenly spaced quantiles of the sampled values: every part of the window gets level
 * sets, whether f varies over orders of magnitude (Rosenbrock) or gently.
 */
export function levels(values: ArrayLike<number>, count: number): number[] {
  const finite = Array.from(values)
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  if (finite.length === 0) return [];
  const out: number[] = [];
  for (let k = 1; k <= count; k++) {
    const v = finite[Math.min(finite.length - 1, Math.floor((k / (count + 1)) * finite.length))]!;
    if (!out.length || v > out[out.length - 1]!) out.push(v);
  }
  return out;
}
