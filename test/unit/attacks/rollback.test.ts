import { textWithQuotedTimes } from "../../../migrations/config/stack-file-reader";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parseDocument } from "yaml";
import { sealGate } from "../../../migrations/gate-evidence";
import type { Ledger } from "../../../migrations/ledger";
import type { GateId, PathId } from "../../../migrations/path";
import { MIGRATION_PATHS } from "../../../migrations/paths";
import {
  gatesToLeaveBack,
  rollbackRoute,
  systemsBehindOnRollback,
} from "../../../migrations/path-queries";
import { PACK_STACK_CHECKS } from "../../../policies/pack/pack-policies";
import { cli, stackRepo } from "./stack-repo";

// Issue 16, section 4: a rollback is a promise for every phase. Each attack below passed before:
// the way back out of compose-retired was blocked, and rollbacks that point clients at a system
// that missed the writes since the cutover (or one a retirement recreated empty) went through.

const AT = "2026-11-26T12:00:00.000Z";
const ENTERED = "2026-11-20T00:00:00Z";
const repo = stackRepo();
afterAll(() => repo.remove());

const read = (stack: string) => readFileSync(join(repo.stacksDir, `Pulumi.${stack}.yaml`), "utf8");
const write = (stack: string, text: string) =>
  writeFileSync(join(repo.stacksDir, `Pulumi.${stack}.yaml`), text);

/** A gate as its check command records it (sealed), passed, at `recordedAt`. */
function recorded(gate: GateId, recordedAt: string, passed = true) {
  return sealGate(
    gate,
    { passed, recordedAt, detail: `${gate} checked`, check: "test", endpoints: ["a", "b"] },
    { gate, recordedAt },
  );
}

/**
 * Staging as dev has it (environment staging: every big-bang rule blocks), with `path` at
 * `phase` since ENTERED (the phase before it recorded) and the given gates.
 */
function stagingAt(path: PathId, phase: string, previous: string, gates: object = {}): string {
  const document = parseDocument(read("dev"));
  document.setIn(["config", "stepwise:environment"], "staging");
  document.setIn(["config", "stepwise:phases", path], phase);
  document.setIn(["config", "stepwise:enteredAt", path], ENTERED);
  document.setIn(["config", "stepwise:previousPhases", path], previous);
  for (const [gate, record] of Object.entries(gates)) {
    document.setIn(["config", "stepwise:gates", gate], record);
  }
  return textWithQuotedTimes(document);
}

async function rollback(stack: string, path: PathId, at = AT) {
  const before = read(stack);
  const result = await cli("rollback", stack, path, "--stacks-dir", repo.stacksDir, "--at", at);
  return { ...result, unchanged: read(stack) === before };
}

describe("rollbacks that read from a system that missed the writes need their gate", () => {
  it("database citus-primary → verified: refused until PostgreSQL is compared equal to Citus after the cutover", async () => {
    write("staging", stagingAt("database", "citus-primary", "verified"));
    const missing = await rollback("staging", "database");
    expect([missing.code, missing.unchanged]).toEqual([1, true]);
    expect(missing.out).toContain(
      'phase-gates: path "database" moves back from "citus-primary" to "verified", pointing clients at postgres that missed what happened in "citus-primary", but gate "data-synced-back" is not recorded; bring it back in step, then record it with `stepwise db rollback --record`',
    );

    // A comparison from before the cutover does not cover the writes made only to Citus since.
    const stale = { "data-synced-back": recorded("data-synced-back", "2026-11-19T00:00:00Z") };
    write("staging", stagingAt("database", "citus-primary", "verified", stale));
    const old = await rollback("staging", "database");
    expect([old.code, old.unchanged]).toEqual([1, true]);
    expect(old.out).toContain(
      `gate "data-synced-back" was recorded at 2026-11-19T00:00:00Z, before the path entered "citus-primary" (${ENTERED})`,
    );

    const failed = {
      "data-synced-back": recorded("data-synced-back", "2026-11-25T00:00:00Z", false),
    };
    write("staging", stagingAt("database", "citus-primary", "verified", failed));
    expect((await rollback("staging", "database")).code).toBe(1);

    const fresh = { "data-synced-back": recorded("data-synced-back", "2026-11-25T00:00:00Z") };
    write("staging", stagingAt("database", "citus-primary", "verified", fresh));
    const allowed = await rollback("staging", "database");
    expect([allowed.code, allowed.unchanged]).toEqual([0, false]);
    expect(read("staging")).toContain("    database: verified\n");
  });

  it("events consumers-on-kafka → dual-publish: refused until offsets are translated back to Redpanda", async () => {
    write("staging", stagingAt("events", "consumers-on-kafka", "dual-publish"));
    const missing = await rollback("staging", "events");
    expect([missing.code, missing.unchanged]).toEqual([1, true]);
    expect(missing.out).toContain(
      'pointing clients at redpanda that missed what happened in "consumers-on-kafka", but gate "offsets-migrated-back" is not recorded; bring it back in step, then record it with `stepwise events migrate-offsets --rollback --record`',
    );
    const gates = { "offsets-migrated-back": recorded("offsets-migrated-back", AT) };
    write("staging", stagingAt("events", "consumers-on-kafka", "dual-publish", gates));
    expect((await rollback("staging", "events")).code).toBe(0);
  });

  it("events kafka-only → consumers-on-kafka: refused until Redpanda holds what was published only to Kafka", async () => {
    write("staging", stagingAt("events", "kafka-only", "consumers-on-kafka"));
    const missing = await rollback("staging", "events");
    expect([missing.code, missing.unchanged]).toEqual([1, true]);
    expect(missing.out).toContain(
      'gate "messages-synced-back" is not recorded; bring it back in step, then record it with `stepwise events verify --rollback --record`',
    );
  });
});

describe("rolling back out of a retirement recreates the old system empty", () => {
  it("postgres-retired → citus-primary is allowed; the next step back needs PostgreSQL restored after that", async () => {
    // A comparison recorded while both were in step, long before the retirement.
    const earlier = { "data-synced-back": recorded("data-synced-back", "2026-10-01T00:00:00Z") };
    write("staging", stagingAt("database", "postgres-retired", "citus-primary", earlier));
    const landed = await rollback("staging", "database");
    expect([landed.code, landed.unchanged]).toEqual([0, false]);
    expect(read("staging")).toContain("    database: citus-primary\n");

    const next = await rollback("staging", "database", "2026-11-26T13:00:00.000Z");
    expect([next.code, next.unchanged]).toEqual([1, true]);
    expect(next.out).toContain(
      `gate "data-synced-back" was recorded at 2026-10-01T00:00:00Z, before the path entered "citus-primary" (${AT})`,
    );
  });

  it("redpanda-retired → kafka-only is allowed; the next step back needs Redpanda restored from Kafka", async () => {
    write("staging", stagingAt("events", "redpanda-retired", "kafka-only"));
    expect((await rollback("staging", "events")).code).toBe(0);
    const next = await rollback("staging", "events", "2026-11-26T13:00:00.000Z");
    expect([next.code, next.unchanged]).toEqual([1, true]);
    expect(next.out).toContain('gate "messages-synced-back" is not recorded');
  });
});

describe("every step back that points clients at a system that missed writes has a gate", () => {
  const steps = Object.values(MIGRATION_PATHS).flatMap((path) =>
    path.phases.flatMap((phase) =>
      phase.rollbackTo === undefined ? [] : [[path.id, phase.id, phase.rollbackTo] as const],
    ),
  );
  it.each(steps)("%s: %s → %s", (path, from, to) => {
    const behind = systemsBehindOnRollback(path, from, to);
    expect(gatesToLeaveBack(path, from).length > 0).toBe(behind.length > 0);
  });
  it("names the stale steps of the bundled paths", () => {
    const stale = steps
      .filter(([path, from, to]) => systemsBehindOnRollback(path, from, to).length > 0)
      .map(
        ([path, from, to]) => `${path}: ${from} → ${to} (${gatesToLeaveBack(path, from).join()})`,
      );
    expect(stale).toEqual([
      "events: consumers-on-kafka → dual-publish (offsets-migrated-back)",
      "events: kafka-only → consumers-on-kafka (messages-synced-back)",
      "database: citus-primary → verified (data-synced-back)",
    ]);
  });
  it("every path rolls back from its last phase to its baseline", () => {
    for (const path of Object.values(MIGRATION_PATHS)) {
      const last = path.phases.at(-1)?.id ?? "";
      expect(rollbackRoute(path, last)).toEqual(path.phases.map((p) => p.id).reverse());
    }
  });
});

describe("the pack holds a rollback to its gates too (deployed ledger)", () => {
  const check = PACK_STACK_CHECKS["phase-gates"];
  const ledgerAt = (gates: Ledger["gates"]): Ledger => ({
    phases: {
      database: {
        phase: "verified",
        enteredAt: AT,
        previous: "citus-primary",
        previousEnteredAt: ENTERED,
      },
    },
    gates,
  });
  const findings = (ledger: Ledger) =>
    (check?.(ledger, [], { settings: {} as never, now: new Date(AT) }) ?? []).map((f) => f.message);

  it("refuses the step back without the gate, and with one older than the phase it leaves", () => {
    expect(findings(ledgerAt({}))).toEqual([
      expect.stringContaining('gate "data-synced-back" is not recorded'),
    ]);
    const old = recorded("data-synced-back", "2026-11-01T00:00:00Z");
    expect(findings(ledgerAt({ "data-synced-back": old }))).toEqual([
      expect.stringContaining(`before the path entered "citus-primary" (${ENTERED})`),
    ]);
    const fresh = recorded("data-synced-back", "2026-11-21T00:00:00Z");
    expect(findings(ledgerAt({ "data-synced-back": fresh }))).toEqual([]);
  });
});

/** prod at compose-retired, the way the real lane runs it: engines external, Prometheus on K3s. */
function prodComposeRetired(): string {
  const document = parseDocument(read("local"));
  document.setIn(["config", "stepwise:environment"], "prod");
  document.deleteIn(["config", "stepwise:policy"]);
  return textWithQuotedTimes(document);
}

describe("compose-retired has a way back", () => {
  it("rolls back to k3s in prod: Compose returns empty (nothing to scrape yet) and Prometheus on K3s is prod-ready", async () => {
    write("prod", prodComposeRetired());
    const result = await rollback("prod", "platform", "2026-12-05T12:00:00.000Z");
    expect([result.code, result.unchanged]).toEqual([0, false]);
    expect(read("prod")).toContain("    platform: k3s\n");
  });

  it("drill prod walks the platform back to compose, one update at a time, and passes", async () => {
    write("prod", prodComposeRetired());
    const at = "2026-12-05T12:00:00.000Z"; // the lane's stack entered its phases on Dec 1
    const drill = await cli("drill", "prod", "--stacks-dir", repo.stacksDir, "--at", at);
    expect(drill.out.split("\n")).toEqual([
      "stepwise drill prod: PASSED",
      "  events: at baseline redpanda, nothing to roll back",
      "  platform: compose-retired -> k3s: ok",
      "  platform: k3s -> services-moving (first, unused in k3s: placement.orders: unset -> k3s, placement.product-catalog: unset -> k3s): ok",
      "  platform: in services-moving, placement.orders: k3s -> compose: ok",
      "  platform: in services-moving, placement.product-catalog: k3s -> compose: ok",
      "  platform: services-moving -> coordination-on-k3s: ok",
      "  platform: in coordination-on-k3s, enginePlacement.prometheus: k3s -> compose: ok",
      "  platform: coordination-on-k3s -> compose: ok",
      "  database: at baseline postgres, nothing to roll back",
      "  api: at baseline old, nothing to roll back",
      "  consolidation: at baseline microservices, nothing to roll back",
    ]);
    expect(drill.code).toBe(0);
  }, 120_000);

  it("forward, emptying Compose while both platforms run is still refused (the exemption is for a restored Compose only)", async () => {
    const document = parseDocument(prodComposeRetired());
    document.setIn(["config", "stepwise:phases", "platform"], "services-moving");
    document.setIn(["config", "stepwise:enginePlacement", "prometheus"], "k3s");
    for (const service of ["product-catalog", "orders"]) {
      document.setIn(["config", "stepwise:placement", service], "k3s");
    }
    document.setIn(["config", "stepwise:placement", "inventory"], "compose");
    write("prod", textWithQuotedTimes(document));
    repo.commit("prod: services-moving, inventory the last on Compose");
    repo.edit("prod", (text) => text.replace("    inventory: compose", "    inventory: k3s"));
    const at = "2026-12-05T12:00:00.000Z";
    const plan = await cli("plan", "prod", "--stacks-dir", repo.stacksDir, "--at", at);
    expect(plan.code).toBe(1);
    expect(plan.out).toContain(
      '[mandatory] both-systems-monitored: path "platform" is in "services-moving" where both systems run, but "compose" has no metrics scrape target',
    );
    repo.reset();
  });
});

describe("stepwise drill walks every path back to its baseline", () => {
  it("dev: each update on its own line, with the gate a step needs when it is taken", async () => {
    write("dev", read("dev"));
    const drill = await cli("drill", "dev", "--stacks-dir", repo.stacksDir, "--at", AT);
    expect(drill.out.split("\n")).toEqual([
      "stepwise drill dev: PASSED",
      "  events: consumers-on-kafka -> dual-publish: ok",
      "    gate offsets-migrated-back: not recorded yet; record it with `stepwise events migrate-offsets --rollback --record` before taking this step",
      "  events: dual-publish -> parallel: ok",
      "  events: parallel -> redpanda: ok",
      "  platform: in services-moving, placement.product-catalog: k3s -> compose: ok",
      "  platform: services-moving -> coordination-on-k3s: ok",
      "  platform: coordination-on-k3s -> compose: ok",
      "  database: dual-write -> citus-provisioned: ok",
      "  database: citus-provisioned -> postgres: ok",
      "  api: in canary, apiWeights.product-catalog: 25 -> 0: ok",
      "  api: canary -> old: ok",
      "  consolidation: at baseline microservices, nothing to roll back",
    ]);
    expect(drill.code).toBe(0);
  }, 120_000);

  it("says when a step's gate is recorded already, and covers the phase it leaves", async () => {
    const document = parseDocument(read("dev"));
    const gate = recorded("offsets-migrated-back", "2026-11-24T00:00:00Z"); // after Nov 23
    document.setIn(["config", "stepwise:gates", "offsets-migrated-back"], gate);
    write("dev", textWithQuotedTimes(document));
    const drill = await cli("drill", "dev", "--stacks-dir", repo.stacksDir, "--at", AT);
    expect(drill.out.split("\n").slice(1, 3)).toEqual([
      "  events: consumers-on-kafka -> dual-publish: ok",
      "    gate offsets-migrated-back: recorded, and covers the phase it leaves",
    ]);
  }, 120_000);

  it("fails where a path cannot go back on its own, and says why", async () => {
    // Kafka and Citus on K3s, in use: the platform cannot return to a Compose-only phase.
    const document = parseDocument(read("dev"));
    document.setIn(["config", "stepwise:environment"], "staging");
    document.setIn(["config", "stepwise:phases", "platform"], "coordination-on-k3s");
    document.deleteIn(["config", "stepwise:previousPhases", "platform"]);
    document.deleteIn(["config", "stepwise:placement"]);
    document.setIn(["config", "stepwise:enginePlacement", "kafka"], "k3s");
    write("staging", textWithQuotedTimes(document));
    const drill = await cli("drill", "staging", "--stacks-dir", repo.stacksDir, "--at", AT);
    expect(drill.code).toBe(1);
    expect(drill.out.split("\n")).toContain(
      '    - kafka runs on k3s, which "compose" does not deploy, and events at "consumers-on-kafka" uses it; an engine in use stays where it runs (engine-stays-put), so platform can go back past "coordination-on-k3s" only after events has rolled back past kafka',
    );
  }, 120_000);

  it("--help says what it checks", async () => {
    let printed = "";
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    try {
      expect((await cli("drill", "--help")).code).toBe(0);
    } finally {
      stdout.mockRestore();
    }
    const help = printed.replace(/\s+/g, " ");
    for (const check of [
      "walks every path of a stack back from its current phase to its baseline, one update at a time",
      "delete or replace a stateful resource, except a rollback deleting the path's new system that never received writes",
      "break a mandatory rule of the policy in force",
      "point clients back at a system that missed what happened in the phase it leaves",
      "leave the stack config invalid",
      "events consumers-on-kafka -> dual-publish: offsets-migrated-back stepwise events migrate-offsets --rollback --record",
      "events kafka-only -> consumers-on-kafka: messages-synced-back stepwise events verify --rollback --record",
      "database citus-primary -> verified: data-synced-back stepwise db rollback --record",
    ]) {
      expect(help).toContain(check);
    }
  });
});
