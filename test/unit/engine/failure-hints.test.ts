import { describe, expect, it } from "vitest";
import { failureHints } from "../../../tools/engine/failure-hints";

describe("failureHints", () => {
  it.each([
    {
      // Real output of the engine on the checked-in stacks/ (test/engine/preview-program.ts).
      output: "error: validating stack config: cipher: message authentication failed",
      hint: /secure:` values were not encrypted with this stack's passphrase/,
    },
    {
      output:
        "error: no resource plugin 'pulumi-resource-docker' found in the workspace at version v5.2.0 or on your $PATH",
      hint: /Provider plugins cannot be downloaded here/,
    },
  ])("explains $output", ({ output, hint }) => {
    const hints = failureHints(output);
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatch(hint);
  });

  it("has nothing to add to an unknown failure", () => {
    expect(failureHints("error: Missing required configuration variable 'p:k'")).toEqual([]);
  });
});
