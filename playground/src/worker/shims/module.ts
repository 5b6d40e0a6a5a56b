/**
 * `node:module` in the worker. The transformer's compiler module loads tsgrad's own `typescript`
 * with `createRequire` only when no compiler was handed to it; the worker always hands it one,
 * so reaching this is a bug in the worker, said plainly.
 */
export function createRequire(): (id: string) => never {
  return (id) => {
    throw new Error(`the playground's worker cannot require("${id}"): the transformer must be given its compiler`);
  };
}
