/** A compact text form of the IR, for debugging passes and for tests of passes. */
import type { Block, Callee, Expr, IRFunction, Stmt, Var } from "./types.js";
import { calleeKey } from "./build.js";

const INFIX: Partial<Record<string, string>> = {
  add: "+",
  sub: "-",
  mul: "*",
  div: "/",
  mod: "%",
  lt: "<",
  le: "<=",
  gt: ">",
  ge: ">=",
  eq: "===",
  ne: "!==",
  and: "&&",
  or: "||",
};

const varName = (v: Var): string => `${v.name}#${v.id}`;

function calleeName(c: Callee): string {
  return calleeKey(c);
}

export function printExpr(e: Expr): string {
  switch (e.k) {
    case "num":
      return String(e.value);
    case "undef":
      return "undefined";
    case "str":
      return JSON.stringify(e.value);
    case "bool":
      return String(e.value);
    case "var":
      return varName(e.v);
    case "op": {
      const infix = INFIX[e.op];
      if (infix && e.args.length === 2) return `(${printExpr(e.args[0]!)} ${infix} ${printExpr(e.args[1]!)})`;
      return `${e.op}(${e.args.map(printExpr).join(", ")})`;
    }
    case "index":
      return `${printExpr(e.arr)}[${printExpr(e.index)}]`;
    case "len":
      return `${printExpr(e.arr)}.length`;
    case "field":
      return `${printExpr(e.obj)}.${e.key}`;
    case "call":
      return `${calleeName(e.fn)}(${e.args.map(printExpr).join(", ")})`;
    case "alloc":
      return `alloc<${e.storage}>(${printExpr(e.length)}, ${printExpr(e.fill)})`;
    case "arrayLit":
      return `[${e.elems.map(printExpr).join(", ")}]`;
    case "copy":
      return `copy<${e.storage}>(${printExpr(e.arr)})`;
    case "record":
      return `{${e.fields.map((f) => `${f.key}: ${printExpr(f.value)}`).join(", ")}}`;
    case "newStack":
      return "newStack()";
    case "pop":
      return `pop(${varName(e.stack)})`;
    case "zerosLike":
      return `zerosLike(${printExpr(e.arr)})`;
    case "closure":
      return `(${e.params.map(varName).join(", ")}) => {\n${printBlock(e.body)}\n}`;
  }
}

function printStmt(s: Stmt, indent: string, out: string[]): void {
  switch (s.k) {
    case "decl":
      out.push(`${indent}let ${varName(s.v)} = ${printExpr(s.init)}`);
      return;
    case "assign":
      out.push(`${indent}${varName(s.v)} = ${printExpr(s.value)}`);
      return;
    case "store":
      out.push(`${indent}${varName(s.arr)}[${printExpr(s.index)}] ${s.accumulate ? "+=" : "="} ${printExpr(s.value)}`);
      return;
    case "push":
      out.push(`${indent}${varName(s.arr)}.push(${printExpr(s.value)})`);
      return;
    case "truncate":
      out.push(`${indent}${varName(s.arr)}.length--`);
      return;
    case "stackPush":
      out.push(`${indent}push(${varName(s.stack)}, ${printExpr(s.value)})`);
      return;
    case "if":
      out.push(`${indent}if ${printExpr(s.cond)} {`);
      printBlockInto(s.then, indent + "  ", out);
      if (s.else.length) {
        out.push(`${indent}} else {`);
        printBlockInto(s.else, indent + "  ", out);
      }
      out.push(`${indent}}`);
      return;
    case "loop":
      out.push(
        `${indent}${s.label ? s.label + ": " : ""}loop${s.testAtEnd ? " (test at end)" : ""} ${s.test ? printExpr(s.test) : "true"} {`,
      );
      printBlockInto(s.body, indent + "  ", out);
      if (s.update.length) {
        out.push(`${indent}} update {`);
        printBlockInto(s.update, indent + "  ", out);
      }
      out.push(`${indent}}`);
      return;
    case "break":
    case "continue":
      out.push(`${indent}${s.k}${s.label ? " " + s.label : ""}`);
      return;
    case "return":
      out.push(`${indent}return${s.value ? " " + printExpr(s.value) : ""}`);
      return;
    case "throw":
      out.push(
        `${indent}throw ${s.error}(${JSON.stringify(s.message)}${(s.spans ?? []).map((span) => ` + ${printExpr(span.value)} + ${JSON.stringify(span.text)}`).join("")})`,
      );
      return;
    case "log":
      out.push(
        `${indent}console.${s.method}(${s.args
          .map((a) =>
            a.kind === "text"
              ? JSON.stringify(a.text)
              : a.kind === "value"
                ? printExpr(a.value)
                : `${JSON.stringify(a.head)}${a.spans.map((span) => ` + ${printExpr(span.value)} + ${JSON.stringify(span.text)}`).join("")}`,
          )
          .join(", ")})`,
      );
      return;
    case "section":
      out.push(`${indent}// ${s.sweep} sweep`);
      return;
  }
}

function printBlockInto(b: Block, indent: string, out: string[]): void {
  for (const s of b) printStmt(s, indent, out);
}

export function printBlock(b: Block): string {
  const out: string[] = [];
  printBlockInto(b, "", out);
  return out.join("\n");
}

export function printFunction(f: IRFunction): string {
  const params = f.params.map((p) => varName(p.root)).join(", ");
  return `function ${f.name}(${params}) {\n${printBlock(f.body)
    .split("\n")
    .map((l) => "  " + l)
    .join("\n")}\n}`;
}
