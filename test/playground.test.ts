/**
 * The playground in a real browser: the site is built once (`npm run playground:build`), served
 * from playground/dist by a static server on the loopback, and loaded in Debian's chromium driven
 * by playwright-core. Every number checked here is computed in this file from closed forms (or,
 * for the Newton-solve example, from a bisection of its own), never read back from tsgrad.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveStatic, type StaticSite } from "../playground/tools/serve.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const SITE = path.join(REPO, "playground/dist");
/** Screenshots go here (gitignored). */
const OUTPUT = path.join(REPO, "test/.output/playground");
/** Debian's chromium package; a missing browser fails the test (it is installed by .ci/run). */
const CHROMIUM = process.env.TSGRAD_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** Compiles on a loaded two-core machine (the whole suite runs beside this file): generous, and never asserted on. */
const WAIT = { timeout: 120_000 };
/** Each test's limit: a few waits of WAIT's length. */
const TEST_TIMEOUT = 400_000;

type Vec = [number, number];
type Mat = [Vec, Vec];

let site: StaticSite | undefined;
let context: BrowserContext;
let page: Page;
let profile = "";
const problems: string[] = [];

beforeAll(async () => {
  const build = spawnSync("npx", ["vite", "build", "--config", "playground/vite.config.ts", "--logLevel", "warn"], { cwd: REPO, encoding: "utf8" });
  expect(build.status, `playground build failed:\n${build.stdout}\n${build.stderr}`).toBe(0);
  site = await serveStatic(SITE);
  expect(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium)`).toBe(true);
  profile = mkdtempSync(path.join(os.tmpdir(), "tsgrad-playground-profile-"));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 1400, height: 1000 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => (m.type() === "error" ? problems.push(m.text()) : undefined));
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(site.url);
  await settled();
}, 900_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await site?.close();
});

/** Waits until what the page shows is the compile of the editor's current text. */
async function settled(): Promise<void> {
  await page.waitForFunction(() => ["ready", "problems"].includes(document.getElementById("status")?.dataset.state ?? ""), undefined, WAIT);
}

async function generatedText(): Promise<string> {
  return page.evaluate(() => (document.querySelector("#generated")!.shadowRoot!.querySelector(".cm-content") as HTMLElement).innerText);
}

async function editorText(): Promise<string> {
  return page.evaluate(() => (document.querySelector("#editor")!.shadowRoot!.querySelector(".cm-content") as HTMLElement).innerText);
}

/** Replaces the module, as a paste would, and waits for the page to show it. */
async function setSource(source: string): Promise<void> {
  await page.click("#editor .cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(source);
  const last = source.trim().split("\n").at(-1)!.trim();
  await page.waitForFunction((line) => (document.querySelector("#editor")!.shadowRoot!.querySelector(".cm-content") as HTMLElement).innerText.includes(line), last, WAIT);
  await settled();
}

const data = (selector: string, key: string) => page.$eval(selector, (el, k) => (el as HTMLElement).dataset[k] ?? "", key);
const values = async <T>(selector: string): Promise<T> => JSON.parse(await data(selector, "values")) as T;
const point = async (): Promise<Vec> => [Number(await data("#r-point", "x")), Number(await data("#r-point", "y"))];

function expectClose(actual: number, expected: number, tolerance = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}
const expectVec = (a: readonly number[], e: readonly number[], tolerance?: number) => e.forEach((v, i) => expectClose(a[i]!, v, tolerance));

async function iterates(table: "descent" | "newton"): Promise<Vec[]> {
  return page.$$eval(`#${table} tbody tr`, (rows) => rows.map((r) => [Number((r as HTMLElement).dataset.x), Number((r as HTMLElement).dataset.y)] as [number, number]));
}

describe("the playground, built and served as a static site", { timeout: TEST_TIMEOUT }, () => {
  it("declares a Content-Security-Policy without 'unsafe-eval' or inline scripts, and has relative asset paths", () => {
    const html = readFileSync(path.join(SITE, "index.html"), "utf8");
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    expect(csp).toBeDefined();
    expect(csp).toContain("script-src 'self' blob:");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("unsafe-inline");
    expect(html).not.toMatch(/(src|href)="\/[^/]/);
  });

  it("opens on the quadratic bowl at (1, 0.1): value, gradient, directional derivative and Hessian from closed forms", async () => {
    // f = (x1² + 10 x2²) / 2: ∇f = (x1, 10 x2), H = diag(1, 10)
    expect(await point()).toEqual([1, 0.1]);
    expectClose(Number(await data("#r-value", "value")), 0.55);
    expectVec(await values<Vec>("#r-gradient"), [1, 1]);
    expectVec(await values<Mat>("#r-hessian").then((h) => h.flat()), [1, 0, 0, 10]);
    expectVec(await values<Vec>("#r-eigenvalues"), [1, 10]);
    expect(await data("#r-verdict", "verdict")).toBe("minimum");
    expect(await data("#r-verdict", "critical")).toBe("false");
    const u = await values<Vec>("#r-direction");
    expectClose(Number(await data("#r-directional", "value")), u[0] * 1 + u[1] * 1);
    expect(await page.textContent("#r-gradient")).toContain("(1, 1)");
  });

  it("lists gradient descent (step 0.1) and Newton's iterates: (0.9, 0) after one gradient step, the optimum after one Newton step", async () => {
    const gd = await iterates("descent");
    expect(gd.length).toBeGreaterThan(3);
    expect(gd[0]).toEqual([1, 0.1]);
    expectVec(gd[1]!, [0.9, 0]);
    // from (0.9, 0) on, x2 stays 0 and x1 shrinks by 1 - 0.1 each step
    gd.slice(1).forEach((x, k) => expectVec(x, [0.9 ** (k + 1), 0], 1e-12));
    const newton = await iterates("newton");
    expect(newton[0]).toEqual([1, 0.1]);
    expectVec(newton[1]!, [0, 0], 1e-15);
    expect(newton).toHaveLength(2);
    expect(await page.textContent("#newton caption")).toContain("minimum");
    // both paths are drawn, through their iterates
    expect(await page.locator("svg.plot path.descent").getAttribute("d")).toMatch(/^M/);
    expect(await page.locator("svg.plot circle.iterate.newton").count()).toBe(2);
  });

  it("shows each marker's generated code in its tab, with the source lines it derives from", async () => {
    const headings: Record<string, RegExp> = {
      grad: /\/\*\* Gradient of `f` \(playground\.ts:\d+\)[^\n]*\n\s*function f_grad\(x: number\[\]\)/,
      valueAndGrad: /\/\*\* Value and gradient of `f`[^\n]*\n\s*function f_valueAndGrad\(/,
      jvp: /\/\*\* Directional derivative \(forward mode\) of `f`[^\n]*\n\s*function f_jvp\(/,
      hvp: /\/\*\* Hessian-vector product[^\n]*\n\s*function f_hvp\(/,
      hessian: /\/\*\* Hessian \(one Hessian-vector product per row\)[^\n]*\n\s*function f_hessian\(/,
    };
    for (const [marker, heading] of Object.entries(headings)) {
      await page.click(`#marker-tabs button[data-marker="${marker}"]`);
      await page.waitForFunction((m) => document.getElementById("generated")?.dataset.marker === m, marker, WAIT);
      expect(await page.getAttribute(`#marker-tabs button[data-marker="${marker}"]`, "aria-selected")).toBe("true");
      expect(await generatedText(), marker).toMatch(heading);
    }
    await page.click('#marker-tabs button[data-marker="grad"]');
  });

  it("draws level sets where f takes their values, and gradient arrows along the gradient (so across the level sets)", async () => {
    const [x0, x1, y0, y1] = (await page.getAttribute("svg.plot", "data-window"))!.split(",").map(Number) as [number, number, number, number];
    const [, , width, height] = (await page.getAttribute("svg.plot", "data-area"))!.split(",").map(Number) as [number, number, number, number];
    const toPoint = (px: number, py: number): Vec => [x0 + (px / width) * (x1 - x0), y1 - (py / height) * (y1 - y0)];
    const f = ([a, b]: Vec) => (a * a + 10 * b * b) / 2;

    const levels = await page.$$eval("svg.plot path.level", (paths) => paths.map((p) => ({ value: Number(p.getAttribute("data-value")), d: p.getAttribute("d") ?? "" })));
    expect(levels.length).toBeGreaterThan(10);
    let checked = 0;
    for (const level of levels) {
      const numbers = level.d.match(/-?\d+(\.\d+)?(e-?\d+)?/g)!.map(Number);
      for (let i = 0; i + 1 < numbers.length; i += 2) {
        const [px, py] = [numbers[i]!, numbers[i + 1]!];
        // points on the plot's edge close the polygons; the others lie on the level set
        if (px < 1 || py < 1 || px > width - 1 || py > height - 1) continue;
        expect(Math.abs(f(toPoint(px, py)) - level.value)).toBeLessThan(3e-3 * Math.max(1, level.value));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);

    const arrows = await page.$$eval("svg.plot line.field-arrow", (lines) => lines.map((l) => ["x1", "y1", "x2", "y2"].map((a) => Number(l.getAttribute(a)))));
    expect(arrows.length).toBeGreaterThan(100);
    for (const [ax, ay, bx, by] of arrows) {
      const [px, py] = [(ax! + bx!) / 2, (ay! + by!) / 2];
      const [a, b] = toPoint(px, py);
      const g: Vec = [a, 10 * b];
      // one scale on both axes: the screen direction is the gradient's, y flipped
      const cos = ((bx! - ax!) * g[0] - (by! - ay!) * g[1]) / (Math.hypot(bx! - ax!, by! - ay!) * Math.hypot(g[0], g[1]));
      expect(cos).toBeGreaterThan(0.9999);
    }
  });

  it("compiles a function as it is typed, of two numbers, and shows its gradient, Hessian and directional derivative at a clicked point", async () => {
    // the exports first and f last, so that typing ends the module
    await setSource(`import { grad, hvp, jvp, valueAndGrad } from "tsgrad";

export const slope = grad(f);
export const both = valueAndGrad(f);
export const along = jvp(f);
export const curvature = hvp(f);

export function f(x: number, y: number): number {
  return x * x * y`);
    await page.keyboard.press("End");
    await page.keyboard.type(" + Math.sin(y);");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Enter");
    await page.keyboard.type("}");
    await page.waitForFunction(() => (document.querySelector("#generated")!.shadowRoot!.querySelector(".cm-content") as HTMLElement).innerText.includes("Math.cos"), undefined, WAIT);
    await settled();
    expect(await editorText()).toContain("return x * x * y + Math.sin(y);");
    expect(await page.locator("#problems li").count()).toBe(0);

    const generated = await page.evaluate(() => (document.querySelector("#generated")!.shadowRoot!.querySelector(".cm-content") as HTMLElement).innerText);
    expect(generated).toContain("function f_grad(x: number, y: number)");
    expect(generated).toMatch(/\(playground\.ts:\d+\)/);

    // click somewhere off the axes
    const box = (await page.locator("svg.plot rect.hit").boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.35);
    await page.waitForFunction(() => document.getElementById("r-point")?.dataset.x !== "1", undefined, WAIT);
    const [x, y] = await point();
    expectClose(Number(await data("#r-value", "value")), x * x * y + Math.sin(y));
    expectVec(await values<Vec>("#r-gradient"), [2 * x * y, x * x + Math.cos(y)]);
    const h = await values<Mat>("#r-hessian");
    expectVec(h.flat(), [2 * y, 2 * x, 2 * x, -Math.sin(y)], 1e-12);
    // eigenvalues from the characteristic polynomial λ² - tr λ + det
    const [tr, det] = [2 * y - Math.sin(y), -2 * y * Math.sin(y) - 4 * x * x];
    const root = Math.sqrt((tr * tr) / 4 - det);
    expectVec(await values<Vec>("#r-eigenvalues"), [tr / 2 - root, tr / 2 + root], 1e-10);
    expect(await data("#r-verdict", "verdict")).toBe(det < 0 ? "saddle" : tr > 0 ? "minimum" : "maximum");
    const u = await values<Vec>("#r-direction");
    expectClose(Number(await data("#r-directional", "value")), 2 * x * y * u[0] + (x * x + Math.cos(y)) * u[1]);
    // the selector shows each marker's code
    await page.click('#marker-tabs button[data-marker="hvp"]');
    await page.waitForFunction(() => (document.querySelector("#generated")!.shadowRoot!.querySelector(".cm-content") as HTMLElement).innerText.includes("function f_hvp("), undefined, WAIT);
    await page.click('#marker-tabs button[data-marker="grad"]');
  });

  it("turns the direction as its handle is dragged: the directional derivative is ∇f·u for the new u", async () => {
    const before = await point();
    const handle = (await page.locator("svg.plot circle.direction-handle").boundingBox())!;
    const dot = (await page.locator("svg.plot circle.point").boundingBox())!;
    const [cx, cy] = [dot.x + dot.width / 2, dot.y + dot.height / 2];
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    // drag the handle to the point's lower left: u turns to about 225°
    await page.mouse.move(cx - 30, cy + 30, { steps: 8 });
    await page.mouse.up();
    // the drag turns the direction and leaves the point where it was
    expect(await point()).toEqual(before);
    const u = await values<Vec>("#r-direction");
    expectClose(Math.hypot(u[0], u[1]), 1);
    expect(u[0]).toBeLessThan(-0.6);
    expect(u[1]).toBeLessThan(-0.6);
    const g = await values<Vec>("#r-gradient");
    expectClose(Number(await data("#r-directional", "value")), g[0] * u[0] + g[1] * u[1], 1e-12);
  });

  it("aligns the direction with the gradient, where the directional derivative is largest: |∇f|", async () => {
    await page.click("#align");
    const g = await values<Vec>("#r-gradient");
    expectClose(Number(await data("#r-directional", "value")), Math.hypot(g[0], g[1]), 1e-12);
  });

  it("a link holds the module: opening it shows the same function", async () => {
    // the hash follows the page a moment later: wait until it holds the module and this point
    const [x, y] = await point();
    await page.waitForFunction(
      (at) => location.hash.includes("code=") && new URLSearchParams(location.hash.slice(1)).get("at") === at,
      `${x},${y}`,
      WAIT,
    );
    const link = await page.evaluate(() => location.href);
    const other = await context.newPage();
    try {
      await other.goto(link);
      await other.waitForFunction(() => ["ready", "problems"].includes(document.getElementById("status")?.dataset.state ?? ""), undefined, WAIT);
      const text = await other.evaluate(() => (document.querySelector("#editor")!.shadowRoot!.querySelector(".cm-content") as HTMLElement).innerText);
      expect(text).toContain("return x * x * y + Math.sin(y);");
      expect(await other.$eval("#r-gradient", (el) => (el as HTMLElement).dataset.values)).toBe(await data("#r-gradient", "values"));
    } finally {
      await other.close();
    }
  });

  it("shows a refused construct's TSG code and hint at the offending code", async () => {
    await setSource(`import { grad } from "tsgrad";

export function f(x: number[]): number {
  try {
    return x[0] * x[1];
  } catch {
    return 0;
  }
}

export const slope = grad(f);`);
    expect(await data("#status", "state")).toBe("problems");
    const underlined = page.locator("#editor .cm-lintRange-error");
    await underlined.first().waitFor(WAIT);
    expect(await underlined.first().textContent()).toMatch(/^try/);
    expect(await page.locator("#editor .cm-inline-problem").first().textContent()).toMatch(/^TSG1004: /);
    const listed = page.locator('#problems li[data-code="TSG1004"]');
    expect(await listed.textContent()).toContain("playground.ts:4:3");
    expect(await listed.locator(".hint").textContent()).toMatch(/^hint: /);
    // the range goes on over several lines (its box is not where its text is): hover its first word
    await underlined.first().getByText("try", { exact: true }).hover();
    const tooltip = page.locator("#editor .cm-tooltip-lint");
    await tooltip.waitFor(WAIT);
    expect(await tooltip.textContent()).toContain("TSG1004");
    expect(await page.textContent("#generated-note")).toContain("No grad(f) to show");
  });

  it("loads every example without problems, with its gradient at its point from a closed form", async () => {
    const options = await page.$$eval("#example option", (os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(options).toEqual(["bowl", "rosenbrock", "saddle", "himmelblau", "newton-loop", "helper"]);
    for (const id of options) {
      await page.selectOption("#example", id);
      await page.waitForFunction(() => (document.getElementById("r-point")?.textContent ?? "") !== "", undefined, WAIT);
      await settled();
      expect(await page.locator("#problems li").count(), id).toBe(0);
      const missing = await page.$$eval("#marker-tabs button.missing", (bs) => bs.map((b) => (b as HTMLElement).dataset.marker));
      expect(missing, id).toEqual(id === "himmelblau" ? ["hessian"] : []);
      const p = await point();
      expectVec(await values<Vec>("#r-gradient"), GRADIENTS[id]!(p), 1e-9);
      expect(await page.locator("svg.plot path.level").count(), id).toBeGreaterThan(5);
      expect(await page.locator("#newton tbody tr").count(), id).toBeGreaterThan(1);
    }
  });

  it("ran with no errors and no Content-Security-Policy violation, and leaves a screenshot", async () => {
    await page.selectOption("#example", "helper");
    await page.waitForFunction(() => document.querySelector("#example") && location.hash.includes("example=helper"), undefined, WAIT);
    await settled();
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, "playground.png"), fullPage: true });
    expect(problems, problems.join("\n")).toEqual([]);
  });
});

/** The examples' gradients, by hand. */
const GRADIENTS: Record<string, (p: Vec) => Vec> = {
  bowl: ([a, b]) => [a, 10 * b],
  rosenbrock: ([a, b]) => [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)],
  saddle: ([a, b]) => [a + 0.1 * b, -b + 0.1 * a],
  himmelblau: ([x, y]) => [4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)],
  "newton-loop": ([a, b]) => {
    // y solves y³ + y = s; dy/ds = 1 / (3y² + 1) (implicit function theorem)
    const s = a + 2 * b;
    let [lo, hi] = [-Math.abs(s) - 1, Math.abs(s) + 1];
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (mid * mid * mid + mid < s) lo = mid;
      else hi = mid;
    }
    const y = (lo + hi) / 2;
    const dy = 1 / (3 * y * y + 1);
    const d = a - b;
    return [2 * y * dy + d / 2, 4 * y * dy - d / 2];
  },
  helper: ([a, b]) => {
    const bump = (cx: number, cy: number, h: number) => h * Math.exp(-((a - cx) ** 2 + (b - cy) ** 2));
    const [b1, b2] = [bump(-1, 0, 1), bump(1.2, 0.6, 0.8)];
    return [0.1 * a + 2 * (a + 1) * b1 + 2 * (a - 1.2) * b2, 0.1 * b + 2 * b * b1 + 2 * (b - 0.6) * b2];
  },
};
