// A Stryker ignorer for mutation runs (stryker.config.mjs): the texts of refusals, internal
// errors and rule notes are messages to people, not derivatives. Mutating them changes no number
// the tests could check, so they are left out of the run (reported as ignored, not in the score).
// Plain JavaScript: Stryker loads its plugins with Node's own loader.
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

/** Object properties that hold documentation: a rule's note, a refusal's problem and hint. */
const TEXT_PROPERTIES = new Set(["note", "hint", "problem"]);

const isNamed = (node, test) => node.type === "Identifier" && test(node.name);

function shouldIgnore(path) {
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
  return undefined;
}

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, "messages", { shouldIgnore })];
