import { describe, expect, it } from "vitest";
import { parseAppSettings, type AppSettings } from "../../../tools/events/compat/app-settings";
import { kafkajsApis } from "../../../tools/events/compat/client-apis";
import { compareClusters, type ClientApi } from "../../../tools/events/compat/compare-clusters";
import { gateRecordProblems } from "../../../migrations/gate-evidence";
import { compatibilityGateRecord } from "../../../tools/events/compat/gate";
import type { ClusterSnapshot, TopicSnapshot } from "../../../tools/events/compat/snapshot";

const topic = (
  overrides: Partial<TopicSnapshot> = {},
  configs: Record<string, string> = {},
): TopicSnapshot => ({
  name: "orders",
  partitions: 6,
  replicationFactor: 1,
  configs: {
    "cleanup.policy": "delete",
    "retention.ms": "604800000",
    "retention.bytes": "-1",
    "max.message.bytes": "1048588",
    "message.timestamp.type": "CreateTime",
    "min.insync.replicas": "1",
    ...configs,
  },
  ...overrides,
});

const apis: ClientApi[] = [
  { name: "Produce", key: 0, versions: [0, 1, 2, 3, 4, 5, 6, 7] },
  { name: "Fetch", key: 1, versions: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] },
  { name: "InitProducerId", key: 22, versions: [0, 1] },
];
const allApis = {
  0: { minVersion: 0, maxVersion: 11 },
  1: { minVersion: 0, maxVersion: 16 },
  22: { minVersion: 0, maxVersion: 5 },
};

const cluster = (name: string, overrides: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({
  name,
  broker: {
    "auto.create.topics.enable": "false",
    "num.partitions": "1",
    "group.min.session.timeout.ms": "6000",
    "group.max.session.timeout.ms": "1800000",
  },
  apiVersions: allApis,
  topics: [topic()],
  missingTopics: [],
  ...overrides,
});

const codes = (source: ClusterSnapshot, target: ClusterSnapshot, app: AppSettings = {}) =>
  compareClusters(source, target, apis, app).findings.map((f) => `${f.severity}:${f.code}`);

describe("compareClusters", () => {
  it.each<[string, Partial<ClusterSnapshot>, Partial<ClusterSnapshot>, AppSettings, string[]]>([
    ["identical clusters", {}, {}, {}, []],
    [
      "topic missing on the target",
      {},
      { topics: [], missingTopics: ["orders"] },
      {},
      ["blocking:missing-on-target"],
    ],
    [
      "partition counts differ",
      {},
      { topics: [topic({ partitions: 3 })] },
      {},
      ["blocking:partition-count"],
    ],
    [
      "compaction on one side only",
      {},
      { topics: [topic({}, { "cleanup.policy": "compact" })] },
      {},
      ["blocking:cleanup-policy"],
    ],
    [
      "target keeps less",
      {},
      { topics: [topic({}, { "retention.ms": "3600000" })] },
      {},
      ["warning:retention-ms"],
    ],
    ["target keeps more", { topics: [topic({}, { "retention.ms": "3600000" })] }, {}, {}, []],
    [
      "unlimited retention on the source",
      { topics: [topic({}, { "retention.bytes": "-1" })] },
      { topics: [topic({}, { "retention.bytes": "1000" })] },
      {},
      ["warning:retention-bytes"],
    ],
    [
      "smaller max message on the target",
      {},
      { topics: [topic({}, { "max.message.bytes": "1000" })] },
      {},
      ["blocking:max-message-bytes"],
    ],
    [
      "application messages too large",
      {},
      {},
      { producer: { maxMessageBytes: 2_000_000 } },
      ["blocking:app-message-too-large"],
    ],
    [
      "log append time",
      {},
      { topics: [topic({}, { "message.timestamp.type": "LogAppendTime" })] },
      {},
      ["warning:timestamp-type"],
    ],
    [
      "min ISR above replication",
      {},
      { topics: [topic({}, { "min.insync.replicas": "2" })] },
      {},
      ["blocking:min-insync-replicas"],
    ],
    [
      "min ISR above replication with acks=1",
      {},
      { topics: [topic({}, { "min.insync.replicas": "2" })] },
      { producer: { acks: 1 } },
      [],
    ],
    [
      "auto topic creation differs (Redpanda off, Kafka on)",
      {},
      { broker: { ...cluster("t").broker, "auto.create.topics.enable": "true" } },
      {},
      ["warning:auto-topic-creation"],
    ],
    [
      "auto-created topics get different partition counts",
      { broker: { ...cluster("s").broker, "auto.create.topics.enable": "true" } },
      {
        broker: {
          ...cluster("t").broker,
          "auto.create.topics.enable": "true",
          "num.partitions": "3",
        },
      },
      {},
      ["warning:default-partitions"],
    ],
    [
      "auto topic creation differs and the app relies on it",
      {},
      { broker: { ...cluster("t").broker, "auto.create.topics.enable": "true" } },
      { producer: { allowAutoTopicCreation: true } },
      ["blocking:auto-topic-creation"],
    ],
    [
      "session timeout outside the target's range",
      {},
      {},
      { consumer: { sessionTimeoutMs: 3000 } },
      ["blocking:session-timeout"],
    ],
    [
      "idempotent producer, target without InitProducerId",
      {},
      { apiVersions: { 0: allApis[0], 1: allApis[1] } },
      { producer: { idempotent: true } },
      ["blocking:api-unsupported"],
    ],
    [
      "no idempotence: InitProducerId missing is only a difference",
      {},
      { apiVersions: { 0: allApis[0], 1: allApis[1] } },
      {},
      ["info:api-versions-differ"],
    ],
    [
      "target raised the oldest Produce version above what the client picks",
      {},
      { apiVersions: { ...allApis, 0: { minVersion: 8, maxVersion: 11 } } },
      {},
      ["blocking:api-unsupported"],
    ],
  ])("%s", (_case, source, target, app, expected) => {
    expect(codes(cluster("legacy", source), cluster("target", target), app)).toEqual(expected);
  });

  it("explains a partition mismatch in words an operator can act on", () => {
    const report = compareClusters(
      cluster("redpanda"),
      cluster("kafka", { topics: [topic({ partitions: 3 })] }),
      apis,
    );
    expect(report.findings[0]).toEqual({
      severity: "blocking",
      subject: "topic orders",
      code: "partition-count",
      message:
        "6 partitions on redpanda, 3 on kafka: a key hashes to a different partition, which breaks keyed " +
        "ordering and partition-by-partition offset translation",
    });
    expect(report).toMatchObject({ blocking: 1, warnings: 0, topics: ["orders"] });
  });
});

describe("compatibilityGateRecord", () => {
  const now = new Date("2026-11-26T12:00:00Z");
  it("passes with no blocking findings and says what was checked", () => {
    const record = compatibilityGateRecord(compareClusters(cluster("rp"), cluster("k"), apis), now);
    expect(record).toMatchObject({
      passed: true,
      recordedAt: "2026-11-26T12:00:00.000Z",
      detail: "compatibility rp -> k: 1 topics, 0 blocking differences, 0 warnings",
      check: "events compat",
      endpoints: ["rp", "k"],
    });
    // Sealed: the record verifies as it is, and not once edited.
    expect(gateRecordProblems("compatibility-verified", record, now)).toEqual([]);
    expect(
      gateRecordProblems("compatibility-verified", { ...record, detail: "all good" }, now),
    ).toHaveLength(1);
  });
  it("fails on a blocking finding and names the first", () => {
    const record = compatibilityGateRecord(
      compareClusters(cluster("rp"), cluster("k", { topics: [topic({ partitions: 2 })] }), apis),
      now,
    );
    expect(record.passed).toBe(false);
    expect(record.detail).toBe(
      "compatibility rp -> k: 1 topics, 1 blocking differences, 0 warnings (first: topic orders: partition-count)",
    );
  });
});

describe("parseAppSettings", () => {
  it("accepts the documented settings", () => {
    expect(
      parseAppSettings(
        { producer: { acks: -1, idempotent: true }, consumer: { sessionTimeoutMs: 10000 } },
        "app.json",
      ),
    ).toEqual({
      producer: { acks: -1, idempotent: true },
      consumer: { sessionTimeoutMs: 10000 },
    });
  });
  it.each([
    [{ producer: { acks: 2 } }, /app\.json: field 'producer\.acks' has value 2: /],
    [
      { consumer: { sessionTimeoutMs: "10s" } },
      /field 'consumer\.sessionTimeoutMs' has value "10s": .*number/,
    ],
    [{ producer: { ack: -1 } }, /field 'producer' .*ack/],
  ])("names the field and value of bad input %j", (input, message) => {
    expect(() => parseAppSettings(input, "app.json")).toThrow(message);
  });
});

describe("kafkajsApis", () => {
  it("reads the APIs and versions kafkajs implements", () => {
    const byName = new Map(kafkajsApis().map((a) => [a.name, a]));
    expect(byName.get("Produce")).toMatchObject({ key: 0 });
    expect(byName.get("Produce")!.versions).toContain(7);
    expect(byName.get("InitProducerId")).toMatchObject({ key: 22 });
    expect(byName.has("LeaderAndIsr")).toBe(false); // broker-internal, not implemented by clients
  });
});
