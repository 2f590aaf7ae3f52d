/**
 * The compatibility check's rules: which differences between the source (Redpanda) and target
 * (Kafka) clusters matter for a migration, and how much. Pure: snapshots in, findings out.
 */
import type { AppSettings } from "./app-settings";
import type { ApiVersionRange, ClusterSnapshot, TopicSnapshot } from "./snapshot";

export type Severity = "blocking" | "warning" | "info";

export interface Finding {
  readonly severity: Severity;
  /** e.g. "topic orders", "broker", "api Produce", "producer". */
  readonly subject: string;
  readonly code: string;
  readonly message: string;
}

export interface CompatibilityReport {
  readonly source: string;
  readonly target: string;
  readonly topics: readonly string[];
  readonly findings: readonly Finding[];
  readonly blocking: number;
  readonly warnings: number;
}

/** API keys (name → key) a kafkajs application uses, and the versions kafkajs speaks. */
export interface ClientApi {
  readonly name: string;
  readonly key: number;
  readonly versions: readonly number[];
}

export function compareClusters(
  source: ClusterSnapshot,
  target: ClusterSnapshot,
  clientApis: readonly ClientApi[],
  app: AppSettings = {},
): CompatibilityReport {
  const findings: Finding[] = [];
  const add = (severity: Severity, subject: string, code: string, message: string) =>
    findings.push({ severity, subject, code, message });

  for (const name of source.missingTopics)
    add(
      "blocking",
      `topic ${name}`,
      "missing-on-source",
      `topic '${name}' does not exist on ${source.name}`,
    );
  for (const name of target.missingTopics)
    if (!source.missingTopics.includes(name))
      add(
        "blocking",
        `topic ${name}`,
        "missing-on-target",
        `topic '${name}' does not exist on ${target.name}; create it with the source's partition count and settings`,
      );
  for (const topic of source.topics) {
    const other = target.topics.find((t) => t.name === topic.name);
    if (other) compareTopic(topic, other, source.name, target.name, app, add);
  }
  compareBrokers(source, target, app, add);
  compareApis(source, target, clientApis, app, add);

  const all = [...source.topics.map((t) => t.name), ...source.missingTopics];
  return {
    source: source.name,
    target: target.name,
    topics: all,
    findings,
    blocking: findings.filter((f) => f.severity === "blocking").length,
    warnings: findings.filter((f) => f.severity === "warning").length,
  };
}

type Add = (severity: Severity, subject: string, code: string, message: string) => void;

function compareTopic(
  source: TopicSnapshot,
  target: TopicSnapshot,
  sourceName: string,
  targetName: string,
  app: AppSettings,
  add: Add,
): void {
  const subject = `topic ${source.name}`;
  const config = (t: TopicSnapshot, key: string) => t.configs[key];
  if (source.partitions !== target.partitions)
    add(
      "blocking",
      subject,
      "partition-count",
      `${source.partitions} partitions on ${sourceName}, ${target.partitions} on ${targetName}: a key hashes to ` +
        `a different partition, which breaks keyed ordering and partition-by-partition offset translation`,
    );
  if (config(source, "cleanup.policy") !== config(target, "cleanup.policy"))
    add(
      "blocking",
      subject,
      "cleanup-policy",
      `cleanup.policy is '${config(source, "cleanup.policy")}' on ${sourceName} and ` +
        `'${config(target, "cleanup.policy")}' on ${targetName}: consumers would see different histories`,
    );
  const retention = (t: TopicSnapshot, key: string) => {
    const value = Number(config(t, key));
    return value < 0 ? Infinity : value; // -1 means unlimited
  };
  for (const key of ["retention.ms", "retention.bytes"])
    if (retention(target, key) < retention(source, key))
      add(
        "warning",
        subject,
        key.replace(".", "-"),
        `${key} is ${config(target, key)} on ${targetName}, less than ${config(source, key)} on ${sourceName}: ` +
          `the target keeps less history, so a rollback or replay can reach less far back`,
      );
  const maxBytes = (t: TopicSnapshot) => Number(config(t, "max.message.bytes"));
  if (maxBytes(target) < maxBytes(source))
    add(
      "blocking",
      subject,
      "max-message-bytes",
      `max.message.bytes is ${maxBytes(target)} on ${targetName}, below ${maxBytes(source)} on ${sourceName}: ` +
        `batches the source accepts can be refused by the target`,
    );
  if (app.producer?.maxMessageBytes && app.producer.maxMessageBytes > maxBytes(target))
    add(
      "blocking",
      subject,
      "app-message-too-large",
      `the application sends messages up to ${app.producer.maxMessageBytes} bytes, above max.message.bytes ` +
        `${maxBytes(target)} on ${targetName}`,
    );
  const timestampType = (t: TopicSnapshot) => config(t, "message.timestamp.type") ?? "CreateTime";
  if (timestampType(source) !== timestampType(target) || timestampType(target) === "LogAppendTime")
    add(
      "warning",
      subject,
      "timestamp-type",
      `message.timestamp.type is ${timestampType(source)} on ${sourceName} and ${timestampType(target)} on ` +
        `${targetName}: offsets of messages without a message id cannot be translated by timestamp`,
    );
  const minIsr = Number(config(target, "min.insync.replicas") ?? "1");
  if (minIsr > target.replicationFactor && (app.producer?.acks ?? -1) === -1)
    add(
      "blocking",
      subject,
      "min-insync-replicas",
      `min.insync.replicas ${minIsr} exceeds the replication factor ${target.replicationFactor} on ${targetName}: ` +
        `every acks=all produce would fail`,
    );
  if (source.replicationFactor !== target.replicationFactor)
    add(
      "info",
      subject,
      "replication-factor",
      `replication factor ${source.replicationFactor} on ${sourceName}, ${target.replicationFactor} on ${targetName}`,
    );
}

function compareBrokers(
  source: ClusterSnapshot,
  target: ClusterSnapshot,
  app: AppSettings,
  add: Add,
): void {
  const autoCreate = (c: ClusterSnapshot) => c.broker["auto.create.topics.enable"] === "true";
  if (autoCreate(source) !== autoCreate(target))
    add(
      app.producer?.allowAutoTopicCreation ? "blocking" : "warning",
      "broker",
      "auto-topic-creation",
      `automatic topic creation is ${autoCreate(source) ? "on" : "off"} on ${source.name} and ` +
        `${autoCreate(target) ? "on" : "off"} on ${target.name}: a producer that relies on it works on one cluster ` +
        `only; create topics explicitly (stepwise Topic resources)`,
    );
  if (
    (autoCreate(source) || autoCreate(target)) &&
    source.broker["num.partitions"] !== target.broker["num.partitions"]
  )
    add(
      "warning",
      "broker",
      "default-partitions",
      `automatically created topics get ${source.broker["num.partitions"]} partition(s) on ${source.name} and ` +
        `${target.broker["num.partitions"]} on ${target.name}`,
    );
  const session = app.consumer?.sessionTimeoutMs;
  if (session !== undefined) {
    const min = Number(target.broker["group.min.session.timeout.ms"]);
    const max = Number(target.broker["group.max.session.timeout.ms"]);
    if (session < min || session > max)
      add(
        "blocking",
        "consumer",
        "session-timeout",
        `consumer sessionTimeoutMs ${session} is outside ${target.name}'s allowed range ${min}–${max}: ` +
          `consumers could not join their group`,
      );
  }
}

function compareApis(
  source: ClusterSnapshot,
  target: ClusterSnapshot,
  clientApis: readonly ClientApi[],
  app: AppSettings,
  add: Add,
): void {
  const needed = new Set([
    "Produce",
    "Fetch",
    "ListOffsets",
    "Metadata",
    "OffsetCommit",
    "OffsetFetch",
    "GroupCoordinator",
    "JoinGroup",
    "Heartbeat",
    "LeaveGroup",
    "SyncGroup",
  ]);
  if (app.producer?.idempotent || app.producer?.transactional) needed.add("InitProducerId");
  if (app.producer?.transactional)
    ["AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "TxnOffsetCommit"].forEach((n) =>
      needed.add(n),
    );
  let differing = 0;
  for (const api of clientApis) {
    const onSource = source.apiVersions[api.key];
    const onTarget = target.apiVersions[api.key];
    // kafkajs picks min(its newest version, the broker's newest) without looking at the broker's
    // oldest, so that exact choice must be one the broker accepts.
    const usable = (range: ApiVersionRange | undefined) => {
      if (range === undefined) return false;
      const chosen = Math.min(Math.max(...api.versions), range.maxVersion);
      return chosen >= range.minVersion && api.versions.includes(chosen);
    };
    if (needed.has(api.name) && usable(onSource) && !usable(onTarget))
      add(
        "blocking",
        `api ${api.name}`,
        "api-unsupported",
        `${target.name} supports ${api.name} ${describeRange(onTarget)}, no version the client speaks ` +
          `(${api.versions.join(", ")}); ${source.name} does (${describeRange(onSource)})`,
      );
    else if (describeRange(onSource) !== describeRange(onTarget)) differing++;
  }
  if (differing > 0)
    add(
      "info",
      "api",
      "api-versions-differ",
      `${differing} API(s) the client knows have different version ranges on the two clusters; the client ` +
        `negotiates per connection, so this only matters for the blocking ones listed`,
    );
}

function describeRange(range: ApiVersionRange | undefined): string {
  return range ? `v${range.minVersion}–v${range.maxVersion}` : "not at all";
}
