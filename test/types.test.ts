/**
 * The types the editor shows for the markers: test/types/markers.types.ts is type-checked here
 * with the TypeScript compiler and must produce no errors (it asserts type equalities, and uses
 * @ts-expect-error where a misuse must be rejected).
 */
import { describe, expect, it } from "vitest";
import { typeErrorsOf } from "./support/typecheck.js";

describe("marker types", () => {
  it("type-check as documented", () => {
    const diagnostics = typeErrorsOf(new URL("./types/markers.types.ts", import.meta.url));
    expect(diagnostics).toEqual([]);
  });
});
