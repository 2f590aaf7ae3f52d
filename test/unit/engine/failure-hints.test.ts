import { describe, expect, it } from "vitest";
import { failureHints } from "../../../tools/engine/failure-hints";

describe("failureHints", () => {
  it.each([
    {
      // Real output of the engine on stack files of another passphrase.
      output: "error: validating stack config: cipher: message authentication failed",
      hint: /encryptionsalt belong to another passphrase/,
    },
    {
      output: "error: could not create secrets manager for new stack: incorrect passphrase",
      hint: /set PULUMI_CONFIG_PASSPHRASE to the stack's passphrase/,
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
