import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkCompatibility } from "../../../tools/events/compat/check-compatibility";
import { uniqueName } from "../support/services";
import { createTopic, quickKafka } from "./events-support";

const dir = mkdtempSync(join(tmpdir(), "stepwise-compat-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("events compat on the real brokers (legacy = Redpanda's defaults, target = Kafka)", () => {
  it("finds the differences that matter and records a failed gate", async () => {
    const same = uniqueName("compat-same");
    const fewer = uniqueName("compat-fewer");
    const compacted = uniqueName("compat-compacted");
    const nowhere = uniqueName("compat-nowhere");
    // One at a time: kafkajs's waitForLeaders trips over concurrent creations on one broker.
    await createTopic("legacy", same, 3);
    await createTopic("target", same, 3);
    await createTopic("legacy", fewer, 6);
    await createTopic("target", fewer, 3);
    await createTopic("legacy", compacted, 1, [{ name: "cleanup.policy", value: "compact" }]);
    await createTopic("target", compacted, 1, [{ name: "retention.ms", value: "3600000" }]);
    await createTopic("legacy", nowhere, 1);
    const gateFile = join(dir, "gate.json");
    const result = await checkCompatibility({
      source: quickKafka("legacy"),
      target: quickKafka("target"),
      sourceName: "redpanda",
      targetName: "kafka",
      topics: [same, fewer, compacted, nowhere],
      app: { producer: { idempotent: true, acks: -1 } },
      recordFile: gateFile,
      now: new Date("2026-11-26T23:00:00Z"),
    });
    const findings = result.report.findings.map((f) => `${f.severity} ${f.subject} ${f.code}`);
    // Which topic is reported first depends on the brokers' answer order, not on the check.
    expect([...findings].sort()).toEqual(
      [
        `blocking topic ${nowhere} missing-on-target`,
        `blocking topic ${compacted} cleanup-policy`,
        `warning topic ${compacted} retention-ms`,
        `blocking topic ${fewer} partition-count`,
        // The legacy broker keeps Redpanda's default (off), the target Kafka's (on).
        "warning broker auto-topic-creation",
      ].sort(),
    );
    expect(result.record).toMatchObject({
      check: "events compat",
      passed: false,
      recordedAt: "2026-11-26T23:00:00.000Z",
      detail: `compatibility redpanda -> kafka: 4 topics, 3 blocking differences, 2 warnings (first: topic ${nowhere}: missing-on-target)`,
    });
    expect(JSON.parse(readFileSync(gateFile, "utf8"))).toEqual({
      "compatibility-verified": result.record,
    });
  });

  it("passes the gate when the topics match", async () => {
    const orders = uniqueName("compat-orders");
    await Promise.all([createTopic("legacy", orders, 4), createTopic("target", orders, 4)]);
    const result = await checkCompatibility({
      source: quickKafka("legacy"),
      target: quickKafka("target"),
      sourceName: "redpanda",
      targetName: "kafka",
      topics: [orders],
    });
    expect(result.record.passed).toBe(true);
    expect(result.report.blocking).toBe(0);
  });
});
