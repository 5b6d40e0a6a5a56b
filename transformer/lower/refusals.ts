/**
 * Refusals that more than one construct raises, worded once so that users see the same code,
 * message and hint wherever they meet them. Refusals particular to one construct stay beside it.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";

/** Refuses the first spread argument of a call (`f(...xs)`): argument lists are read one by one. */
export function refuseSpreadArguments(call: ts.CallExpression, problem = "spread arguments are not supported"): void {
  for (const a of call.arguments) if (ts.isSpreadElement(a)) fail(TSG.unsupportedSyntax, a, problem, "pass the values one by one");
}

/** A call that does not pass exactly one argument per parameter of its callee. */
export function refuseMissingArguments(call: ts.CallExpression): never {
  fail(
    TSG.unsupportedSyntax,
    call,
    "this call passes a different number of arguments than the function has parameters",
    "pass one argument per parameter (only parameters with a default value may be left out)",
  );
}

/** `x++` or `++x` used for its value rather than as a statement of its own. */
export function refuseIncrementInExpression(node: ts.Node): never {
  fail(TSG.incrementInExpression, node, "++/-- inside an expression is not supported", "write the increment as its own statement");
}

/** `customVjp(...)` and its kin used anywhere but as the initializer of a module-level const. */
export function refuseMisplacedRule(node: ts.Node, rule: string): never {
  fail(
    TSG.badRule,
    node,
    `${rule}(...) must be declared once, at module level: \`const f = ${rule}(...)\``,
    "declare the function with its rule at module level, then call it",
  );
}
