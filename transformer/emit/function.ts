/**
 * Emit: one generated function, IR -> TypeScript AST (ts.factory). With lowering, this is the
 * only place that knows TypeScript's AST. It chooses what a reader sees: names (x_bar, x_dot),
 * `const` where nothing reassigns, `for (let i = ...)` where a counter belongs to its loop,
 * compound assignments, comments tying statements to the source lines they come from, and
 * source-map ranges pointing at the original function.
 */
import { ts } from "../compiler.js";
import type { Block, Expr, ExternalRef, GeneratedFunction, IRType, OpName, Origin, Stmt, Var } from "../ir/types.js";
import { fieldChain, mayBeMissing } from "./field-chain.js";
import { consoleStatement, throwStatement } from "./effects.js";
import { calleeKey, wholePart } from "../ir/build.js";
import { forEachStmt, forEachSubExpr, stmtExprs } from "../ir/visit.js";
import { mathNameOf } from "../rules/math.js";
import { takesTensorList } from "../rules/tensor-registry.js";
import { isBooleanOp, primitive } from "../rules/primitives.js";
import { PRECEDENCE, TOKENS } from "./operators.js";
import { InternalError } from "../refusal.js";
import { Namer } from "./names.js";
import { prepareForEmit, updateIsExpression } from "./prepare.js";

/** What a function's emit needs from its module. */
export interface ModuleScope {
  readonly factory: ts.NodeFactory;
  readonly fileName: string;
  /** Expression naming the runtime module (a namespace import added on first use). */
  runtime(): ts.Expression;
  /** Expression naming the tensor module (tsgrad/tensor), likewise. */
  tensorModule(): ts.Expression;
  /** Expression naming the function with this key (a source or a generated function). */
  callee(key: string): ts.Expression;
  /** Expression naming a module-level binding (a constant or an array). */
  external(ref: ExternalRef, origin: Origin | undefined): ts.Expression;
  /** Source for source maps of statements from another file. */
  sourceMapSource(file: string): ts.SourceMapSource | undefined;
  /** Names that locals of generated functions must not take (module-level names they use). */
  readonly moduleNames: () => Iterable<string>;
}

export function emitFunction(gf: GeneratedFunction, name: string, scope: ModuleScope): ts.FunctionDeclaration {
  return new FunctionEmitter(gf, scope).emit(name);
}

class FunctionEmitter {
  private readonly f: ts.NodeFactory;
  private readonly names = new Map<Var, string>();
  private readonly namer: Namer;
  private readonly assigned = new Set<Var>();
  private commentOrigins = false;
  private lastOrigin: Origin | undefined;
  private pendingComment: string | undefined;

  constructor(
    private readonly gf: GeneratedFunction,
    private readonly scope: ModuleScope,
  ) {
    this.f = scope.factory;
    // Names used at module level must be settled before locals are named: resolve every module
    // binding and callee the body refers to first (creating imports as needed), then reserve them.
    const referenced = new Set<string>();
    const noteExpr = (e: Expr) =>
      forEachSubExpr(e, (x) => {
        if (x.k === "var" && x.v.external && x.v.external.file === scope.fileName) referenced.add(x.v.external.name);
        if (x.k === "var" && x.v.external) scope.external(x.v.external, undefined);
        if (x.k === "call" && x.fn.kind === "runtime") scope.runtime();
        else if (x.k === "call" && x.fn.kind === "tensor") scope.tensorModule();
        else if (x.k === "call" && x.fn.kind === "opaque") {
          scope.external(x.fn.external, undefined);
          if (x.fn.external.file === scope.fileName) referenced.add(x.fn.external.name);
        } else if (x.k === "call") {
          const callee = scope.callee(calleeKey(x.fn));
          if (ts.isIdentifier(callee)) referenced.add(callee.text);
        }
        if (x.k === "newStack" || x.k === "zerosLike") scope.runtime();
        if (x.k === "closure") forEachStmt(x.body, (s) => stmtExprs(s).forEach(noteExpr));
      });
    forEachStmt(gf.body, (s) => stmtExprs(s).forEach(noteExpr));
    for (const p of gf.params) if (p.external) referenced.add(p.external.name);
    this.namer = new Namer([...scope.moduleNames(), ...referenced]);
  }

  emit(name: string): ts.FunctionDeclaration {
    const f = this.f;
    const body = prepareForEmit(this.gf.body, this.gf.params);
    forEachStmt(body, (s) => {
      if (s.k === "assign") this.assigned.add(s.v);
    });
    for (const p of this.gf.params) this.nameOf(p);
    // a tangent function's statements are headed by their source lines throughout
    this.commentOrigins = this.gf.kind === "jvp";
    const params = this.parameters(this.gf.params);
    const statements = this.block(body);
    const decl = f.createFunctionDeclaration(
      undefined,
      undefined,
      name,
      undefined,
      params,
      this.typeNode(this.gf.returnType),
      f.createBlock(statements, true),
    );
    const o = this.gf.origin;
    // the whole function maps to the source function; statements map to their own lines
    ts.setSourceMapRange(decl, this.sourceRange(o));
    ts.addSyntheticLeadingComment(
      decl,
      ts.SyntaxKind.MultiLineCommentTrivia,
      `* ${this.gf.doc} (${shortFile(o.file)}:${o.line}). Generated by tsgrad. `,
      true,
    );
    return decl;
  }

  // ------------------------------------------------------------------------------------------
  // names and types

  private nameOf(v: Var): string {
    let n = this.names.get(v);
    if (!n) {
      n = this.namer.fresh(v.name);
      this.names.set(v, n);
    }
    return n;
  }

  private varRef(v: Var): ts.Expression {
    if (v.external) return this.scope.external(v.external, this.lastOrigin);
    if (v.path) return fieldChain(this.f, this.varRef(v.path.root), v.path.root.type, v.path.keys);
    return this.f.createIdentifier(this.nameOf(v));
  }

  /**
   * Parameter declarations; a source parameter's default value, or `?` for an optional one, where
   * only such parameters follow it (else an optional one is `p: number | undefined`).
   */
  private parameters(vars: readonly Var[]): ts.ParameterDeclaration[] {
    let trailing = vars.length;
    while (trailing > 0 && (vars[trailing - 1]!.defaultValue || vars[trailing - 1]!.optional)) trailing--;
    return vars.map((p, i) => {
      const type = this.typeNode(p.type);
      const question = p.optional && i >= trailing ? this.f.createToken(ts.SyntaxKind.QuestionToken) : undefined;
      const orUndefined =
        p.optional && !question && type
          ? this.f.createUnionTypeNode([type, this.f.createKeywordTypeNode(ts.SyntaxKind.UndefinedKeyword)])
          : type;
      return this.f.createParameterDeclaration(
        undefined,
        undefined,
        this.nameOf(p),
        question,
        orUndefined,
        p.defaultValue && i >= trailing ? this.expr(p.defaultValue) : undefined,
      );
    });
  }

  private typeNode(t: IRType): ts.TypeNode | undefined {
    const f = this.f;
    switch (t.kind) {
      case "num":
        return f.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword);
      case "bool":
        return f.createKeywordTypeNode(ts.SyntaxKind.BooleanKeyword);
      case "array": {
        if (t.storage === "f64") return f.createTypeReferenceNode("Float64Array");
        const elem = this.typeNode(t.elem);
        return elem ? f.createArrayTypeNode(elem) : undefined;
      }
      case "record": {
        const fields = t.fields.map((fl) => this.typeNode(fl.type));
        if (fields.some((x) => !x)) return undefined;
        if (t.tuple) return f.createTupleTypeNode(fields as ts.TypeNode[]);
        return f.createTypeLiteralNode(
          t.fields.map((fl, i) =>
            f.createPropertySignature(
              undefined,
              String(fl.key),
              fl.optional ? f.createToken(ts.SyntaxKind.QuestionToken) : undefined,
              fields[i]!,
            ),
          ),
        );
      }
      case "void":
        return undefined;
      case "stack":
        return undefined;
      case "tensor":
        return f.createTypeReferenceNode("Tensor");
      case "data":
        return f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword);
    }
  }

  // ------------------------------------------------------------------------------------------
  // statements

  private block(b: Block): ts.Statement[] {
    const out: ts.Statement[] = [];
    for (let i = 0; i < b.length; i++) {
      const s = b[i]!;
      if (s.k === "section") {
        // from the reverse sweep on, each statement is headed by the source line it reverses
        if (s.sweep === "reverse") this.commentOrigins = true;
        this.pendingComment = `${s.sweep} sweep`;
        continue;
      }
      const comment = this.takeComment(s);
      for (const t of this.stmt(s)) out.push(this.withComments(t, s, comment));
    }
    return out;
  }

  /** The comment that goes above `s`: a pending section header, or the source line it reverses. */
  private takeComment(s: Stmt): string | undefined {
    if (this.pendingComment) {
      const c = this.pendingComment;
      this.pendingComment = undefined;
      this.lastOrigin = s.origin;
      return c;
    }
    if (this.commentOrigins && s.origin && s.k !== "loop" && s.k !== "if" && this.lastOrigin?.pos !== s.origin.pos) {
      this.lastOrigin = s.origin;
      return `${s.origin.text}  (${shortFile(s.origin.file)}:${s.origin.line})`;
    }
    return undefined;
  }

  private withComments(node: ts.Statement, s: Stmt, comment: string | undefined): ts.Statement {
    if (comment) ts.addSyntheticLeadingComment(node, ts.SyntaxKind.SingleLineCommentTrivia, ` ${comment}`, true);
    ts.setSourceMapRange(node, this.sourceRange(s.origin ?? this.gf.origin));
    return node;
  }

  private sourceRange(o: Origin): ts.SourceMapRange {
    const source = o.file === this.scope.fileName ? undefined : this.scope.sourceMapSource(o.file);
    return { pos: o.pos, end: o.end, source };
  }

  private stmt(s: Stmt): ts.Statement[] {
    const f = this.f;
    switch (s.k) {
      case "decl": {
        if (s.v.type.kind === "void") return [f.createExpressionStatement(this.expr(s.init))];
        return [f.createVariableStatement(undefined, this.declList(s))];
      }
      case "assign":
        return [f.createExpressionStatement(this.assignment(s.v, s.value))];
      case "store": {
        const target = f.createElementAccessExpression(this.varRef(s.arr), this.expr(s.index));
        if (s.accumulate) return [f.createExpressionStatement(this.accumulation(target, s.value))];
        return [f.createExpressionStatement(f.createAssignment(target, this.expr(s.value)))];
      }
      case "push":
        return [f.createExpressionStatement(this.method(this.varRef(s.arr), "push", [this.expr(s.value)]))];
      case "truncate":
        return [f.createExpressionStatement(this.method(this.varRef(s.arr), "pop", []))];
      case "stackPush": {
        const isBool = exprType(s.value) === "bool";
        return [f.createExpressionStatement(this.method(this.varRef(s.stack), isBool ? "pushBool" : "push", [this.expr(s.value)]))];
      }
      case "if": {
        if (s.then.length === 0 && s.else.length > 0) return this.stmt({ ...s, cond: negate(s.cond), then: s.else, else: [] });
        const then = f.createBlock(this.block(s.then), true);
        let els: ts.Statement | undefined;
        if (s.else.length === 1 && s.else[0]!.k === "if") els = this.stmt(s.else[0]!)[0];
        else if (s.else.length) els = f.createBlock(this.block(s.else), true);
        return [f.createIfStatement(this.expr(s.cond), then, els)];
      }
      case "loop":
        return [this.loop(s)];
      case "break":
        return [f.createBreakStatement(s.label)];
      case "continue":
        return [f.createContinueStatement(s.label)];
      case "return":
        return [f.createReturnStatement(s.value ? this.expr(s.value) : undefined)];
      case "throw":
        return [throwStatement(f, s, (e) => this.expr(e))];
      case "log":
        return [consoleStatement(f, s, (e) => this.expr(e))];
      case "section":
        return [];
    }
  }

  private declList(s: Stmt & { k: "decl" }): ts.VariableDeclarationList {
    const isConst = !this.assigned.has(s.v);
    const type = s.init.k === "undef" && !isConst ? this.typeNode(s.v.type) : undefined;
    if (type)
      // a variable every path assigns before reading it, declared with no value (an aux set at
      // each return): `let aux!: A`
      return this.f.createVariableDeclarationList(
        [this.f.createVariableDeclaration(this.nameOf(s.v), this.f.createToken(ts.SyntaxKind.ExclamationToken), type, undefined)],
        ts.NodeFlags.Let,
      );
    // Declared with its type written out: a tuple or object given other values later, some with
    // an optional field set (`t = o` after `{ scale: undefined }`), which the type admits all; and
    // a literal with a tuple in it (`[a, b]`, `{ tag: [a, b] }`), which TypeScript would read as
    // holding an array
    const tupleLiteral = s.init.k === "record" && hasTuple(s.v.type);
    // and a value popped from the reference stack (a split pullback's reverse half reads its
    // arrays back): the stack's pop takes its type from where the value goes
    const popped = s.init.k === "pop" && s.v.type.kind !== "num" && s.v.type.kind !== "bool";
    const annotation = (!isConst && hasOptionalField(s.v.type)) || tupleLiteral || popped ? this.typeNode(s.v.type) : undefined;
    return this.f.createVariableDeclarationList(
      [this.f.createVariableDeclaration(this.nameOf(s.v), undefined, annotation, this.expr(s.init))],
      isConst ? ts.NodeFlags.Const : ts.NodeFlags.Let,
    );
  }

  private loop(s: Stmt & { k: "loop" }): ts.Statement {
    const f = this.f;
    const init = s.init;
    let node: ts.Statement;
    if (s.testAtEnd) {
      const body = [...this.block(s.body), ...this.block(s.update)];
      node = f.createDoStatement(f.createBlock(body, true), s.test ? this.expr(s.test) : f.createTrue());
    } else if (init || (s.update.length > 0 && updateIsExpression(s.update))) {
      const updates = s.update.map((u) => (this.stmt(u)[0] as ts.ExpressionStatement).expression);
      const incrementor = updates.length === 0 ? undefined : updates.reduce((a, b) => f.createComma(a, b));
      node = f.createForStatement(
        init ? this.declList(init) : undefined,
        s.test ? this.expr(s.test) : undefined,
        incrementor,
        f.createBlock(this.block(s.body), true),
      );
    } else {
      const body = [...this.block(s.body), ...this.block(s.update)];
      node = f.createWhileStatement(s.test ? this.expr(s.test) : f.createTrue(), f.createBlock(body, true));
    }
    return s.label ? f.createLabeledStatement(s.label, node) : node;
  }

  /** `v = v + e` reads best as `v += e`; `v = v - e` as `v -= e`. */
  private assignment(v: Var, value: Expr): ts.Expression {
    const f = this.f;
    if (value.k === "op" && value.args[0]?.k === "var" && value.args[0].v === v && value.args.length === 2) {
      const compound =
        value.op === "add"
          ? ts.SyntaxKind.PlusEqualsToken
          : value.op === "sub"
            ? ts.SyntaxKind.MinusEqualsToken
            : value.op === "mul"
              ? ts.SyntaxKind.AsteriskEqualsToken
              : undefined;
      if (compound) {
        const rhs = value.args[1]!;
        if (value.op === "add") return this.accumulation(this.varRef(v), rhs);
        if (rhs.k === "num" && rhs.value === 1 && value.op === "sub") return f.createPostfixDecrement(this.varRef(v));
        return f.createBinaryExpression(this.varRef(v), compound, this.expr(rhs));
      }
    }
    return f.createAssignment(this.varRef(v), this.expr(value));
  }

  /** `target += e`, or `target -= x` when e is `-x` (or `-2 * x`), or `target++`. */
  private accumulation(target: ts.Expression, e: Expr): ts.Expression {
    const f = this.f;
    const negated = negation(e);
    if (negated) return f.createBinaryExpression(target, ts.SyntaxKind.MinusEqualsToken, this.expr(negated));
    if (e.k === "num" && e.value === 1 && ts.isIdentifier(target)) return f.createPostfixIncrement(target);
    return f.createBinaryExpression(target, ts.SyntaxKind.PlusEqualsToken, this.expr(e));
  }

  private method(target: ts.Expression, name: string, args: ts.Expression[]): ts.Expression {
    return this.f.createCallExpression(this.f.createPropertyAccessExpression(target, name), undefined, args);
  }

  // ------------------------------------------------------------------------------------------
  // expressions

  private numLit(v: number): ts.Expression {
    const f = this.f;
    if (Number.isNaN(v)) return f.createIdentifier("NaN");
    if (v === Infinity) return f.createIdentifier("Infinity");
    if (v === -Infinity) return f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createIdentifier("Infinity"));
    if (v < 0 || Object.is(v, -0)) return f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(String(-v)));
    return f.createNumericLiteral(String(v));
  }

  expr(e: Expr): ts.Expression {
    const f = this.f;
    switch (e.k) {
      case "num":
        return this.numLit(e.value);
      case "undef":
        return f.createIdentifier("undefined");
      case "str":
        return f.createStringLiteral(e.value);
      case "bool":
        return e.value ? f.createTrue() : f.createFalse();
      case "var":
        return this.varRef(e.v);
      case "op":
        return this.op(e.op, e.args);
      case "index":
        return f.createElementAccessExpression(this.expr(e.arr), this.expr(e.index));
      case "len":
        return f.createPropertyAccessExpression(this.expr(e.arr), "length");
      case "field":
        return typeof e.key === "number"
          ? f.createElementAccessExpression(this.expr(e.obj), e.key)
          : f.createPropertyAccessExpression(this.expr(e.obj), e.key);
      case "call": {
        if (e.fn.kind === "tensor") return this.tensorCall(e.fn.key, e.args);
        const callee =
          e.fn.kind === "runtime"
            ? f.createPropertyAccessExpression(this.scope.runtime(), e.fn.key)
            : e.fn.kind === "opaque"
              ? e.fn.member
                ? f.createPropertyAccessExpression(this.scope.external(e.fn.external, this.lastOrigin), e.fn.member)
                : this.scope.external(e.fn.external, this.lastOrigin)
              : this.scope.callee(calleeKey(e.fn));
        return f.createCallExpression(
          callee,
          undefined,
          e.args.map((a) => this.expr(a)),
        );
      }
      case "alloc": {
        const length = this.expr(e.length);
        const zero = e.fill.k === "num" && e.fill.value === 0;
        if (e.storage === "f64") {
          const made = f.createNewExpression(f.createIdentifier("Float64Array"), undefined, [length]);
          return zero ? made : this.method(made, "fill", [this.expr(e.fill)]);
        }
        const made = f.createNewExpression(f.createIdentifier("Array"), [f.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword)], [length]);
        return this.method(made, "fill", [this.expr(e.fill)]);
      }
      case "arrayLit": {
        const elems = e.elems.map((x) => this.expr(x));
        if (e.storage === "f64") return this.method(f.createIdentifier("Float64Array"), "of", elems);
        return f.createArrayLiteralExpression(elems);
      }
      case "copy": {
        const src = this.expr(e.arr);
        const srcStorage = e.arr.k === "var" && e.arr.v.type.kind === "array" ? e.arr.v.type.storage : e.storage;
        if (srcStorage === e.storage) return this.method(src, "slice", []);
        return this.method(f.createIdentifier(e.storage === "f64" ? "Float64Array" : "Array"), "from", [src]);
      }
      case "record": {
        // every field of a parameter (or of a part of one), in order: that parameter itself
        const whole = wholePart(e);
        if (whole) return fieldChain(f, this.varRef(whole.root), whole.root.type, whole.keys);
        if (e.tuple) return f.createArrayLiteralExpression(e.fields.map((fl) => this.expr(fl.value)));
        return f.createObjectLiteralExpression(
          e.fields.map((fl) => {
            const value = this.expr(fl.value);
            // `{ value, aux, grad: x_bar }`, not `{ value: value, aux: aux, ... }`
            return ts.isIdentifier(value) && value.text === String(fl.key)
              ? f.createShorthandPropertyAssignment(value)
              : f.createPropertyAssignment(String(fl.key), value);
          }),
          e.fields.length > 2,
        );
      }
      case "newStack":
        // the runtime's shared stacks: every generated function leaves them as it found them
        return f.createPropertyAccessExpression(this.scope.runtime(), e.of === "f64" ? "stack" : "refStack");
      case "pop":
        return this.method(this.varRef(e.stack), e.type.kind === "bool" ? "popBool" : "pop", []);
      case "zerosLike":
        return f.createCallExpression(f.createPropertyAccessExpression(this.scope.runtime(), "zerosLike"), undefined, [this.expr(e.arr)]);
      case "closure": {
        const params = this.parameters(e.params);
        const body =
          e.body.length === 1 && e.body[0]!.k === "return" && e.body[0]!.value
            ? this.expr(e.body[0]!.value)
            : f.createBlock(this.block(e.body), true);
        return f.createArrowFunction(undefined, undefined, params, undefined, f.createToken(ts.SyntaxKind.EqualsGreaterThanToken), body);
      }
    }
  }

  /** `T.matmul(a, b)`; concat and stack take their tensors as an array: `T.concat([a, b], axis)`. */
  private tensorCall(name: string, args: readonly Expr[]): ts.Expression {
    const f = this.f;
    const callee = f.createPropertyAccessExpression(this.scope.tensorModule(), name);
    let emitted = args.map((a) => this.expr(a));
    const list = takesTensorList(name);
    if (list) emitted = [f.createArrayLiteralExpression(emitted.slice(0, -1)), emitted[emitted.length - 1]!];
    // trailing optional arguments left out stay out
    while (emitted.length > 0 && args[emitted.length - 1]?.k === "undef" && !list) emitted.pop();
    return f.createCallExpression(callee, undefined, emitted);
  }

  /** A primitive, printed the way its table entry says: an operator, a Math call, or structurally. */
  private op(name: OpName, args: readonly Expr[]): ts.Expression {
    const f = this.f;
    const a = args.map((x) => this.expr(x));
    const p = primitive(name);
    if (name === "stop") return a[0]!; // stopGradient only matters to the passes
    if (name === "select") {
      // `given ? o.scale! : 0`: TypeScript does not narrow an optional field (or an optional
      // chain) through the test of a variable holding `o.scale !== undefined`, which `given` is
      const arm = args[1]!;
      const then = arm.k === "var" && arm.v.path && mayBeMissing(arm.v.path.root.type, arm.v.path.keys) ? nonNull(f, a[1]!) : a[1]!;
      return f.createConditionalExpression(a[0]!, undefined, then, undefined, a[2]!);
    }
    if (name === "pow" && isSquare(args)) return f.createBinaryExpression(a[0]!, ts.SyntaxKind.AsteriskToken, this.expr(args[0]!));
    if (p.operator !== undefined && p.arity === 1)
      return f.createPrefixUnaryExpression(TOKENS[p.operator] as ts.PrefixUnaryOperator, a[0]!);
    if (p.operator !== undefined) {
      // the printer drops parentheses in a * (b * c); keep them: floating point is not associative
      const right = args[1]!;
      const rightOp = right.k === "op" ? (right.op === "pow" && isSquare(right.args) ? "mul" : right.op) : undefined;
      const level = (o: OpName) => {
        const q = primitive(o);
        return q.operator === undefined || q.arity !== 2 ? undefined : PRECEDENCE[q.operator];
      };
      const samePrecedence = rightOp !== undefined && level(rightOp) !== undefined && level(rightOp) === level(name);
      return f.createBinaryExpression(
        a[0]!,
        TOKENS[p.operator] as ts.BinaryOperator,
        samePrecedence ? f.createParenthesizedExpression(a[1]!) : a[1]!,
      );
    }
    const math = mathNameOf(name);
    if (math) return this.method(f.createIdentifier("Math"), math, a);
    throw new InternalError(`emit: no syntax for primitive ${name}`);
  }
}

/** `x ** 2` of a variable or element, which is printed as `x * x`. */
function isSquare(args: readonly Expr[]): boolean {
  const [x, b] = args;
  return b?.k === "num" && b.value === 2 && (x?.k === "var" || x?.k === "index");
}

/** The negation of a condition: `a === b` becomes `a !== b`, `!c` becomes `c`, else `!(...)`. */
function negate(c: Expr): Expr {
  if (c.k === "op" && c.op === "not") return c.args[0]!;
  if (c.k === "op" && c.op === "eq") return { ...c, op: "ne" };
  if (c.k === "op" && c.op === "ne") return { ...c, op: "eq" };
  return { k: "op", op: "not", args: [c] };
}

/** x when e is -x, -c * y, or a negative constant; else null. */
function negation(e: Expr): Expr | null {
  if (e.k === "op" && e.op === "neg") return e.args[0]!;
  if (e.k === "num" && e.value < 0) return { k: "num", value: -e.value };
  if (e.k === "op" && e.op === "mul" && e.args[0]!.k === "num" && e.args[0]!.value < 0) {
    const c = -e.args[0]!.value;
    return c === 1 ? e.args[1]! : { ...e, args: [{ k: "num", value: c }, e.args[1]!] };
  }
  if (e.k === "op" && e.op === "div" && e.args[0]!.k === "num" && e.args[0]!.value < 0)
    return { ...e, args: [{ k: "num", value: -e.args[0]!.value }, e.args[1]!] };
  return null;
}

function exprType(e: Expr): "bool" | "other" {
  if (e.k === "bool") return "bool";
  if (e.k === "var") return e.v.type.kind === "bool" ? "bool" : "other";
  if (e.k === "op" && isBooleanOp(e.op)) return "bool";
  return "other";
}

export function shortFile(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts.slice(-2).join("/");
}

function hasOptionalField(t: IRType): boolean {
  return t.kind === "record" && t.fields.some((f) => f.optional || hasOptionalField(f.type));
}

function hasTuple(t: IRType): boolean {
  return t.kind === "record" && (t.tuple || t.fields.some((f) => hasTuple(f.type)));
}

function nonNull(f: ts.NodeFactory, e: ts.Expression): ts.Expression {
  return ts.isPropertyAccessChain(e) || ts.isElementAccessChain(e) ? f.createNonNullChain(e) : f.createNonNullExpression(e);
}
