/**
 * `node:path` in the worker: POSIX paths from pathe (the worker's files all live under "/").
 * The transformer imports Node's default export, so pathe is both the default and the named
 * exports here.
 */
import * as pathe from "pathe";

export * from "pathe";
export default pathe;
