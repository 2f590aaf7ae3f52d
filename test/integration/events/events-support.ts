import { Kafka, logLevel } from "kafkajs";
import { messageIdOf } from "../../../tools/events/message-id";
import { PartitionReader } from "../../../tools/events/partition-reader";
import { services } from "../support/services";

/** A client that fails fast, as the tools use them (an outage must not stall a test). */
export function quickKafka(cluster: "legacy" | "target", clientId = "stepwise-events-test"): Kafka {
  return new Kafka({
    clientId,
    brokers: [services().kafka[cluster].bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

export async function createTopic(
  cluster: "legacy" | "target",
  topic: string,
  numPartitions: number,
  configEntries: Array<{ name: string; value: string }> = [],
): Promise<void> {
  const admin = quickKafka(cluster).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions, configEntries }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Every message id of one partition, in log order. */
export async function idsOf(
  cluster: "legacy" | "target",
  topic: string,
  partition: number,
): Promise<string[]> {
  const reader = new PartitionReader(quickKafka(cluster));
  try {
    const ids: string[] = [];
    for await (const batch of reader.range(topic, partition, 0n, 1n << 62n))
      for (const m of batch) ids.push(messageIdOf(m.headers) ?? `<no id at ${m.offset}>`);
    return ids;
  } finally {
    await reader.close();
  }
}
