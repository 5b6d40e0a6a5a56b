/**
 * The two code panes, both CodeMirror 6 with TypeScript highlighting: the user's module (editable,
 * with refusals and type errors as lint diagnostics: underlined at the offending code, the code
 * and message at the end of its line, the hint in the tooltip) and the generated code (read-only).
 *
 * Each editor lives in a shadow root: CodeMirror then puts its styles in a constructed stylesheet
 * (adoptedStyleSheets) instead of a <style> element, so the page's Content-Security-Policy needs
 * no 'unsafe-inline' for styles. Styles of our own for the editors are therefore in `editorTheme`,
 * not in the page's stylesheet.
 */
import { javascript } from "@codemirror/lang-javascript";
import { lintGutter, setDiagnostics, setDiagnosticsEffect, type Diagnostic } from "@codemirror/lint";
import { EditorState, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, WidgetType, type DecorationSet } from "@codemirror/view";
import { basicSetup } from "codemirror";
import type { SourceDiagnostic } from "./protocol.js";

const typescript = javascript({ typescript: true });

/** A shadow root in the element, for an editor to live in (see above). */
function shadowOf(element: HTMLElement): ShadowRoot {
  return element.shadowRoot ?? element.attachShadow({ mode: "open" });
}

const editorTheme = EditorView.theme({
  "&": { height: "100%", fontSize: "12.5px", backgroundColor: "#fff" },
  ".cm-scroller": { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace' },
  // on a white ground: it sits inside the underlined range when the range goes on to the next line
  ".cm-inline-problem": { color: "#b3202a", backgroundColor: "#fff", fontStyle: "italic", marginLeft: "1.5em", paddingLeft: "0.3em", fontSize: "0.9em" },
  ".problem": { maxWidth: "36rem", whiteSpace: "normal", fontFamily: "system-ui, sans-serif" },
  ".problem strong": { color: "#b3202a" },
  ".problem .hint": { color: "#5b6877" },
});

/**
 * Typing over a selection that spans lines is otherwise left to the browser, whose editing engine,
 * joining the lines, makes elements with a style attribute: the page's policy allows no inline
 * styles, so it blocks them and reports each (harmlessly: CodeMirror redraws the lines anyway).
 * Replacing the selection here gives the same text without them.
 */
const typeOverLines = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== "insertText" || event.isComposing || event.data === null) return false;
    const { main } = view.state.selection;
    if (main.empty || view.state.doc.lineAt(main.from).number === view.state.doc.lineAt(main.to).number) return false;
    event.preventDefault();
    view.dispatch({ ...view.state.replaceSelection(event.data), scrollIntoView: true, userEvent: "input.type" });
    return true;
  },
});

export function sourceEditor(element: HTMLElement, doc: string, onChange: (text: string) => void): EditorView {
  const root = shadowOf(element);
  return new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        typescript,
        editorTheme,
        typeOverLines,
        lintGutter(),
        inlineProblems,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": "TypeScript module" }),
      ],
    }),
  });
}

export function generatedView(element: HTMLElement): EditorView {
  const root = shadowOf(element);
  return new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc: "",
      extensions: [basicSetup, typescript, editorTheme, EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.contentAttributes.of({ "aria-label": "generated code" })],
    }),
  });
}

/**
 * Makes the view hold `text`, changing only the part between what the old and new texts share at
 * their start and end: a keystroke's new code redraws a line or two, and the view keeps its place.
 */
export function replaceText(view: EditorView, text: string): void {
  const old = view.state.doc.toString();
  if (old === text) return;
  let start = 0;
  const shorter = Math.min(old.length, text.length);
  while (start < shorter && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && old.charCodeAt(old.length - 1 - end) === text.charCodeAt(text.length - 1 - end)) end++;
  view.dispatch({ changes: { from: start, to: old.length - end, insert: text.slice(start, text.length - end) } });
}

/** Shows the compile's problems in the editor; positions are the compiled text's, which is the editor's. */
export function showProblems(view: EditorView, problems: readonly SourceDiagnostic[]): void {
  const length = view.state.doc.length;
  const diagnostics: Diagnostic[] = problems.map((p) => {
    const from = Math.min(p.from, length);
    return {
      from,
      to: Math.min(Math.max(p.to, from), length),
      severity: "error",
      source: p.source,
      message: `${p.code}: ${p.message}${p.hint ? `\nhint: ${p.hint}` : ""}`,
      markClass: `problem-${p.code}`,
      renderMessage: () => problemNode(p),
    };
  });
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

/** A problem as the tooltip and the problems list show it: code, message, hint. */
export function problemNode(p: SourceDiagnostic): HTMLElement {
  const node = document.createElement("div");
  node.className = "problem";
  node.dataset.code = p.code;
  const code = document.createElement("strong");
  code.textContent = p.code;
  node.append(code, " ", p.message);
  if (p.hint) {
    const hint = document.createElement("div");
    hint.className = "hint";
    hint.textContent = `hint: ${p.hint}`;
    node.append(hint);
  }
  return node;
}

/** The code and first line of each problem's message at the end of its line, as editors' inline problems do. */
class InlineProblem extends WidgetType {
  constructor(readonly text: string) {
    super();
  }
  override eq(other: InlineProblem): boolean {
    return other.text === this.text;
  }
  toDOM(): HTMLElement {
    const span = document.createElement("span");
    span.className = "cm-inline-problem";
    span.textContent = this.text;
    return span;
  }
}

const inlineProblems: Extension = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setDiagnosticsEffect)) continue;
      const byLine = new Map<number, string>();
      for (const d of effect.value) {
        const line = tr.state.doc.lineAt(d.from);
        if (!byLine.has(line.to)) byLine.set(line.to, d.message.split("\n")[0]!);
      }
      return Decoration.set(
        [...byLine].sort((a, b) => a[0] - b[0]).map(([at, text]) => Decoration.widget({ widget: new InlineProblem(text), side: 1 }).range(at)),
      );
    }
    return decorations.map(tr.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});
