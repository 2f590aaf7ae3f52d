import { describe, expect, it } from "vitest";
import { deploymentNotes, type PathStatus } from "../../../tools/cli/commands/status";
import { main } from "../../../tools/cli/main";
import { SEED_PLATFORM_DIR } from "../../support/seed-platform";

const row = (path: string, phase: string): PathStatus => ({
  stack: "local",
  path,
  phase,
  previous: undefined,
  enteredAt: undefined,
  inPhaseMs: undefined,
  mayAdvanceInMs: 0,
  rollbackWindow: undefined,
});

describe("status --deployed", () => {
  it("says what the stack file has that the state does not, and that the last update failed", () => {
    const notes = deploymentNotes("local", [row("events", "parallel"), row("api", "old")], {
      phases: { events: "redpanda", api: "old" },
      lastUpdate: "update failed at 2026-12-07T10:00:00.000Z",
      lastUpdateFailed: true,
    });
    expect(notes).toEqual([
      "local: last update failed at 2026-12-07T10:00:00.000Z",
      "local: the last update failed; the deployed phases above are the last ones deployed whole. Run `pulumi up` again to finish the change.",
      'local: events is at "parallel" in the stack file but "redpanda" is deployed',
    ]);
  });

  it("says so when the stack was never deployed", () => {
    expect(
      deploymentNotes("local", [row("events", "redpanda")], {
        phases: {},
        lastUpdate: undefined,
        lastUpdateFailed: false,
      }),
    ).toEqual(["local: never deployed"]);
  });

  it("without an engine, exits 2 saying how to get one", async () => {
    const saved = process.env.STEPWISE_PULUMI;
    process.env.STEPWISE_PULUMI = "/nonexistent/bin/pulumi";
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(" "));
    try {
      expect(await main(["-C", SEED_PLATFORM_DIR, "status", "local", "--deployed"])).toBe(2);
    } finally {
      console.error = original;
      process.exitCode = undefined;
      if (saved === undefined) delete process.env.STEPWISE_PULUMI;
      else process.env.STEPWISE_PULUMI = saved;
    }
    expect(errors.join("\n")).toMatch(
      /--deployed: STEPWISE_PULUMI is set to .* Without it, leave out --deployed/,
    );
  });
});
