/**
 * The page's state in its URL's hash, so a link shares a function and what the page showed of
 * it: `#example=rosenbrock` for an example as written, otherwise `#code=` the module deflated
 * (the browser's own CompressionStream) in base64url; then the window, the point, the direction,
 * the step and the selected marker. Nothing leaves the page: a hash is never sent to a server.
 */
import type { Point } from "./calculus.js";
import type { Window } from "./plot.js";
import { SHOWN_MARKERS, type ShownMarker } from "./protocol.js";

export interface PageState {
  readonly source: string;
  readonly exampleId?: string;
  readonly window: Window;
  readonly point: Point;
  readonly direction: number;
  readonly step: number;
  readonly steps: number;
  readonly marker: ShownMarker;
}

export async function encodeState(s: PageState): Promise<string> {
  const params = new URLSearchParams();
  if (s.exampleId) params.set("example", s.exampleId);
  else params.set("code", await deflate(s.source));
  params.set("window", [...s.window.x, ...s.window.y].map(short).join(","));
  // the point and direction exactly (shortest round-trip text): a link gives the same numbers
  params.set("at", s.point.map(String).join(","));
  params.set("dir", String(s.direction));
  params.set("step", short(s.step));
  params.set("steps", String(s.steps));
  params.set("show", s.marker);
  return `#${params.toString()}`;
}

/** What a hash says; parts that are missing or malformed are left out (the caller has defaults). */
export async function decodeState(hash: string): Promise<Partial<PageState>> {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const out: { -readonly [K in keyof PageState]?: PageState[K] } = {};
  const code = params.get("code");
  if (code) {
    try {
      out.source = await inflate(code);
    } catch {
      // a damaged link: the page opens with its default module
    }
  }
  const example = params.get("example");
  if (example) out.exampleId = example;
  const numbers = (key: string, count: number) => {
    const v = params.get(key)?.split(",").map(Number);
    return v && v.length === count && v.every(Number.isFinite) ? v : undefined;
  };
  const w = numbers("window", 4);
  if (w && w[0]! < w[1]! && w[2]! < w[3]!) out.window = { x: [w[0]!, w[1]!], y: [w[2]!, w[3]!] };
  const at = numbers("at", 2);
  if (at) out.point = [at[0]!, at[1]!];
  const dir = numbers("dir", 1);
  if (dir) out.direction = dir[0]!;
  const step = numbers("step", 1);
  if (step && step[0]! > 0) out.step = step[0]!;
  const steps = numbers("steps", 1);
  if (steps && steps[0]! >= 1) out.steps = Math.min(200, Math.round(steps[0]!));
  const show = params.get("show");
  if (show && (SHOWN_MARKERS as readonly string[]).includes(show)) out.marker = show as ShownMarker;
  return out;
}

/** Enough digits to come back to the same point on the plot, few enough to read. */
function short(v: number): string {
  return String(Number(v.toPrecision(8)));
}

async function deflate(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function inflate(encoded: string): Promise<string> {
  const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return await new Response(stream).text();
}
