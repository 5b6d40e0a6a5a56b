/**
 * Size and speed of the playground, measured in headless Chromium on the built site (the numbers
 * the README reports): `npm run playground:measure` (add `--no-build` to reuse playground/dist).
 *
 * - the built site's size, raw and gzipped, by file;
 * - the worker's first compile: from the page's start to its first reply, and the compile itself
 *   (the first Program parses the lib files and tsgrad's declarations), over fresh pages;
 * - for each example, keystrokes typed into a number of f (each keystroke a new, valid module
 *   whose derivative code changes): the time from the keystroke to its code formatted and its plot
 *   and numbers redrawn, as the page records it (`window.playgroundMetrics`), with its parts.
 *
 * - the same keystrokes' CPU time, from a Chrome trace: the compile worker's thread and the page's
 *   main thread (the page's share includes the editor's own handling of the key). On a machine
 *   shared with other work, wall-clock latency mostly measures the wait for a core; the CPU time
 *   says what an idle machine of the same speed would take. The load average is printed beside.
 *
 * It also saves the README's screenshot (playground/screenshot.png) with `--screenshot`, or only
 * that with `--screenshot-only`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium, type Page } from "playwright-core";
import { serveStatic } from "./serve.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const SITE = path.join(REPO, "playground/dist");
const CHROMIUM = process.env.TSGRAD_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const args = new Set(process.argv.slice(2));
const FRESH_PAGES = 3;
/** The digits typed after a number of each example's f, one keystroke at a time. */
const TYPED = "123456";

/** Where to type in each example: just after this text in f's body (a number literal). */
const EDIT_AFTER: Record<string, { after: string; typed: string }> = {
  bowl: { after: "x[0] * x[0] + 10", typed: `.${TYPED}` },
  rosenbrock: { after: "a * a + 100", typed: `.${TYPED}` },
  saddle: { after: "+ 0.1", typed: TYPED },
  himmelblau: { after: "y - 11", typed: `.${TYPED}` },
  "newton-loop": { after: "(d * d) / 4", typed: `.${TYPED}` },
  helper: { after: "return 0.05", typed: TYPED },
};

interface Update {
  edit: number;
  compile: number;
  format: number;
  render: number;
  latency: number;
}
interface Metrics {
  firstReply?: number;
  firstCompile?: number;
  updates: Update[];
}

function build(): void {
  const run = spawnSync("npx", ["vite", "build", "--config", "playground/vite.config.ts", "--logLevel", "warn"], { cwd: REPO, stdio: "inherit" });
  if (run.status !== 0) throw new Error("the playground's build failed");
}

function siteSize(): { total: number; gzip: number; files: { file: string; bytes: number; gzip: number }[] } {
  const files: { file: string; bytes: number; gzip: number }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const content = readFileSync(full);
        files.push({ file: path.relative(SITE, full), bytes: content.length, gzip: gzipSync(content, { level: 9 }).length });
      }
    }
  };
  walk(SITE);
  files.sort((a, b) => b.bytes - a.bytes);
  return { total: files.reduce((s, f) => s + f.bytes, 0), gzip: files.reduce((s, f) => s + f.gzip, 0), files };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** CPU milliseconds of the tasks the trace saw on the page's main thread and on the worker's. */
function cpuOfTrace(buffer: Buffer): { main: number; worker: number } {
  const events = (JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const threads = new Map(events.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args?.name ?? ""]));
  const cpu = { main: 0, worker: 0 };
  for (const e of events) {
    if (e.ph !== "X" || e.name !== "RunTask") continue;
    const thread = threads.get(`${e.pid}:${e.tid}`);
    if (thread === "CrRendererMain") cpu.main += (e.tdur ?? 0) / 1000;
    else if (thread === "DedicatedWorker thread") cpu.worker += (e.tdur ?? 0) / 1000;
  }
  return cpu;
}

const metricsOf = (page: Page) => page.evaluate(() => (window as unknown as { playgroundMetrics: Metrics }).playgroundMetrics);
const settled = (page: Page) =>
  page.waitForFunction(() => ["ready", "problems"].includes(document.getElementById("status")?.dataset.state ?? ""), undefined, { timeout: 120_000 });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => `${Math.round(x)} ms`;
const kb = (x: number) => `${(x / 1024).toFixed(0)} KiB`;

/** Puts the cursor just after `after` in the editor by clicking there, as a person would. */
async function placeCursor(page: Page, after: string): Promise<void> {
  const at = await page.evaluate((text) => {
    const content = document.querySelector("#editor")!.shadowRoot!.querySelector(".cm-content")!;
    for (const line of content.querySelectorAll(".cm-line")) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const nodes: Text[] = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
      const whole = nodes.map((n) => n.data).join("");
      const found = whole.indexOf(text);
      if (found < 0) continue;
      // the text node and offset where the match ends
      let end = found + text.length;
      for (const node of nodes) {
        if (end <= node.data.length) {
          const range = document.createRange();
          range.setStart(node, end - 1);
          range.setEnd(node, end);
          const box = range.getBoundingClientRect();
          return { x: box.right - 1, y: box.top + box.height / 2 };
        }
        end -= node.data.length;
      }
    }
    return undefined;
  }, after);
  if (!at) throw new Error(`"${after}" is not in the editor`);
  await page.mouse.click(at.x, at.y);
  // the click lands in the last character's right half: the cursor goes after it
}

/** The README's picture: the helper-call example, its point and direction as they open. */
async function screenshot(page: Page, url: string): Promise<void> {
  await page.goto(`${url}#example=helper`);
  await page.waitForFunction(() => location.hash.includes("example=helper") && document.getElementById("r-point")?.textContent, undefined, { timeout: 120_000 });
  await settled(page);
  await page.screenshot({ path: path.join(REPO, "playground/screenshot.png"), fullPage: true });
}

async function main(): Promise<void> {
  if (!args.has("--no-build")) build();
  const size = siteSize();
  const site = await serveStatic(SITE);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    if (args.has("--screenshot-only")) return await screenshot(await context.newPage(), site.url);
    const first: { reply: number; compile: number }[] = [];
    for (let i = 0; i < FRESH_PAGES; i++) {
      const page = await context.newPage();
      await page.goto(`${site.url}?fresh=${i}`);
      await settled(page);
      const m = await metricsOf(page);
      first.push({ reply: m.firstReply!, compile: m.firstCompile! });
      await page.close();
    }

    const page = await context.newPage();
    await page.goto(site.url);
    await settled(page);
    const perExample: { id: string; updates: Update[]; cpu: { main: number; worker: number } }[] = [];
    const ids = await page.$$eval("#example option", (os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    for (const id of ids) {
      await page.selectOption("#example", id);
      await page.waitForFunction((want) => location.hash.includes(`example=${want}`), id, { timeout: 60_000 });
      await settled(page);
      const edit = EDIT_AFTER[id];
      if (!edit) throw new Error(`no place to type in the example ${id}`);
      await placeCursor(page, edit.after);
      const updates: Update[] = [];
      await browser.startTracing(page, { categories: ["toplevel", "disabled-by-default-devtools.timeline"] });
      for (const key of edit.typed) {
        const before = (await metricsOf(page)).updates.length;
        await page.keyboard.type(key);
        await page.waitForFunction((n) => (window as unknown as { playgroundMetrics: Metrics }).playgroundMetrics.updates.length > n, before, { timeout: 120_000 });
        await settled(page);
        const state = await page.getAttribute("#status", "data-state");
        if (state !== "ready") {
          await page.screenshot({ path: path.join(os.tmpdir(), "playground-measure-failure.png") });
          throw new Error(`${id}: typing "${key}" left the page in state ${state} (screenshot in the temporary folder)`);
        }
        updates.push((await metricsOf(page)).updates.at(-1)!);
      }
      const cpu = cpuOfTrace(await browser.stopTracing());
      perExample.push({ id, updates, cpu: { main: cpu.main / updates.length, worker: cpu.worker / updates.length } });
    }
    if (args.has("--screenshot")) await screenshot(page, site.url);

    console.log(`built site: ${kb(size.total)} (${kb(size.gzip)} gzipped), ${size.files.length} files; largest:`);
    for (const f of size.files.slice(0, 6)) console.log(`  ${f.file}: ${kb(f.bytes)} (${kb(f.gzip)} gzipped)`);
    console.log(
      `first compile, ${FRESH_PAGES} fresh pages: page start to first reply ${first.map((f) => ms(f.reply)).join(", ")}; ` +
        `the compile itself ${first.map((f) => ms(f.compile)).join(", ")}`,
    );
    console.log(`load average while measuring: ${os.loadavg().map((l) => l.toFixed(1)).join(", ")} (1, 5, 15 minutes) on ${os.cpus().length} cores`);
    console.log(`keystroke to updated code and plots (${[...TYPED].length}+ keystrokes per example), median (max) and the median's parts:`);
    console.log("| example | keystroke to update | compile (worker) | format (worker) | run and plot (page) | CPU per keystroke: worker + page |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const { id, updates, cpu } of perExample) {
      const pick = (k: keyof Update) => median(updates.map((u) => u[k]));
      const cpuText = `${ms(cpu.worker)} + ${ms(cpu.main)}`;
      console.log(`| ${id} | ${ms(pick("latency"))} (${ms(Math.max(...updates.map((u) => u.latency)))}) | ${ms(pick("compile"))} | ${ms(pick("format"))} | ${ms(pick("render"))} | ${cpuText} |`);
    }
  } finally {
    await browser.close();
    await site.close();
  }
}

await main();
