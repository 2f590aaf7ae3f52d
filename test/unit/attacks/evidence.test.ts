import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gateRecordProblems, sealGate } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import type { GateId } from "../../../migrations/path";
import { packPolicies } from "../../../policies/pack/pack-policies";
import type { StackValidationPolicy } from "@pulumi/policy";
import { collector, ledger, ledgerResource, stackArgs, NOW } from "../policies/support";
import { cli, stackRepo } from "./stack-repo";

// Gates, phase times and drills are evidence, not text: a gate is a sealed record of the check
// that ran, written in a change of its own; entry times are stamped by advance and rollback.
const repo = stackRepo();
afterAll(() => repo.remove());
const AT = "2026-11-26T12:00:00.000Z";
const SLOW = 120_000;

const plan = (stack: string) =>
  cli("plan", stack, "--base", "HEAD", "--stacks-dir", repo.stacksDir, "--at", AT);
const advance = (stack: string, path: string) =>
  cli("advance", stack, path, "--stacks-dir", repo.stacksDir, "--at", AT);

/** A gate line for a stack file's `stepwise:gates` map (a YAML flow map). */
const gateLine = (gate: GateId, record: GateRecord) => `    ${gate}: ${JSON.stringify(record)}\n`;
const withGate = (gate: GateId, record: GateRecord) => (text: string) =>
  text.replace("  stepwise:gates:\n", `  stepwise:gates:\n${gateLine(gate, record)}`);

const sealed = (gate: GateId, recordedAt = "2026-11-26T10:00:00.000Z") =>
  sealGate(
    gate,
    {
      passed: true,
      recordedAt,
      detail: "citus readiness of db:5432/shop: 5 distributed, 0 finding(s)",
      check: "database readiness",
      endpoints: ["db:5432/shop"],
    },
    { tables: 5 },
  );

describe("gates are records made by the check, not text", () => {
  it(
    "a gate typed by hand next to the advance it unlocks: exit 1, recorded-evidence",
    async () => {
      repo.edit(
        "prod",
        withGate("data-model-reviewed", {
          passed: true,
          recordedAt: "2026-11-26T10:00:00Z",
          detail: "reviewed",
        }),
      );
      expect((await advance("prod", "database")).code).toBe(0);
      const { code, out } = await plan("prod");
      expect(code).toBe(1);
      expect(out).toMatch(
        /recorded-evidence.*gate "data-model-reviewed" was not recorded by a check \(it has no digest\); record it with `stepwise database readiness --record`/,
      );
      expect(out).toMatch(/recorded-evidence.*recorded in the same update as the step it unlocks/);
      repo.reset();
    },
    SLOW,
  );

  it(
    "a sealed gate still cannot arrive with its step; recorded alone it passes, then unlocks it",
    async () => {
      const own = stackRepo();
      try {
        const planOwn = (...extra: string[]) =>
          cli("plan", "prod", "--stacks-dir", own.stacksDir, "--at", AT, ...extra);
        const advanceOwn = () =>
          cli("advance", "prod", "database", "--stacks-dir", own.stacksDir, "--at", AT);
        own.edit("prod", withGate("data-model-reviewed", sealed("data-model-reviewed")));
        const alone = await planOwn("--base", "HEAD");
        expect(alone.code).toBe(0);
        expect((await advanceOwn()).code).toBe(0);
        const together = await planOwn("--base", "HEAD");
        expect(together.code).toBe(1);
        expect(together.out).toMatch(/recorded in the same update as the step it unlocks/);
        expect(together.out).not.toMatch(/no digest/);

        // Merged on its own first, the gate unlocks the step in the next change.
        own.reset();
        own.edit("prod", withGate("data-model-reviewed", sealed("data-model-reviewed")));
        own.commit("record data-model-reviewed");
        expect((await advanceOwn()).code).toBe(0);
        const step = await planOwn("--base", "HEAD", "--json");
        const verdicts = (
          JSON.parse(step.out) as { stepwise: { verdicts: { ruleId: string; passed: boolean }[] } }
        ).stepwise.verdicts;
        expect(verdicts.filter((v) => v.ruleId === "recorded-evidence")).toEqual([
          expect.objectContaining({ passed: true }),
        ]);
        expect(verdicts.filter((v) => v.ruleId === "phase-gates")).toEqual([
          expect.objectContaining({ passed: true }),
        ]);
      } finally {
        own.remove();
      }
    },
    SLOW,
  );

  it(
    "a gate edited after it was recorded, or dated in the future: exit 1",
    async () => {
      const edited = { ...sealed("rollback-drill"), detail: "drill: all good" };
      repo.edit("prod", (text) =>
        text.replace(/ {4}rollback-drill:\n(?: {6}.*\n)+/, gateLine("rollback-drill", edited)),
      );
      const first = await plan("prod");
      expect(first.code).toBe(1);
      expect(first.out).toMatch(
        /gate "rollback-drill" was edited after `database readiness` recorded it/,
      );
      const future = sealed("rollback-drill", "2099-01-01T00:00:00.000Z");
      repo.edit("prod", (text) =>
        text.replace(/ {4}rollback-drill: .*\n/, gateLine("rollback-drill", future)),
      );
      const later = await plan("prod");
      expect(later.code).toBe(1);
      expect(later.out).toMatch(
        /gate "rollback-drill" is dated in the future \(2099-01-01T00:00:00.000Z\)/,
      );
      repo.reset();
    },
    SLOW,
  );
});

describe("the drill records its own gate", () => {
  it(
    "drill --record writes a sealed rollback-drill gate that says what the drill found",
    async () => {
      const file = join(repo.dir, "drill-gate.json");
      const { code } = await cli(
        "drill",
        "dev",
        "--stacks-dir",
        repo.stacksDir,
        "--at",
        AT,
        "--record",
        file,
      );
      const record = (JSON.parse(readFileSync(file, "utf8")) as Record<string, GateRecord>)[
        "rollback-drill"
      ];
      expect(record).toMatchObject({
        passed: code === 0,
        check: "drill",
        endpoints: ["dev"],
        recordedAt: AT,
      });
      expect(gateRecordProblems("rollback-drill", record, new Date(AT))).toEqual([]);
    },
    SLOW,
  );
});

describe("entry times are stamped by advance and rollback", () => {
  it(
    "backdating an entry time without a step: exit 1",
    async () => {
      repo.edit("staging", (text) =>
        text.replace(
          '    events: "2026-11-24T08:00:00Z"\n',
          '    events: "2026-10-01T08:00:00Z"\n',
        ),
      );
      const { code, out } = await plan("staging");
      expect(code).toBe(1);
      expect(out).toMatch(
        /recorded-evidence.*path "events": enteredAt 2026-10-01T08:00:00Z was 2026-11-24T08:00:00Z and the phase "parallel" did not change/,
      );
      repo.edit("staging", (text) =>
        text.replace(
          '    events: "2026-10-01T08:00:00Z"\n',
          '    events: "2026-11-24T08:00:00Z"\n',
        ),
      );
    },
    SLOW,
  );

  it(
    "a step whose entry time is backdated, or in the future: exit 1",
    async () => {
      expect((await advance("staging", "events")).code).toBe(0);
      repo.edit("staging", (text) =>
        text.replace(`    events: "${AT}"\n`, '    events: "2026-11-25T00:00:00Z"\n'),
      );
      const old = await plan("staging");
      expect(old.code).toBe(1);
      expect(old.out).toMatch(
        /path "events": enteredAt 2026-11-25T00:00:00Z is 36h old for a step taken now; run `stepwise advance` again/,
      );
      repo.edit("staging", (text) =>
        text.replace(
          '    events: "2026-11-25T00:00:00Z"\n',
          '    events: "2027-01-01T00:00:00Z"\n',
        ),
      );
      const future = await plan("staging");
      expect(future.code).toBe(1);
      expect(future.out).toMatch(/path "events": enteredAt 2027-01-01T00:00:00Z is in the future/);
      repo.reset();
    },
    SLOW,
  );
});

describe("times reach the engine as written", () => {
  it("refuses an unquoted time, which Pulumi would read as a date and rewrite", async () => {
    repo.edit("staging", (text) =>
      text.replace(
        '      recordedAt: "2026-11-23T16:00:00Z"\n',
        "      recordedAt: 2026-11-23T16:00:00Z\n",
      ),
    );
    const { code, err } = await plan("staging");
    expect(code).toBe(2);
    expect(err).toContain(
      'stepwise:gates.compatibility-verified.recordedAt = 2026-11-23T16:00:00Z: write times in quotes ("2026-11-23T16:00:00Z")',
    );
    repo.reset();
  });
});

describe("status tells the truth about entry times", () => {
  it("refuses an entry time in the future instead of printing a negative age", async () => {
    repo.edit("staging", (text) =>
      text.replace('    events: "2026-11-24T08:00:00Z"\n', '    events: "2099-01-01T00:00:00Z"\n'),
    );
    const { code, out, err } = await cli(
      "status",
      "staging",
      "--stacks-dir",
      repo.stacksDir,
      "--at",
      AT,
    );
    expect(code).toBe(2);
    expect(err).toContain(
      "stepwise:enteredAt.events = 2099-01-01T00:00:00Z is in the future (now is 2026-11-26T12:00:00.000Z)",
    );
    expect(out).not.toMatch(/-\d+m/);
    repo.reset();
  });
});

describe("the pack judges the deployed ledger against the new one", () => {
  const policy = (id: string) =>
    packPolicies(() => NOW).find((p) => p.name === id) as StackValidationPolicy;
  const violations = (id: string, value: ReturnType<typeof ledger>) => {
    const { report, violations: found } = collector();
    void policy(id).validateStack(stackArgs([ledgerResource(value)]), report);
    return found.map((v) => v.message.split(". To pass: ")[0]);
  };

  it("refuses a gate the update brings with the step it unlocks, or one typed by hand", () => {
    const value = {
      ...ledger(
        {
          database: {
            phase: "citus-provisioned",
            enteredAt: NOW.toISOString(),
            previous: "postgres",
            previousEnteredAt: "2026-06-01T00:00:00Z",
          },
        },
        { "data-model-reviewed": { passed: true, recordedAt: NOW.toISOString(), detail: "ok" } },
      ),
      moves: [{ path: "database", from: "postgres", to: "citus-provisioned" }],
      gatesChanged: ["data-model-reviewed"],
    };
    expect(violations("recorded-evidence", value)).toEqual([
      'gate "data-model-reviewed" was not recorded by a check (it has no digest); record it with `stepwise database readiness --record`',
      'gate "data-model-reviewed" is recorded in the same update as the step it unlocks (path "database" → "citus-provisioned"); record it in a change of its own first',
    ]);
    // Deployed in an earlier update, the same gate unlocks the step.
    expect(violations("recorded-evidence", { ...value, gatesChanged: [] })).toEqual(
      [
        'gate "data-model-reviewed" was not recorded by a check (it has no digest); record it with `stepwise database readiness --record`',
      ].slice(1),
    );
  });

  it("refuses two paths that moved since the last deployment (merged apart, deployed together)", () => {
    const value = {
      ...ledger({ events: "parallel", platform: "coordination-on-k3s" }),
      moves: [
        { path: "events", from: "redpanda", to: "parallel" },
        { path: "platform", from: "compose", to: "coordination-on-k3s" },
      ],
    };
    expect(violations("one-path-per-update", value)).toEqual([
      "2 paths move in one update: events (redpanda → parallel), platform (compose → coordination-on-k3s)",
    ]);
  });

  it("judges by the deployed policy and refuses a policy change that rides with a step", () => {
    const value = {
      ...ledger({ events: "parallel" }),
      moves: [{ path: "events", from: "redpanda", to: "parallel" }],
      policy: { environment: "prod", weightStep: 10 },
      policyInForce: { environment: "prod" },
    };
    expect(violations("policy-change-alone", value)).toEqual([
      'the policy changes (weightStep 25 → 10) in the same update as: path "events" moves redpanda → parallel',
    ]);
    expect(violations("policy-change-alone", { ...value, moves: [] })).toEqual([]);
  });
});
