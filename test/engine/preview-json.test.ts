/**
 * The one-shot `previewJson(stackDir, stack)` on the real engine: a fresh backend each time, and
 * an engine error comes back as a thrown error carrying the engine's own message.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { previewJson } from "../../tools/engine";
import { RECORD_PAIR_DIR } from "./support/record-pair";

describe("previewJson(stackDir, stack)", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "stepwise-records-"));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("fails with the engine's message when the stack lacks required config", async () => {
    // stacks/Pulumi.dev.yaml holds everything but the secret credential the program requires.
    await expect(
      previewJson(RECORD_PAIR_DIR, "dev", { env: { STEPWISE_ENGINE_FIXTURE_STATE: stateDir } }),
    ).rejects.toThrow(
      /pulumi preview of .*record-pair \(stack dev\) failed with exit 1:\n.*Missing required configuration variable 'record-pair:credential'/s,
    );
  });
});
