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
      hint: /docker and postgresql provider plugins cannot be downloaded or built here/,
    },
    {
      // Real output of the engine on the local stack before the provider was built.
      output:
        "error: no resource plugin 'pulumi-resource-kubernetes' found in the workspace at version v4.25.0 or on your $PATH",
      hint: /test\/engine\/build-kubernetes-provider\.sh/,
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
