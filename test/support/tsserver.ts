/**
 * Drives a real tsserver (TypeScript's editor server) over its stdio protocol, as an editor does:
 * open a file, change its text, ask for its diagnostics.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

interface Response {
  readonly request_seq: number;
  readonly success: boolean;
  readonly body?: unknown;
  readonly message?: string;
}

export interface ServerDiagnostic {
  readonly start: { line: number; offset: number };
  readonly end: { line: number; offset: number };
  readonly text: string;
  readonly code: number;
  readonly relatedInformation?: { span?: { file: string; start: { line: number; offset: number } }; message: string }[];
}

export class TsServer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private seq = 0;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, (r: Response) => void>();
  /** What the server wrote that is not a protocol message (a crash, a warning). */
  stderr = "";

  /** `tsserverJs`: a typescript package's lib/tsserver.js; `probe`: a folder whose node_modules holds the plugins. */
  constructor(tsserverJs: string, probe: string, logFile?: string) {
    const args = [tsserverJs, "--disableAutomaticTypingAcquisition", "--pluginProbeLocations", probe];
    if (logFile) args.push("--logVerbosity", "verbose", "--logFile", logFile);
    this.proc = spawn(process.execPath, args, { stdio: "pipe" });
    this.proc.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.proc.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const header = this.buffer.indexOf("\r\n\r\n");
      if (header < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.subarray(0, header).toString())?.[1]);
      if (this.buffer.length < header + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(header + 4, header + 4 + length).toString()) as { type: string } & Response;
      this.buffer = this.buffer.subarray(header + 4 + length);
      if (message.type === "response") this.pending.get(message.request_seq)?.(message);
    }
  }

  request(command: string, args: unknown, timeoutMs = 60_000): Promise<Response> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tsserver did not answer ${command} in ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.pending.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.proc.stdin.write(JSON.stringify({ seq, type: "request", command, arguments: args }) + "\n");
    });
  }

  /** Opens a file with the given text, as an editor opening a buffer. */
  async open(file: string, text: string): Promise<void> {
    await this.request("updateOpen", { openFiles: [{ file, fileContent: text, scriptKindName: "TS" }] });
  }

  /** Replaces an open file's text, as typing does. */
  async edit(file: string, oldText: string, newText: string): Promise<void> {
    const end = position(oldText, oldText.length);
    await this.request("updateOpen", { changedFiles: [{ fileName: file, textChanges: [{ start: { line: 1, offset: 1 }, end, newText }] }] });
  }

  async semanticDiagnostics(file: string): Promise<ServerDiagnostic[]> {
    const r = await this.request("semanticDiagnosticsSync", { file, includeLinePosition: false });
    if (!r.success) throw new Error(`semanticDiagnosticsSync failed: ${r.message}`);
    return r.body as ServerDiagnostic[];
  }

  close(): void {
    this.proc.kill();
  }
}

/** tsserver's 1-based line and offset of a character index. */
export function position(text: string, index: number): { line: number; offset: number } {
  const before = text.slice(0, index).split("\n");
  return { line: before.length, offset: before.at(-1)!.length + 1 };
}
