/**
 * The TypeScript language-service plugin: `{ "name": "tsgrad/language-service" }` in
 * tsconfig.json's compilerOptions.plugins shows tsgrad's refusals in the editor as the user types,
 * at the offending code, with the editor's own TypeScript (tsserver hands it over). tsserver loads
 * plugins with require(); language-service/index.js forwards here.
 *
 * A file's refusals are those of its own marker calls: a refusal in code another file declares
 * (a helper with a try/catch) is shown at the marker call that reaches it, its real place given as
 * related information.
 */
import type typescript from "typescript";
import { checkCompiler, useCompiler } from "../compiler.js";
import { findMarkerCalls } from "../discover/markers.js";
import { importsMarkers } from "../discover/imports.js";
import { tsgradTransformer } from "../index.js";
import { replacedCalls, thrownRefusal } from "./rewritten.js";

type TS = typeof typescript;

export default function init(modules: { typescript: TS }): typescript.server.PluginModule {
  const ts = checkCompiler(modules.typescript, "the editor's TypeScript");
  return {
    create(info) {
      const service = info.languageService;
      const log = (message: string) => info.project.projectService.logger.info(`tsgrad: ${message}`);
      const cache = new WeakMap<typescript.Program, Map<string, typescript.Diagnostic[]>>();
      const refusals = (fileName: string): typescript.Diagnostic[] => {
        const program = service.getProgram();
        const sf = program?.getSourceFile(fileName);
        if (!program || !sf || sf.isDeclarationFile) return [];
        let perFile = cache.get(program);
        if (!perFile) cache.set(program, (perFile = new Map()));
        let found = perFile.get(fileName);
        if (!found) perFile.set(fileName, (found = refusalsIn(ts, program, sf)));
        return found;
      };
      const proxy = Object.create(null) as typescript.LanguageService;
      for (const key of Object.keys(service) as (keyof typescript.LanguageService)[]) {
        const method = service[key];
        if (typeof method === "function")
          (proxy as unknown as Record<string, unknown>)[key] = (...args: unknown[]) =>
            (method as (...a: unknown[]) => unknown).apply(service, args);
      }
      proxy.getSemanticDiagnostics = (fileName) => {
        const prior = service.getSemanticDiagnostics(fileName);
        try {
          return [...prior, ...refusals(fileName)];
        } catch (e) {
          log(`could not analyse ${fileName}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          return prior;
        }
      };
      log("language-service plugin loaded");
      return proxy;
    },
  };
}

/** The refusals of a file's marker calls, placed in that file. */
function refusalsIn(ts: TS, program: typescript.Program, sf: typescript.SourceFile): typescript.Diagnostic[] {
  useCompiler(ts);
  if (program.getSyntacticDiagnostics(sf).length || !importsMarkers(sf, program.getTypeChecker())) return [];
  const reported: typescript.Diagnostic[] = [];
  const generated = new Set<typescript.Node>();
  const transformer = tsgradTransformer(program, {
    ts,
    report: (d) => reported.push(d),
    onGenerated: (_f, fns) => fns.forEach((g) => generated.add(g.node)),
  });
  const result = ts.transform(sf, [transformer], program.getCompilerOptions());
  try {
    const here = reported.filter((d) => d.file === sf);
    const elsewhere = reported.filter((d) => d.file !== sf);
    if (!elsewhere.length) return here;
    // which marker call each refusal elsewhere belongs to: the call whose replacement throws it
    const transformed = result.transformed[0]!;
    const added = new Set<typescript.Node>([...generated, ...transformed.statements.filter((s) => ts.isImportDeclaration(s) && s.pos < 0)]);
    const calls = new Set<typescript.Node>(findMarkerCalls(sf, program.getTypeChecker()).map((m) => m.call));
    const thrown = [...replacedCalls(sf, transformed, calls, added)].flatMap(([call, replacement]) => {
      const message = thrownRefusal(replacement);
      return message ? [{ call, message }] : [];
    });
    for (const d of elsewhere) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      const at = thrown.find((t) => t.message.includes(text))?.call ?? [...calls][0];
      if (!at) continue;
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      here.push({
        ...d,
        file: sf,
        start: at.getStart(sf),
        length: at.getEnd() - at.getStart(sf),
        messageText:
          `${text.split("\n")[0]}${where && d.file ? ` (in ${d.file.fileName.split(/[\\/]/).pop()}:${where.line + 1}:${where.character + 1})` : ""}\n${text.split("\n").slice(1).join("\n")}`.trimEnd(),
        relatedInformation: [
          {
            category: ts.DiagnosticCategory.Message,
            code: d.code,
            file: d.file,
            start: d.start,
            length: d.length,
            messageText: "the refused code",
          },
        ],
      });
    }
    return here;
  } finally {
    result.dispose();
  }
}
