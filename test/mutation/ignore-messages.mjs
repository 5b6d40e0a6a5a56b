// A Stryker ignorer for mutation runs (stryker.config.mjs). Left out of the run (reported as
// ignored, not in the score), because mutating them changes no number a test could check:
//   - the texts of refusals, internal errors and rule notes: messages to people;
//   - the template parser's support for mutation testing itself (transformer/rules/registry.ts:
//     following Stryker's switches in a rule's text), which only mutation runs use;
//   - in the tensor rule table, the names of an operation's parameters (only how many there are,
//     and whether a name ends in `?`, optional, is ever read) and `returns: "tensor"` (the value
//     every reader takes when `returns` is neither "number" nor "shape").
// Plain JavaScript: Stryker loads its plugins with Node's own loader.
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

/** Object properties that hold documentation: a rule's note, a refusal's problem and hint. */
const TEXT_PROPERTIES = new Set(["note", "hint", "problem"]);

const isNamed = (node, test) => node.type === "Identifier" && test(node.name);

/** The registry's functions that follow Stryker's instrumentation, and the one call of them. */
const MUTATION_SUPPORT = new Set(["instrumentation", "recordCoverage", "followInstrumentation", "mutationState", "MUTANT_SWITCH", "COVERAGE_MARK"]);

function shouldIgnore(path) {
  if (path.isFunctionDeclaration() && MUTATION_SUPPORT.has(path.node.id?.name)) return "mutation testing's own support";
  if (path.isVariableDeclarator() && path.node.id.type === "Identifier" && MUTATION_SUPPORT.has(path.node.id.name)) return "mutation testing's own support";
  if (path.isStatement() && path.parentPath?.isBlockStatement()) {
    // `const instrumented = followInstrumentation(e); if (instrumented) return lower(instrumented);`
    const { node } = path;
    const decl = node.type === "VariableDeclaration" && node.declarations[0];
    if (decl && decl.init?.type === "CallExpression" && isNamed(decl.init.callee, (n) => MUTATION_SUPPORT.has(n))) return "mutation testing's own support";
    if (node.type === "IfStatement" && isNamed(node.test, (n) => n === "instrumented")) return "mutation testing's own support";
  }
  const parent = path.parentPath;
  if (!parent) return undefined;
  const { node } = parent;
  // refuse(code, origin, problem, hint)
  if (parent.isCallExpression() && isNamed(node.callee, (n) => n === "refuse") && node.arguments.indexOf(path.node) >= 2) return "the text of a refusal";
  // new Error(message), new RangeError(message), ...
  if (parent.isNewExpression() && isNamed(node.callee, (n) => n.endsWith("Error"))) return "the message of an error";
  // super(message) in a class of errors
  if (parent.isCallExpression() && node.callee.type === "Super") {
    const cls = parent.findParent((p) => p.isClassDeclaration() || p.isClassExpression());
    if (cls?.node.superClass && isNamed(cls.node.superClass, (n) => n.endsWith("Error"))) return "the message of an error";
  }
  if (parent.isObjectProperty() && path.key === "value" && isNamed(node.key, (n) => TEXT_PROPERTIES.has(n))) return "documentation text";
  if (path.isStringLiteral() && !path.node.value.endsWith("?") && parent.isArrayExpression()) {
    const property = parent.parentPath;
    if (property?.isObjectProperty() && isNamed(property.node.key, (n) => n === "params")) return "a parameter's name (only the count and a trailing ? are read)";
  }
  if (path.isStringLiteral() && path.node.value === "tensor" && parent.isObjectProperty() && isNamed(node.key, (n) => n === "returns"))
    return "the default kind of result";
  return undefined;
}

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, "messages", { shouldIgnore })];
