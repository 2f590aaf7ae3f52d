import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../tools/cli/main";

const dir = mkdtempSync(join(tmpdir(), "stepwise-policies-"));
writeFileSync(
  join(dir, "Pulumi.qa.yaml"),
  "config:\n  stepwise:environment: staging\n  stepwise:policy:\n    weightStep: 10\n    levels:\n      phase-gates: advisory\n",
);
writeFileSync(
  join(dir, "Pulumi.bad.yaml"),
  "config:\n  stepwise:policy:\n    levels:\n      phase-gate: mandatory\n",
);

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((text: string) => void out.push(text));
  vi.spyOn(console, "error").mockImplementation((text: string) => void err.push(text));
  const code = await main(args);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

afterEach(() => vi.restoreAllMocks());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stepwise policies", () => {
  it("pack-config gives the stack's level and settings to every pack rule", async () => {
    const { code, out } = await run(
      "policies",
      "pack-config",
      "--stack",
      "qa",
      "--stacks-dir",
      dir,
    );
    expect(code).toBe(0);
    const config = JSON.parse(out) as Record<
      string,
      { enforcementLevel: string; settings: object }
    >;
    expect(Object.keys(config)).toEqual([
      "policy-change-alone",
      "one-phase-step",
      "one-path-per-update",
      "engine-stays-put",
      "traffic-weight-step",
      "stateful-delete-after-window",
      "phase-gates",
      "recorded-evidence",
      "rollback-drill-recent",
      "both-systems-monitored",
      "no-plaintext-secrets",
      "k3s-prod-workloads",
    ]);
    expect(config["phase-gates"]).toEqual({
      enforcementLevel: "advisory",
      settings: { environment: "staging", weightStep: 10, levels: { "phase-gates": "advisory" } },
    });
    expect(config["one-phase-step"]?.enforcementLevel).toBe("mandatory");
    expect(config["rollback-drill-recent"]?.enforcementLevel).toBe("advisory");
  });

  it("list shows each rule's level for the stack", async () => {
    const { code, out } = await run("policies", "list", "--stack", "qa", "--stacks-dir", dir);
    expect(code).toBe(0);
    expect(out.split("\n")[0]).toBe("rules for environment staging:");
    expect(out).toMatch(
      /^ {2}phase-gates +advisory +pack\+plan +Gates hold before a phase is entered$/m,
    );
    expect(out.split("\n")).toHaveLength(18);
  });

  it("exits 2 naming the stack file, the field and the valid ids on a bad rule id", async () => {
    const { code, err } = await run("policies", "list", "--stack", "bad", "--stacks-dir", dir);
    expect(code).toBe(2);
    expect(err).toContain(
      `${join(dir, "Pulumi.bad.yaml")}: stepwise:policy.levels.phase-gate: unknown rule id "phase-gate"; valid ids: policy-change-alone, one-phase-step,`,
    );
  });
});
