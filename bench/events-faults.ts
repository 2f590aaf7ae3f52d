/**
 * Dual publishing under faults (part 4 of the events bench), with kafkajs's default client
 * settings and a secondary broker of its own that it SIGKILLs:
 *
 * - p99 and max publish() latency while the secondary is down, over the same with it up, in the
 *   same run (goal ≤ 2×). One loop, batches of 100 messages of 512 B, 6 partitions. The "up"
 *   samples are taken before the kill and again after the restart once the backlog is drained,
 *   so that a drift of this shared machine's speed does not land on one side only.
 * - Duplicates on the secondary per publisher crash: a publishing process is SIGKILLed while
 *   forwarding at full speed, a new one drains its journal; the duplicates are counted by
 *   message id (the documented bound is one forward request, `replayBatchSize` = 1,000).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { PrivateBroker } from "../test/integration/events/private-broker";
import { DualPublisher } from "../tools/events/dual-publisher";
import { messageIdOf } from "../tools/events/message-id";
import { PartitionReader } from "../tools/events/partition-reader";
import type { BenchResult } from "./result";

export const PARTITIONS = 6;
const PUBLISHES = 300;
const CRASHES = 3;
const REPLAY_BATCH = 1000;

const client = (bootstrap: string) =>
  new Kafka({
    clientId: "stepwise-bench-faults",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });

export async function createTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = client(bootstrap).admin();
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

const payload = Buffer.alloc(512, "x");
const batch = (from: number) =>
  Array.from({ length: 100 }, (_, i) => ({ key: `key-${(from + i) % 1000}`, value: payload }));

/** Milliseconds of each of `count` sequential publish() calls. */
async function latencies(
  publisher: DualPublisher,
  topic: string,
  count: number,
): Promise<number[]> {
  const all: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await publisher.publish(topic, batch(i * 100));
    all.push(performance.now() - started);
  }
  return all;
}

const percentile = (values: readonly number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/** How many records of the topic on the cluster repeat a message id already seen. */
async function duplicatesOn(bootstrap: string, topic: string): Promise<number> {
  const reader = new PartitionReader(client(bootstrap));
  try {
    let duplicates = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const seen = new Set<string>();
      for await (const read of reader.range(topic, p, 0n, await reader.logEnd(topic, p)))
        for (const m of read) {
          const id = messageIdOf(m.headers) ?? "";
          if (seen.has(id)) duplicates++;
          seen.add(id);
        }
    }
    return duplicates;
  } finally {
    await reader.close();
  }
}

/** A publishing process SIGKILLed after `acked` messages; then a new publisher drains. */
async function crashOnce(primary: string, secondary: string, topic: string, spoolDir: string) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(__dirname, "..", "test", "integration", "events", "publisher-child.ts"),
    ],
    {
      env: {
        ...process.env,
        STEPWISE_PUBLISHER_CHILD: JSON.stringify({
          primary,
          secondary,
          spoolDir,
          topic,
          replayBatchSize: REPLAY_BATCH,
        }),
      },
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  let acked = 0;
  const exited = new Promise((resolve) => child.on("exit", resolve));
  await new Promise<void>((resolve) =>
    child.stdout.on("data", (data: Buffer) => {
      acked += (data.toString().match(/\n/g) ?? []).length * 20;
      if (acked >= 20_000) resolve();
    }),
  );
  child.kill("SIGKILL");
  await exited;
  const next = new DualPublisher({
    primary: client(primary),
    secondary: client(secondary),
    spoolDir,
    replayBatchSize: REPLAY_BATCH,
  });
  await next.connect();
  if (!(await next.drain(120_000))) throw new Error("the journal left by the crash did not drain");
  await next.close();
  return duplicatesOn(secondary, topic);
}

export async function faultFigures(
  primary: string,
  log: (line: string) => void,
): Promise<BenchResult[]> {
  log("starting a secondary broker of the bench's own (it is SIGKILLed)");
  const broker = await PrivateBroker.start();
  const spoolRoot = mkdtempSync(join(tmpdir(), "stepwise-bench-faults-"));
  try {
    const topic = `bench-faults-${Date.now().toString(36)}`;
    await createTopic(primary, topic);
    await createTopic(broker.bootstrap, topic);
    const publisher = new DualPublisher({
      primary: client(primary),
      secondary: client(broker.bootstrap),
      spoolDir: join(spoolRoot, "latency"),
    });
    await publisher.connect();
    await latencies(publisher, topic, 50); // warm-up, not counted
    const up = await latencies(publisher, topic, PUBLISHES / 2);
    await broker.kill();
    const down = await latencies(publisher, topic, PUBLISHES);
    await broker.restart();
    const drained = await publisher.drain(120_000);
    if (!drained) throw new Error("the outage's backlog did not drain after the restart");
    up.push(...(await latencies(publisher, topic, PUBLISHES / 2)));
    await publisher.close();
    const [p99Up, p99Down] = [percentile(up, 0.99), percentile(down, 0.99)];
    const [maxUp, maxDown] = [Math.max(...up), Math.max(...down)];
    log(
      `publish() latency, secondary up (before and after): p50 ${percentile(up, 0.5).toFixed(1)} p99 ${p99Up.toFixed(1)} max ${maxUp.toFixed(1)} ms; ` +
        `down: p50 ${percentile(down, 0.5).toFixed(1)} p99 ${p99Down.toFixed(1)} max ${maxDown.toFixed(1)} ms`,
    );

    const duplicates: number[] = [];
    for (let crash = 0; crash < CRASHES; crash++) {
      const crashTopic = `${topic}-crash-${crash}`;
      await createTopic(primary, crashTopic);
      await createTopic(broker.bootstrap, crashTopic);
      duplicates.push(
        await crashOnce(primary, broker.bootstrap, crashTopic, join(spoolRoot, `crash-${crash}`)),
      );
      log(`crash ${crash + 1}: ${duplicates[crash]} duplicates on the secondary`);
    }
    return [
      {
        name: `publish() p99 latency with the secondary SIGKILLed, over the same with it up (${PUBLISHES} publishes of 100 each)`,
        value: p99Down,
        unit: "ms",
        baseline: { name: "p99 with the secondary up, same run", value: p99Up },
        ratio: p99Down / p99Up,
        goal: "≤ 2× baseline",
        met: p99Down <= 2 * p99Up,
      },
      {
        name: "publish() max latency with the secondary SIGKILLed",
        value: maxDown,
        unit: "ms",
        baseline: { name: "max with the secondary up, same run", value: maxUp },
        ratio: maxDown / maxUp,
      },
      {
        name: `duplicates on the secondary per publisher crash, worst of ${CRASHES} (SIGKILL while forwarding)`,
        value: Math.max(...duplicates),
        unit: "messages",
        goal: `≤ ${REPLAY_BATCH} (replayBatchSize)`,
        met: Math.max(...duplicates) <= REPLAY_BATCH,
      },
    ];
  } finally {
    await broker.remove();
    rmSync(spoolRoot, { recursive: true, force: true });
  }
}
