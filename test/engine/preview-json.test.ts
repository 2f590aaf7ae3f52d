/**
 * The one-shot `previewJson(stackDir, stack)` on the real engine: a fresh backend each time, and
 * an engine error comes back as a thrown error carrying the engine's own message.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { previewJson } from "../../tools/engine";
import { INITIAL_CONFIG, RECORD_PAIR_DIR, stepLines, URNS } from "./support/record-pair";

describe("previewJson(stackDir, stack)", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "stepwise-records-"));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("previews the fixture as creates on a fresh backend, config applied first", async () => {
    const plan = await previewJson(RECORD_PAIR_DIR, "dev", {
      config: INITIAL_CONFIG,
      env: { STEPWISE_ENGINE_FIXTURE_STATE: stateDir },
    });
    expect(stepLines(plan).filter((line) => !line.includes("::pair-"))).toEqual([
      `create ${URNS.stack}`,
      `create ${URNS.pair}`,
    ]);
    expect(plan.changeSummary).toEqual({ create: 6 });
    expect(plan.config).toMatchObject({ "record-pair:credential": "[secret]" });
  });

  // Slow (about a minute more than a passing preview): the engine log shows a 60 s wait
  // between receiving the stack's registration and preparing it when the program fails.
  it("fails with the engine's message when the stack lacks required config", async () => {
    // stacks/Pulumi.dev.yaml holds everything but the secret credential the program requires.
    await expect(
      previewJson(RECORD_PAIR_DIR, "dev", { env: { STEPWISE_ENGINE_FIXTURE_STATE: stateDir } }),
    ).rejects.toThrow(
      /pulumi preview of .*record-pair \(stack dev\) failed with exit 1:\n.*Missing required configuration variable 'record-pair:credential'/s,
    );
  });
});
