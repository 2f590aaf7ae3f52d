import type { Admin } from "kafkajs";
import type { TopicSpec, TopicState } from "./topic-spec";

/**
 * kafkajs admin sessions for the Topic provider. Everything here runs inside a dynamic provider
 * method, so kafkajs is required inside the function and no client outlives one call: the
 * provider is serialized into the stack and must not capture a live connection.
 */

type Connection = Pick<TopicState, "name" | "bootstrap" | "connectionTimeoutMs">;

/** Opens an admin client, runs `work`, always disconnects; broker errors name the topic. */
export async function withAdmin<T>(
  target: Connection,
  action: string,
  work: (admin: Admin) => Promise<T>,
): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kafkajs = require("kafkajs") as typeof import("kafkajs");
  const admin = new kafkajs.Kafka({
    clientId: "stepwise-topic-provider",
    brokers: target.bootstrap.split(","),
    connectionTimeout: target.connectionTimeoutMs,
    // Few, short retries: an unreachable broker must fail a preview in seconds, not minutes.
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `topic "${target.name}": cannot reach Kafka at ${target.bootstrap} to ${action} ` +
        `(${messageOf(error)}); nothing was changed. Check that the brokers are running and ` +
        `that bootstrap lists their client listener.`,
    );
  }
  try {
    return await work(admin);
  } catch (error) {
    // Errors of our own already name the topic; anything else came from the broker or kafkajs.
    if (!(error instanceof Error && error.message.startsWith(`topic "${target.name}"`))) {
      throw new Error(
        `topic "${target.name}": ${action} failed on ${target.bootstrap}: ${messageOf(error)}`,
      );
    }
    throw error;
  } finally {
    await admin.disconnect();
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // kafkajs wraps the last connection error; its message is the useful one.
  const cause = (error as Error & { originalError?: Error }).originalError;
  return cause && cause.message !== error.message
    ? `${error.message}: ${cause.message}`
    : error.message;
}

// ConfigSource.TOPIC_CONFIG in the DescribeConfigs response: an override set on this topic.
const TOPIC_CONFIG_SOURCE = 1;
// ConfigResourceTypes.TOPIC.
const TOPIC_RESOURCE = 2;

/** The topic as the cluster has it, or undefined when it does not exist. */
export async function describeTopic(admin: Admin, topic: string): Promise<TopicSpec | undefined> {
  for (let attempt = 1; ; attempt++) {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    try {
      return await describeListedTopic(admin, topic);
    } catch (error) {
      // A topic being deleted stays listed a moment after it can no longer be described.
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function describeListedTopic(admin: Admin, topic: string): Promise<TopicSpec> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = metadata.topics[0]?.partitions ?? [];
  const described = await admin.describeConfigs({
    resources: [{ type: TOPIC_RESOURCE, name: topic }],
    includeSynonyms: false,
  });
  const entries = described.resources[0]?.configEntries ?? [];
  const configs: Record<string, string> = {};
  for (const entry of [...entries].sort((a, b) => a.configName.localeCompare(b.configName))) {
    if (Number(entry.configSource) === TOPIC_CONFIG_SOURCE) {
      configs[entry.configName] = entry.configValue;
    }
  }
  return {
    name: topic,
    partitions: partitions.length,
    replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
    configs,
  };
}

/** Creates the topic; false when it already exists. Returns once every partition has a leader. */
export async function createTopic(admin: Admin, topic: TopicSpec): Promise<boolean> {
  const created = await admin.createTopics({
    // kafkajs's own wait uses the client's short retry budget (kept short so that an
    // unreachable broker fails fast); the wait below has its own, longer deadline.
    waitForLeaders: false,
    topics: [
      {
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: topic.replicationFactor,
        configEntries: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  if (created) await waitForLeaders(admin, topic.name, LEADER_WAIT_MS);
  return created;
}

const LEADER_WAIT_MS = 30_000;

/** Polls metadata until every partition of the topic has a leader. */
export async function waitForLeaders(
  admin: Admin,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no metadata yet";
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      last = `${partitions.filter((p) => p.leader < 0).length} partitions without a leader`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `topic "${topic}" was created, but its partitions have no leader after ${timeoutMs / 1000} s ` +
      `(${last}). Check the brokers' health; then adopt the topic with \`pulumi import\`.`,
  );
}

/** Grows the topic to `count` partitions; `validateOnly` asks the broker without changing it. */
export async function addPartitions(
  admin: Admin,
  topic: string,
  count: number,
  validateOnly: boolean,
): Promise<void> {
  await admin.createPartitions({ validateOnly, topicPartitions: [{ topic, count }] });
}

/**
 * Sets the topic's overrides to exactly `configs` (AlterConfigs replaces the whole set, so a
 * config left out goes back to the broker default, as the declaration says).
 */
export async function setTopicConfigs(
  admin: Admin,
  topic: string,
  configs: Readonly<Record<string, string>>,
  validateOnly: boolean,
): Promise<void> {
  await admin.alterConfigs({
    validateOnly,
    resources: [
      {
        type: TOPIC_RESOURCE,
        name: topic,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      },
    ],
  });
}

/**
 * Runs a broker call again while it fails with an error Kafka marks retriable (a partition
 * leader still moving, metadata not yet propagated), for up to `timeoutMs`.
 */
export async function retrying<T>(call: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Polls until the cluster no longer lists the topic (deletion completes asynchronously). */
export async function waitUntilGone(admin: Admin, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await admin.listTopics()).includes(topic)) {
    if (Date.now() > deadline) {
      throw new Error(
        `topic "${topic}": deletion was accepted but the topic is still listed after ` +
          `${timeoutMs / 1000} s; run \`pulumi refresh\` once the brokers have caught up`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Records still in the topic: partitions whose high watermark is above the low one. */
export function recordsHeld(
  offsets: ReadonlyArray<{ partition: number; high: string; low: string }>,
): { total: number; partitions: number[] } {
  const holding = offsets.filter((o) => Number(o.high) > Number(o.low));
  return {
    total: holding.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0),
    partitions: holding.map((o) => o.partition).sort((a, b) => a - b),
  };
}
