import { describe, expect, it } from "vitest";
import { MESSAGE_ID_HEADER } from "../../../tools/events/message-id";
import { verifyTopic, VerifyError } from "../../../tools/events/verify/verify-topic";
import { uniqueName } from "../support/services";
import { createTopic, quickKafka } from "./events-support";

type Cluster = "legacy" | "target";

function messages(ids: number[], partition = 0) {
  return ids.map((i) => ({
    key: `k-${i % 7}`,
    value: `v-${i}`,
    partition,
    headers: { [MESSAGE_ID_HEADER]: `id-${i}` },
  }));
}

async function produce(cluster: Cluster, topic: string, ids: number[]): Promise<void> {
  const producer = quickKafka(cluster).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: messages(ids) });
  } finally {
    await producer.disconnect();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const verify = (topic: string) =>
  verifyTopic({ source: quickKafka("legacy"), target: quickKafka("target"), topic });

describe("events verify on the real brokers", () => {
  it("reports missing, extra and reordered messages with examples", async () => {
    const topic = uniqueName("verify-diff");
    await Promise.all([createTopic("legacy", topic, 1), createTopic("target", topic, 1)]);
    await produce("legacy", topic, range(0, 50));
    await produce("target", topic, [
      ...range(0, 10),
      11,
      10,
      ...range(12, 20),
      999,
      ...range(22, 50),
    ]);
    const result = await verify(topic);
    expect(result.passed).toBe(false);
    const [partition] = result.partitions;
    expect(partition.mode).toBe("log");
    expect(partition.comparison).toMatchObject({
      sourceMessages: 50,
      targetMessages: 49,
      matched: 48,
      missing: 2,
      extra: 1,
      reordered: 1,
      examples: {
        missing: [
          { id: "id-20", offset: "20" },
          { id: "id-21", offset: "21" },
        ],
        extra: [{ id: "id-999", offset: "20" }],
        // 11 sits before 10 on the target, while 10 precedes it on the source.
        reordered: [{ id: "id-11", offset: "11" }],
      },
    });
  });

  it("passes when the source's log start moved (retention) and counts the trimmed messages", async () => {
    const topic = uniqueName("verify-retention");
    await Promise.all([createTopic("legacy", topic, 1), createTopic("target", topic, 1)]);
    await Promise.all([
      produce("legacy", topic, range(0, 40)),
      produce("target", topic, range(0, 40)),
    ]);
    const admin = quickKafka("legacy").admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs needs it loaded first
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "15" }] });
    await admin.disconnect();
    const result = await verify(topic);
    expect(result.passed).toBe(true);
    expect(result.partitions[0].source).toEqual({ from: "15", to: "40" });
    expect(result.partitions[0].comparison).toMatchObject({ matched: 25, trimmedByRetention: 15 });
  });

  it("ignores transaction markers and aborted records (offset gaps) on the target", async () => {
    const topic = uniqueName("verify-transactions");
    await Promise.all([createTopic("legacy", topic, 1), createTopic("target", topic, 1)]);
    await produce("legacy", topic, range(0, 20));
    const producer = quickKafka("target").producer({
      transactionalId: uniqueName("tx"),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      for (const [ids, commit] of [
        [range(0, 10), true],
        [[500, 501], false],
        [range(10, 20), true],
      ] as const) {
        const transaction = await producer.transaction();
        await transaction.send({ topic, messages: messages([...ids]) });
        if (commit) await transaction.commit();
        else await transaction.abort();
      }
    } finally {
      await producer.disconnect();
    }
    const result = await verify(topic);
    // 20 records, 2 aborted, 3 markers: the target's offsets run to 25, the messages match.
    expect(result.partitions[0].target).toEqual({ from: "0", to: "25" });
    expect(result.partitions[0].comparison).toMatchObject({ matched: 20, missing: 0, extra: 0 });
    expect(result.passed).toBe(true);
  });

  it("compares compacted topics by latest value per key", async () => {
    const topic = uniqueName("verify-compacted");
    const compact = [{ name: "cleanup.policy", value: "compact" }];
    await Promise.all([
      createTopic("legacy", topic, 1, compact),
      createTopic("target", topic, 1, compact),
    ]);
    const send = async (cluster: Cluster, records: Array<[string, string | null]>) => {
      const producer = quickKafka(cluster).producer();
      await producer.connect();
      await producer.send({ topic, messages: records.map(([key, value]) => ({ key, value })) });
      await producer.disconnect();
    };
    // The source kept its history; the target holds only the latest values (as after compaction).
    await send("legacy", [
      ["a", "1"],
      ["b", "1"],
      ["a", "2"],
      ["c", "1"],
      ["c", null],
      ["d", "1"],
    ]);
    await send("target", [
      ["b", "1"],
      ["a", "2"],
      ["d", "2"],
    ]);
    const result = await verify(topic);
    expect(result.mode).toBe("latest-per-key");
    expect(result.passed).toBe(false);
    expect(result.partitions[0].comparison).toMatchObject({
      sourceKeys: 3,
      targetKeys: 3,
      matched: 2,
      missing: 0,
      extra: 0,
      differing: 1,
    });
  });

  it("verifies partitions concurrently with the results of one at a time, in partition order", async () => {
    const topic = uniqueName("verify-concurrent");
    const count = 6;
    await Promise.all([createTopic("legacy", topic, count), createTopic("target", topic, count)]);
    // Each partition differs in size and findings, so a result in the wrong place shows.
    const sourceIds = (p: number) => range(p * 100, p * 100 + 10 + p * 3);
    const targetIds = (p: number) => {
      const ids = sourceIds(p);
      if (p % 2 === 1) ids.splice(p, 1); // missing
      if (p === 2) ids.splice(4, 0, 999); // extra
      if (p === 4) [ids[1], ids[2]] = [ids[2], ids[1]]; // reordered
      return ids;
    };
    const send = async (cluster: Cluster, idsOf: (p: number) => number[]) => {
      const producer = quickKafka(cluster).producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: range(0, count).flatMap((p) => messages(idsOf(p), p)),
      });
      await producer.disconnect();
    };
    await Promise.all([send("legacy", sourceIds), send("target", targetIds)]);

    const run = async (concurrency: number) => {
      const calls: Array<{ partition: number; done: number; total: number }> = [];
      const result = await verifyTopic({
        source: quickKafka("legacy"),
        target: quickKafka("target"),
        topic,
        concurrency,
        onPartition: (p, done, total) => calls.push({ partition: p.partition, done, total }),
      });
      return { result, calls };
    };
    const one = await run(1);
    expect(one.result.partitions.map((p) => [p.partition, p.passed])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, false],
    ]);
    expect(one.result.partitions.map((p) => p.comparison)).toMatchObject(
      range(0, count).map((p) => ({
        sourceMessages: 10 + p * 3,
        missing: p % 2,
        extra: p === 2 ? 1 : 0,
        reordered: p === 4 ? 1 : 0,
      })),
    );
    for (const concurrency of [2, 4, 10]) {
      const many = await run(concurrency);
      expect(many.result).toEqual(one.result);
      // onPartition: once per partition, `done` counting up, whatever order they finish in.
      expect(many.calls.map((c) => c.partition).sort()).toEqual(range(0, count));
      expect(many.calls.map((c) => c.done)).toEqual(range(1, count + 1));
      expect(many.calls.every((c) => c.total === count)).toBe(true);
    }
    expect(one.calls).toEqual(
      range(0, count).map((p) => ({ partition: p, done: p + 1, total: count })),
    );

    await expect(
      verifyTopic({
        source: quickKafka("legacy"),
        target: quickKafka("target"),
        topic,
        concurrency: 0,
      }),
    ).rejects.toThrow(/concurrency must be a whole number of partitions of at least 1, got 0/);
  });

  it("refuses topics whose partition counts differ, and names a missing topic", async () => {
    const topic = uniqueName("verify-mismatch");
    await Promise.all([createTopic("legacy", topic, 1), createTopic("target", topic, 3)]);
    await expect(verify(topic)).rejects.toThrow(VerifyError);
    await expect(verify(topic)).rejects.toThrow(/1 partitions on the source and 3 on the target/);
    await expect(verify(uniqueName("verify-nowhere"))).rejects.toThrow(
      /does not exist on the source cluster/,
    );
  });
});
