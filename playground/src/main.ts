/**
 * The page: the editor's text goes to the compile worker (debounced); its reply updates the
 * problems, the generated code, and then, with the module loaded, the plot and the numbers.
 */
import "./style.css";
import runtimeUrls from "virtual:tsgrad-runtime-urls";
import { gradientDescent, newton, type Point } from "./calculus.js";
import { generatedView, problemNode, replaceText, showProblems, sourceEditor } from "./editor.js";
import { EXAMPLES, exampleById, type Example } from "./examples.js";
import { ContourPlot, type Window } from "./plot.js";
import { SHOWN_MARKERS, type CompileRequest, type CompileResponse, type FormattedCode, type ShownMarker, type WorkerReply } from "./protocol.js";
import { clearReadout, showIterates, showPoint } from "./readout.js";
import { decodeState, encodeState, type PageState } from "./share.js";
import { derivativesOf, loadModule, type UserDerivatives } from "./user-module.js";

/** Milliseconds of quiet after a keystroke before the module is compiled again. */
const DEBOUNCE = 40;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Timings the status line shows (and the measurement script reads). */
export interface Metrics {
  firstReply?: number;
  firstCompile?: number;
  /** Per shown update: compile and format in the worker, render on the page, latency from the keystroke. */
  updates: Update[];
}
interface Update {
  edit: number;
  compile: number;
  format: number;
  /** On the page: loading the module, then computing and drawing the plot and the numbers (`render` is both). */
  load: number;
  render: number;
  latency: number;
  /** The compile's parts (see protocol.ts). */
  worker: CompileResponse["timings"];
}
const metrics: Metrics = { updates: [] };
(window as unknown as { playgroundMetrics: Metrics }).playgroundMetrics = metrics;

const defaults = EXAMPLES[0]!;
let state: PageState = { source: defaults.source, exampleId: defaults.id, window: defaults.window, point: defaults.point, direction: Math.PI / 2, step: defaults.step, steps: 30, marker: "grad" };
let compiled: CompileResponse | undefined;
/** The generated code of `compiled` as the compiler prints it, and as prettier formats it (as it comes). */
let code: Partial<Record<ShownMarker, string>> = {};
let formatted: Partial<Record<ShownMarker, string>> = {};
let derivatives: UserDerivatives | undefined;

// ---- the worker -------------------------------------------------------------------------------

const worker = new Worker(new URL("./worker/compile.worker.ts", import.meta.url), { type: "module" });
const started = performance.now();
let nextId = 1;
let newestApplied = 0;
const sent = new Map<number, { source: string; editedAt: number }>();
/** The newest compile shown, until its shown marker's formatted code arrives too. */
let awaitingFormat: { id: number; source: string; editedAt: number; worker: CompileResponse["timings"]; load: number; render: number; format?: number; rendered: boolean } | undefined;

function compile(source: string, editedAt: number): void {
  const id = nextId++;
  sent.set(id, { source, editedAt });
  setStatus("compiling", "compiling…");
  const request: CompileRequest = { type: "compile", id, source, runtimeUrls, shown: state.marker };
  worker.postMessage(request);
}

worker.addEventListener("message", (event: MessageEvent<WorkerReply>) => void onReply(event.data));
worker.addEventListener("error", (event) => setStatus("error", `the compile worker failed: ${event.message}`));

async function onReply(reply: WorkerReply): Promise<void> {
  if (reply.type === "formatted") return onFormatted(reply);
  const request = sent.get(reply.id);
  sent.delete(reply.id);
  if (!request || reply.id < newestApplied) return;
  newestApplied = reply.id;
  if (reply.type === "failed") {
    setStatus("error", `tsgrad failed inside the worker: ${reply.message.split("\n")[0]}`);
    return;
  }
  if (metrics.firstReply === undefined) [metrics.firstReply, metrics.firstCompile] = [performance.now() - started, reply.timings.compile];
  compiled = reply;
  code = { ...reply.code };
  formatted = {};
  awaitingFormat = { id: reply.id, source: request.source, editedAt: request.editedAt, worker: reply.timings, load: 0, render: 0, rendered: false };
  // problems are placed by offsets into the compiled text: skip them if the editor moved on
  if (editor.state.doc.toString() === request.source) {
    showProblems(editor, reply.diagnostics);
    listProblems();
  }
  // the shown marker's code comes formatted in a moment (the worker's next reply): until then the
  // view keeps what it shows, rather than flashing the compiler's own print of the new code
  if (code[state.marker] === undefined) showGenerated();
  const renderStart = performance.now();
  await refreshModule(reply);
  if (awaitingFormat?.id !== reply.id) return;
  awaitingFormat.render = performance.now() - renderStart;
  awaitingFormat.load = lastLoad;
  awaitingFormat.rendered = true;
  finishUpdate();
}

function onFormatted(reply: FormattedCode): void {
  if (reply.id !== compiled?.id) return;
  formatted = { ...formatted, ...reply.code };
  showGenerated();
  if (awaitingFormat?.id === reply.id && awaitingFormat.format === undefined) {
    awaitingFormat.format = reply.ms;
    finishUpdate();
  }
}

/**
 * An update is done once its code is formatted and its plots drawn (either may come first): the
 * status says how long it took and turns "ready" (or "problems") if nothing newer is on its way.
 */
function finishUpdate(): void {
  const u = awaitingFormat;
  if (!u || !u.rendered || (u.format === undefined && compiled?.code[state.marker] !== undefined)) return;
  awaitingFormat = undefined;
  const end = performance.now();
  const update: Update = { edit: u.editedAt, compile: u.worker.compile, format: u.format ?? 0, load: u.load, render: u.render, latency: end - u.editedAt, worker: u.worker };
  metrics.updates.push(update);
  const pending = sent.size > 0 || timer !== undefined || editor.state.doc.toString() !== u.source;
  setStatus(
    pending ? "compiling" : compiled?.diagnostics.length ? "problems" : "ready",
    `compiled in ${Math.round(update.compile)} ms, formatted in ${Math.round(update.format)} ms, plotted in ${Math.round(update.render)} ms` +
      (u.editedAt > started ? `: ${Math.round(update.latency)} ms from the edit` : ""),
  );
  $("status").dataset.compiles = String(metrics.updates.length);
}

/** Milliseconds the last module took to load (a `blob:` module import). */
let lastLoad = 0;

async function refreshModule(reply: CompileResponse): Promise<void> {
  derivatives = undefined;
  const target = reply.target;
  if (!target) return unavailable(reply.diagnostics.length ? "fix the problems in the module to plot it" : "export marker calls of a function, e.g. export const gradient = grad(f)");
  if (target.problem) return unavailable(target.problem);
  if (!reply.js) return unavailable("the module did not compile");
  let namespace: Record<string, unknown>;
  const loadStart = performance.now();
  try {
    namespace = await loadModule(reply.js);
    lastLoad = performance.now() - loadStart;
  } catch (e) {
    return unavailable(`the module threw while loading: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (reply.id !== newestApplied) return;
  const d = derivativesOf(namespace, target, reply.exports);
  if (typeof d === "string") return unavailable(d);
  derivatives = d;
  $("plot-note").textContent = "";
  renderAll();
}

function unavailable(message: string): void {
  $("plot-note").textContent = message;
  clearReadout(message);
}

// ---- the panes ---------------------------------------------------------------------------------

const editor = sourceEditor($("editor"), state.source, (text) => {
  const example = EXAMPLES.find((e) => e.source === text);
  state = { ...state, source: text, exampleId: example?.id };
  $<HTMLSelectElement>("example").value = example?.id ?? "";
  scheduleCompile(performance.now());
});
const generated = generatedView($("generated"));

let timer: ReturnType<typeof setTimeout> | undefined;
let lastEdit = 0;
function scheduleCompile(editedAt: number): void {
  // the latency counted is the last keystroke's (earlier ones are superseded by it)
  lastEdit = editedAt;
  clearTimeout(timer);
  setStatus("compiling", "compiling…");
  timer = setTimeout(() => {
    timer = undefined;
    compile(state.source, lastEdit);
  }, DEBOUNCE);
  saveHashSoon();
}

function listProblems(): void {
  const list = $("problems");
  const problems = compiled?.diagnostics ?? [];
  list.replaceChildren(
    ...problems.map((p) => {
      const li = document.createElement("li");
      const line = editor.state.doc.lineAt(Math.min(p.from, editor.state.doc.length));
      const where = document.createElement("button");
      where.className = "where";
      where.textContent = `playground.ts:${line.number}:${p.from - line.from + 1}`;
      where.addEventListener("click", () => {
        editor.dispatch({ selection: { anchor: p.from, head: p.to }, scrollIntoView: true });
        editor.focus();
      });
      li.dataset.code = p.code;
      li.append(where, problemNode(p));
      return li;
    }),
  );
}

function showGenerated(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("#marker-tabs button")) {
    const marker = button.dataset.marker as ShownMarker;
    button.setAttribute("aria-selected", String(marker === state.marker));
    button.classList.toggle("missing", !code[marker]);
  }
  const text = formatted[state.marker] ?? code[state.marker];
  const target = compiled?.target?.name ?? "f";
  replaceText(generated, text ?? "");
  $("generated-note").textContent = text
    ? ""
    : `No ${state.marker}(${target}) to show: export one, as in export const d = ${state.marker}(${target}), or fix the problem it reports.`;
  $("generated").dataset.marker = state.marker;
}

// ---- the picture and the numbers --------------------------------------------------------------

const plot = new ContourPlot($("plot"), {
  onPick(p) {
    state = { ...state, point: p };
    renderPoint();
  },
  onDirection(angle) {
    state = { ...state, direction: angle };
    renderPoint(false);
  },
});

function renderAll(): void {
  if (!derivatives) return;
  const d = derivatives;
  try {
    plot.render(state.window, { value: d.value, gradient: d.gradient }, { direction: state.direction });
    state = { ...state, window: plot.shownWindow };
    showWindow();
    renderPoint();
  } catch (e) {
    unavailable(`f threw: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The point's numbers and paths (and, unless only the direction moved, the iterates). */
function renderPoint(paths = true): void {
  const d = derivatives;
  if (!d) return;
  try {
    const at = showPoint(d, state.point, state.direction);
    let descent = lastPaths?.descent;
    let newtonPath = lastPaths?.newton;
    if (paths || !lastPaths) {
      const gd = gradientDescent(d, state.point, state.step, state.steps);
      const nt = newton(d, state.point, state.steps);
      showIterates("descent", gd, d, `Gradient descent (step ${state.step})`);
      showIterates("newton", nt, d, "Newton's method");
      descent = gd.iterates.map((it) => it.x);
      newtonPath = d.hessian ? nt.iterates.map((it) => it.x) : [];
      lastPaths = { descent, newton: newtonPath };
    }
    plot.drawOverlay({ point: state.point, gradient: at.gradient, direction: state.direction, descent, newton: newtonPath });
  } catch (e) {
    unavailable(`f threw at ${state.point.join(", ")}: ${e instanceof Error ? e.message : String(e)}`);
  }
  saveHashSoon();
}
let lastPaths: { descent: Point[]; newton: Point[] } | undefined;

// ---- controls ---------------------------------------------------------------------------------

const windowInputs = ["x0", "x1", "y0", "y1"].map((id) => $<HTMLInputElement>(id));
function showWindow(): void {
  const values = [...state.window.x, ...state.window.y];
  windowInputs.forEach((input, i) => (input.value = String(Number(values[i]!.toPrecision(4)))));
}
for (const input of windowInputs)
  input.addEventListener("change", () => {
    const [x0, x1, y0, y1] = windowInputs.map((i) => Number(i.value));
    if ([x0, x1, y0, y1].every(Number.isFinite) && x0! < x1! && y0! < y1!) setWindow({ x: [x0!, x1!], y: [y0!, y1!] });
    else showWindow();
  });
function setWindow(w: Window): void {
  state = { ...state, window: w };
  renderAll();
}
function zoom(factor: number): void {
  const [cx, cy] = [(state.window.x[0] + state.window.x[1]) / 2, (state.window.y[0] + state.window.y[1]) / 2];
  const [hw, hh] = [((state.window.x[1] - state.window.x[0]) / 2) * factor, ((state.window.y[1] - state.window.y[0]) / 2) * factor];
  setWindow({ x: [cx - hw, cx + hw], y: [cy - hh, cy + hh] });
}
$("zoom-in").addEventListener("click", () => zoom(0.5));
$("zoom-out").addEventListener("click", () => zoom(2));
$("zoom-reset").addEventListener("click", () => setWindow((state.exampleId && exampleById(state.exampleId)?.window) || defaults.window));
$("align").addEventListener("click", () => {
  const g = derivatives?.gradient(state.point);
  if (!g || (g[0] === 0 && g[1] === 0)) return;
  state = { ...state, direction: Math.atan2(g[1], g[0]) };
  renderPoint(false);
});

const stepInput = $<HTMLInputElement>("step");
const stepsInput = $<HTMLInputElement>("steps");
stepInput.addEventListener("input", () => {
  const step = Number(stepInput.value);
  if (Number.isFinite(step) && step > 0) {
    state = { ...state, step };
    renderPoint();
  }
});
stepsInput.addEventListener("input", () => {
  const steps = Math.round(Number(stepsInput.value));
  if (steps >= 1 && steps <= 200) {
    state = { ...state, steps };
    renderPoint();
  }
});

$("marker-tabs").append(
  ...SHOWN_MARKERS.map((marker) => {
    const button = document.createElement("button");
    button.type = "button";
    button.role = "tab";
    button.dataset.marker = marker;
    button.textContent = marker;
    return button;
  }),
);
for (const button of document.querySelectorAll<HTMLButtonElement>("#marker-tabs button"))
  button.addEventListener("click", () => {
    state = { ...state, marker: button.dataset.marker as ShownMarker };
    showGenerated();
    saveHashSoon();
  });

const exampleSelect = $<HTMLSelectElement>("example");
exampleSelect.append(
  ...EXAMPLES.map((e) => new Option(e.title, e.id)),
  Object.assign(new Option("(your own)", ""), { disabled: true }),
);
exampleSelect.addEventListener("change", () => {
  const example = exampleById(exampleSelect.value);
  if (example) loadExample(example);
});

function loadExample(example: Example): void {
  state = { ...state, source: example.source, exampleId: example.id, window: example.window, point: example.point, step: example.step };
  showControls();
  replaceText(editor, example.source);
}

function showControls(): void {
  stepInput.value = String(state.step);
  stepsInput.value = String(state.steps);
  exampleSelect.value = state.exampleId ?? "";
  showWindow();
}

$("share").addEventListener("click", async () => {
  await saveHash();
  try {
    await navigator.clipboard.writeText(location.href);
    $("share").textContent = "Link copied";
  } catch {
    $("share").textContent = "Link in the address bar";
  }
  setTimeout(() => ($("share").textContent = "Copy link"), 2000);
});

let hashTimer: ReturnType<typeof setTimeout> | undefined;
function saveHashSoon(): void {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => void saveHash(), 400);
}
async function saveHash(): Promise<void> {
  const hash = await encodeState(state);
  if (hash !== location.hash) history.replaceState(null, "", hash);
}

function setStatus(kind: "compiling" | "ready" | "problems" | "error", text: string): void {
  const status = $("status");
  status.dataset.state = kind;
  status.textContent = text;
}

// ---- start --------------------------------------------------------------------------------------

async function start(): Promise<void> {
  const fromHash = await decodeState(location.hash);
  const example = fromHash.exampleId ? exampleById(fromHash.exampleId) : undefined;
  const source = fromHash.source ?? example?.source ?? state.source;
  const base = example ?? (fromHash.source ? undefined : defaults);
  state = {
    ...state,
    ...(base ? { window: base.window, point: base.point, step: base.step } : {}),
    ...fromHash,
    source,
    exampleId: EXAMPLES.find((e) => e.source === source)?.id,
  };
  showControls();
  if (editor.state.doc.toString() !== source) replaceText(editor, source);
  else compile(source, 0);
}

window.addEventListener("hashchange", () => {
  void decodeState(location.hash).then(async (s) => {
    const current = await encodeState(state);
    if (current !== location.hash && (s.source || s.exampleId)) await start();
  });
});

void start();
