/**
 * The Kafka clients on the test brokers, same run: kafkajs (the baseline), stepwise's
 * hand-written record producer, @platformatic/kafka and @confluentinc/kafka-javascript.
 * Run by run.sh, which installs the maintained clients first.
 *
 * Each client sends KAFKA_CLIENTS_MESSAGES (50,000) messages of 512 B in awaited batches of
 * 100, acks -1, 6 partitions, (a) to one cluster and (b) to both clusters, each batch sent to
 * both and both awaited. stepwise's dual publisher (primary acknowledged, journaled, then
 * forwarded) is timed until the secondary holds everything. One uncounted warm-up round, then
 * KAFKA_CLIENTS_ROUNDS (5) rounds, the modes' order rotated each round. Throughput and client
 * CPU per message (process.cpuUsage around the produce loop: every thread of this process,
 * librdkafka's included) are reported as the median of the rounds' ratios against kafkajs to
 * one cluster in the same round.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { endpoints, startServices } from "../../test/services/manager";
import { DualPublisher } from "../../tools/events/dual-publisher";
import { createTopic, PARTITIONS } from "../events-faults";
import {
  BATCH,
  CLIENTS,
  kafkajsClient,
  loadable,
  MESSAGE_BYTES,
  type ClientName,
  type Sender,
} from "./clients";
import { summarize, table, type Round, type Run } from "./summary";

const MESSAGES = Number(process.env.KAFKA_CLIENTS_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.KAFKA_CLIENTS_ROUNDS ?? 5);
const BASELINE = "kafkajs, one cluster";
/** The goal of docs/events-tooling.md: dual publishing at ≥ 0.85× of one kafkajs producer. */
const DUAL_GOAL = 0.85;

async function measure(loop: () => Promise<void>): Promise<Run> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await loop();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { rate: MESSAGES / seconds, cpuMs: (used.user + used.system) / MESSAGES };
}

async function eachBatch(send: (from: number) => Promise<unknown>): Promise<void> {
  for (let from = 0; from < MESSAGES; from += BATCH) await send(from);
}

/** A client's producer, connected, after one untimed batch (its first metadata lookup). */
async function connected(client: ClientName, bootstrap: string, topic: string): Promise<Sender> {
  const sender = await CLIENTS[client](bootstrap, topic);
  await sender.send(0);
  return sender;
}

interface Mode {
  readonly name: string;
  readonly run: () => Promise<Run>;
}

function modes(
  clients: readonly ClientName[],
  legacy: string,
  target: string,
  topic: (mode: string) => string,
  spool: string,
): Mode[] {
  const single = clients.map((client) => {
    const name = `${client}, one cluster`;
    return {
      name,
      async run() {
        const sender = await connected(client, legacy, topic(name));
        const run = await measure(() => eachBatch((from) => sender.send(from)));
        await sender.close();
        return run;
      },
    };
  });
  const dual = clients.map((client) => {
    const name = `${client} ×2, both awaited`;
    return {
      name,
      async run() {
        const senders = await Promise.all(
          [legacy, target].map((b) => connected(client, b, topic(name))),
        );
        const run = await measure(() =>
          eachBatch((from) => Promise.all(senders.map((sender) => sender.send(from)))),
        );
        await Promise.all(senders.map((sender) => sender.close()));
        return run;
      },
    };
  });
  const publisherName = "stepwise dual publisher, until forwarded";
  let runs = 0;
  const publisher: Mode = {
    name: publisherName,
    async run() {
      const messages = Array.from({ length: BATCH }, () => ({
        value: Buffer.alloc(MESSAGE_BYTES, "x"),
      }));
      const publisher = new DualPublisher({
        primary: kafkajsClient(legacy),
        secondary: kafkajsClient(target),
        spoolDir: join(spool, String(runs++)),
      });
      await publisher.connect();
      const run = await measure(async () => {
        await eachBatch((from) =>
          publisher.publish(
            topic(publisherName),
            messages.map((m, i) => ({ ...m, key: `key-${(from + i) % 1000}` })),
          ),
        );
        // Timed until the secondary holds everything too, as the events bench does.
        if (!(await publisher.drain()))
          throw new Error(`${publisher.counters.lag} messages left in the spool`);
      });
      await publisher.close();
      return run;
    },
  };
  return [...single, ...dual, publisher];
}

async function main(): Promise<void> {
  const { ok, missing } = loadable();
  for (const line of missing) console.log(`not measured (not installed here): ${line}`);
  const { state } = await startServices((line) => console.log(line));
  const { legacy, target } = endpoints(state).kafka;
  const run = Date.now().toString(36);
  const topicOf = new Map<string, string>();
  const spool = mkdtempSync(join(tmpdir(), "stepwise-kafka-clients-"));
  const all = modes(ok, legacy.bootstrap, target.bootstrap, (mode) => topicOf.get(mode)!, spool);
  for (const [i, mode] of all.entries()) {
    const topic = `bench-clients-${run}-${i}`;
    topicOf.set(mode.name, topic);
    await createTopic(legacy.bootstrap, topic);
    await createTopic(target.bootstrap, topic);
  }
  try {
    console.log(`warm-up round (not counted), ${MESSAGES} messages per mode`);
    for (const mode of all) await mode.run();
    const rounds: Round[] = [];
    const loads: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = [...all.slice(r % all.length), ...all.slice(0, r % all.length)];
      const round: Record<string, Run> = {};
      loads.push(loadavg()[0]);
      for (const mode of order) round[mode.name] = await mode.run();
      loads.push(loadavg()[0]);
      rounds.push(round);
      console.log(
        `round ${r + 1}: ` +
          all
            .map(
              (m) =>
                `${m.name} ${round[m.name].rate.toFixed(0)} msgs/s, ${round[m.name].cpuMs.toFixed(1)} ms CPU/1k`,
            )
            .join("; "),
      );
    }
    const summaries = summarize(rounds, BASELINE);
    const sorted = [...loads].sort((a, b) => a - b);
    console.log(
      `\n${ROUNDS} rounds of ${MESSAGES} × ${MESSAGE_BYTES} B, batches of ${BATCH}, acks -1, ${PARTITIONS} partitions; ` +
        `1-minute load average ${sorted[0].toFixed(1)}–${sorted[sorted.length - 1].toFixed(1)} on ${availableParallelism()} cores (brokers and client share them)\n`,
    );
    console.log(table(summaries, BASELINE));
    console.log(
      `\ndual publishing, goal ≥ ${DUAL_GOAL}× of one kafkajs producer (median of round ratios):`,
    );
    for (const s of summaries.filter((s) => s.mode !== BASELINE && !s.mode.endsWith("one cluster")))
      console.log(
        `  ${s.mode}: ${s.rateRatio.toFixed(2)}× ${s.rateRatio >= DUAL_GOAL ? "met" : "NOT met"}`,
      );
    const out = join(__dirname, "..", "..", ".cache", "kafka-clients-results.json");
    mkdirSync(join(out, ".."), { recursive: true });
    writeFileSync(out, JSON.stringify({ messages: MESSAGES, rounds, loads, summaries }, null, 2));
    console.log(`\nwritten to ${out}`);
  } finally {
    rmSync(spool, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
