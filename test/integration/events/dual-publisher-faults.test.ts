import { spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DualPublisher, type OutgoingMessage } from "../../../tools/events/dual-publisher";
import { messageIdOf } from "../../../tools/events/message-id";
import { PartitionReader } from "../../../tools/events/partition-reader";
import { SpoolFullError } from "../../../tools/events/spool";
import { verifyTopic } from "../../../tools/events/verify/verify-topic";
import { services, uniqueName } from "../support/services";
import { createTopic, idsOf, temporaryFolders } from "./events-support";
import { PrivateBroker } from "./private-broker";

// Faults against real brokers. The broker that is killed is this file's own (PrivateBroker);
// the shared ones only ever play the cluster that stays up. Clients use kafkajs's defaults.

const newDir = temporaryFolders("stepwise-faults-");
const PARTITIONS = 3;
/** Messages per request to the secondary: the documented bound on duplicates after a crash. */
const REPLAY_BATCH = 200;

const defaultsKafka = (broker: string) =>
  new Kafka({ clientId: "stepwise-faults", brokers: [broker], logLevel: logLevel.NOTHING });
const shared = (cluster: "legacy" | "target") => services().kafka[cluster].bootstrap;

let broker: PrivateBroker;
beforeAll(async () => {
  broker = await PrivateBroker.start();
}, 120_000);
afterAll(async () => {
  await broker?.remove();
});

async function topicOn(prefix: string, ...bootstraps: string[]): Promise<string> {
  const topic = uniqueName(prefix);
  for (const bootstrap of bootstraps) {
    const admin = defaultsKafka(bootstrap).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: PARTITIONS }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  }
  return topic;
}

/** Every message id on the cluster, per partition in log order. */
async function idsAt(bootstrap: string, topic: string): Promise<string[][]> {
  const reader = new PartitionReader(defaultsKafka(bootstrap));
  try {
    const partitions: string[][] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const ids: string[] = [];
      const end = await reader.logEnd(topic, p);
      for await (const batch of reader.range(topic, p, 0n, end))
        for (const m of batch) ids.push(messageIdOf(m.headers) ?? `<none ${p}/${m.offset}>`);
      partitions.push(ids);
    }
    return partitions;
  } finally {
    await reader.close();
  }
}

const batch = (from: number, size: number, tag = "m"): OutgoingMessage[] =>
  Array.from({ length: size }, (_, i) => ({
    key: `key-${(from + i) % 12}`,
    value: `value-${from + i}`,
    messageId: `${tag}-${from + i}`,
  }));

/** `loops` concurrent publishing loops until `until()` says stop; the acknowledged ids. */
async function publishLoops(
  publisher: DualPublisher,
  topic: string,
  loops: number,
  until: (acked: number) => boolean,
  tag: string,
): Promise<string[]> {
  const acked: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (!until(acked.length)) {
        const from = next;
        next += 20;
        acked.push(...(await publisher.publish(topic, batch(from, 20, tag))));
      }
    }),
  );
  return acked;
}

async function verifyPasses(source: string, target: string, topic: string): Promise<void> {
  const proof = await verifyTopic({
    source: defaultsKafka(source),
    target: defaultsKafka(target),
    topic,
  });
  expect(proof.partitions.map((p) => p.comparison.missing)).toEqual([0, 0, 0]);
  expect(proof.passed).toBe(true);
}

describe("dual publishing under faults (real brokers, kafkajs default client settings)", () => {
  it("four concurrent publishing loops: one order per partition on both clusters, events verify passes", async () => {
    const topic = uniqueName("faults-concurrent");
    await Promise.all([
      createTopic("legacy", topic, PARTITIONS),
      createTopic("target", topic, PARTITIONS),
    ]);
    const publisher = new DualPublisher({
      primary: defaultsKafka(shared("legacy")),
      secondary: defaultsKafka(shared("target")),
      spoolDir: newDir(),
    });
    await publisher.connect();
    try {
      const acked = await publishLoops(publisher, topic, 4, (n) => n >= 2000, "c");
      expect(acked.length).toBeGreaterThanOrEqual(2000);
      expect(await publisher.drain()).toBe(true);
    } finally {
      await publisher.close();
    }
    for (let p = 0; p < PARTITIONS; p++)
      expect(await idsOf("target", topic, p)).toEqual(await idsOf("legacy", topic, p));
    await verifyPasses(shared("legacy"), shared("target"), topic);
  });

  it("a secondary that never answers holds up no publish(); a full spool refuses before the primary", async () => {
    // Accepts connections and never answers: a forward to it never completes, so a publish()
    // that waited for any forward would never resolve.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const topic = uniqueName("faults-silent");
    await createTopic("legacy", topic, PARTITIONS);
    const publisher = new DualPublisher({
      primary: defaultsKafka(shared("legacy")),
      secondary: defaultsKafka(`127.0.0.1:${port}`),
      spoolDir: newDir(),
      forwardTimeoutMs: 300,
      spoolMaxBytes: 64 * 1024,
      spoolSegmentBytes: 16 * 1024,
    });
    await publisher.connect();
    try {
      const acked: string[] = [];
      for (let i = 0; i < 200; i += 20)
        acked.push(...(await publisher.publish(topic, batch(i, 20))));
      expect(acked).toHaveLength(200);
      await expect.poll(() => publisher.secondaryHealthy, { timeout: 5000 }).toBe(false);
      expect(publisher.counters).toMatchObject({ acknowledged: 200, replayed: 0, lag: 200 });

      // Back-pressure: once the journal holds spoolMaxBytes, publish() is refused before the
      // primary is asked, naming the bound.
      let refused: unknown;
      let from = 200;
      for (; from < 5000 && refused === undefined; from += 20)
        await publisher
          .publish(topic, batch(from, 20))
          .catch((error: unknown) => (refused = error));
      expect(refused).toBeInstanceOf(SpoolFullError);
      expect(String(refused)).toContain("is full (65536 bytes, its maxBytes)");
      expect(publisher.counters.spoolBytes).toBeLessThanOrEqual(64 * 1024);
      const onPrimary = (await idsAt(shared("legacy"), topic)).flat();
      expect(onPrimary).not.toContain(`m-${from - 20}`);
      expect(onPrimary).toHaveLength(from - 20);
    } finally {
      await publisher.close(500);
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it("secondary SIGKILLed mid-stream and restarted: nothing lost, publish() never held up, verify passes", async () => {
    const topic = await topicOn("faults-secondary", shared("legacy"), broker.bootstrap);
    const publisher = new DualPublisher({
      primary: defaultsKafka(shared("legacy")),
      secondary: defaultsKafka(broker.bootstrap),
      spoolDir: newDir(),
      replayIntervalMs: 300,
    });
    await publisher.connect();
    const acked: string[] = [];
    try {
      acked.push(...(await publishLoops(publisher, topic, 3, (n) => n >= 600, "before")));
      await broker.kill();
      // Every publish() made while the secondary is dead resolves.
      const during = await publishLoops(publisher, topic, 3, (n) => n >= 1500, "during");
      acked.push(...during);
      expect(during.length).toBeGreaterThanOrEqual(1500);
      await expect.poll(() => publisher.secondaryHealthy, { timeout: 10_000 }).toBe(false);
      await broker.restart();
      acked.push(...(await publishLoops(publisher, topic, 3, (n) => n >= 300, "after")));
      expect(await publisher.drain(60_000)).toBe(true);
    } finally {
      await publisher.close();
    }
    const primary = await idsAt(shared("legacy"), topic);
    const secondary = await idsAt(broker.bootstrap, topic);
    expect(secondary).toEqual(primary);
    expect(new Set(secondary.flat())).toEqual(new Set(acked));
    await verifyPasses(shared("legacy"), broker.bootstrap, topic);
  });

  it("publisher process SIGKILLed while the secondary is down: nothing lost, duplicates within the bound", async () => {
    const topic = await topicOn("faults-crash", shared("legacy"), broker.bootstrap);
    const spoolDir = newDir();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(__dirname, "publisher-child.ts")],
      {
        env: {
          ...process.env,
          STEPWISE_PUBLISHER_CHILD: JSON.stringify({
            primary: shared("legacy"),
            secondary: broker.bootstrap,
            spoolDir,
            topic,
            replayBatchSize: REPLAY_BATCH,
          }),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const acked: string[] = [];
    let stderr = "";
    let rest = "";
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    child.stdout.on("data", (data: Buffer) => {
      const lines = (rest + data.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines)
        if (line.startsWith("acked ")) acked.push(...line.slice(6).split(","));
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_c, s) => resolve(s)),
    );
    try {
      await expect
        .poll(() => acked.length, { timeout: 30_000, interval: 50 })
        .toBeGreaterThanOrEqual(2000);
      await broker.kill();
      const atKill = acked.length;
      await expect
        .poll(() => acked.length, { timeout: 30_000, interval: 50 })
        .toBeGreaterThanOrEqual(atKill + 1000);
    } finally {
      child.kill("SIGKILL");
    }
    expect(await exited, stderr).toBe("SIGKILL");
    await broker.restart();

    const next = new DualPublisher({
      primary: defaultsKafka(shared("legacy")),
      secondary: defaultsKafka(broker.bootstrap),
      spoolDir,
      replayBatchSize: REPLAY_BATCH,
    });
    await next.connect();
    try {
      expect(await next.drain(60_000)).toBe(true);
    } finally {
      await next.close();
    }
    const primary = (await idsAt(shared("legacy"), topic)).flat();
    const secondary = (await idsAt(broker.bootstrap, topic)).flat();
    for (const id of acked) expect(primary).toContain(id);
    // Everything the primary holds is on the secondary, in-flight publishes included.
    expect(new Set(secondary)).toEqual(new Set(primary));
    const duplicates = secondary.length - new Set(secondary).size;
    expect(duplicates).toBeLessThanOrEqual(REPLAY_BATCH);
  });

  it("primary SIGKILLed: publish() rejects naming the primary; nothing it refused reaches the secondary", async () => {
    const topic = await topicOn("faults-primary", broker.bootstrap, shared("target"));
    const publisher = new DualPublisher({
      primary: defaultsKafka(broker.bootstrap),
      secondary: defaultsKafka(shared("target")),
      spoolDir: newDir(),
      primaryTimeoutMs: 1000,
    });
    await publisher.connect();
    const acked: string[] = [];
    const refused: string[] = [];
    const errors: string[] = [];
    try {
      acked.push(...(await publishLoops(publisher, topic, 2, (n) => n >= 300, "up")));
      await broker.kill();
      for (let i = 0; i < 3; i++) {
        const messages = batch(i * 20, 20, "down");
        await publisher.publish(topic, messages).then(
          (ids) => acked.push(...ids),
          (error: unknown) => {
            errors.push(String(error));
            refused.push(...messages.map((m) => m.messageId!));
          },
        );
      }
      expect(errors).toHaveLength(3);
      for (const error of errors)
        expect(error).toMatch(
          /the primary did not answer within 1000 ms|produce to topic .* failed/,
        );
      // The request in flight when the primary died is still being retried by the client:
      // what it acknowledged before is forwarded meanwhile.
      await publisher.drain(3000);
    } finally {
      await publisher.close(1000);
    }
    const secondary = (await idsAt(shared("target"), topic)).flat();
    expect(new Set(secondary)).toEqual(new Set(acked));
    for (const id of refused) expect(secondary).not.toContain(id);
  });
});
