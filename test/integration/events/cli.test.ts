import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { gateRecordProblems } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import { main } from "../../../tools/cli/main";
import { services, uniqueName } from "../support/services";
import { consumeUntil, createTopic, legacyToTargetPublisher, quickKafka } from "./events-support";

const dir = mkdtempSync(join(tmpdir(), "stepwise-events-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    err += args.join(" ") + "\n";
  });
  process.exitCode = undefined;
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const legacy = () => services().kafka.legacy.bootstrap;
const target = () => services().kafka.target.bootstrap;
// On the way back legacy stands for Redpanda, target for Kafka.
const redpanda = legacy;
const kafka = target;
const run = (...args: string[]) => main(["events", ...args]);

/** 40 records dual-published to a new 2-partition topic, 25 consumed by a new group on `on`. */
async function groupPartWayThrough(on: "legacy" | "target") {
  const topic = uniqueName("cli-offsets");
  const group = uniqueName("cli-group");
  await createTopic("legacy", topic, 2);
  await createTopic("target", topic, 2);
  const publisher = await legacyToTargetPublisher(join(dir, uniqueName("spool")));
  await publisher.publish(
    topic,
    Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  );
  await publisher.close();
  await consumeUntil(on, group, topic, (c) => c.length >= 25);
  return { topic, group };
}

describe("stepwise events (CLI) on the real brokers", () => {
  it("compat: exit 1 and the reason on mismatched partition counts; records the gate", async () => {
    const topic = uniqueName("cli-compat");
    await createTopic("legacy", topic, 6);
    await createTopic("target", topic, 3);
    const record = join(dir, "compat-gate.json");
    const code = await run(
      "compat",
      "--source",
      legacy(),
      "--target",
      target(),
      "--topic",
      topic,
      "--record",
      record,
    );
    expect(code).toBe(1);
    expect(out).toContain(`blocking topic ${topic}: 6 partitions on ${legacy()}, 3 on ${target()}`);
    expect(out).toContain("FAILED: compatibility");
    const gate = JSON.parse(readFileSync(record, "utf8")) as Record<string, { passed: boolean }>;
    expect(gate["compatibility-verified"].passed).toBe(false);
  });

  it("verify: exit 0 with a per-partition report for dual-published data, 2 for a missing topic", async () => {
    const topic = uniqueName("cli-verify");
    await createTopic("legacy", topic, 2);
    await createTopic("target", topic, 2);
    const publisher = await legacyToTargetPublisher(join(dir, "spool"));
    await publisher.publish(
      topic,
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    await publisher.close();
    expect(await run("verify", "--source", legacy(), "--target", target(), "--topic", topic)).toBe(
      0,
    );
    expect(out).toMatch(new RegExp(`PASSED ${topic} \\(log\\)`));
    expect(out).toMatch(/ {2}0: ok {2}matched \d+, missing 0, extra 0, reordered 0/);
    expect(err).toContain(`verify ${topic}: 1/2 (50%)`); // the progress lines, on stderr
    expect(err).toContain(`verify ${topic}: 2/2 (100%)`);
    out = "";
    err = "";
    const missing = uniqueName("cli-missing");
    expect(
      await run("verify", "--source", legacy(), "--target", target(), "--topic", missing),
    ).toBe(2);
    expect(err).toContain(`stepwise: topic '${missing}' does not exist on the source cluster`);
  });

  it("migrate-offsets: unknown group and unreachable broker are exit 2 with a clear message", async () => {
    const progress = join(dir, `${uniqueName("p")}.jsonl`);
    expect(
      await run(
        "migrate-offsets",
        "--source",
        legacy(),
        "--target",
        target(),
        "--group",
        "nobody-here",
        "--progress",
        progress,
      ),
    ).toBe(2);
    expect(err).toContain("group 'nobody-here' has no committed offsets on the source");
    err = "";
    expect(
      await run(
        "migrate-offsets",
        "--source",
        "127.0.0.1:1",
        "--target",
        target(),
        "--group",
        "g",
        "--progress",
        progress,
      ),
    ).toBe(2);
    expect(err).toContain("cannot reach the cluster at --source 127.0.0.1:1");
    err = "";
    expect(
      await run("verify", "--source", "not-an-address", "--target", target(), "--topic", "t"),
    ).toBe(2);
    expect(err).toContain("bootstrap 'not-an-address' is not host:port");
  });

  it("migrate-offsets: moves a stopped group, writes the mapping and the offsets-migrated gate", async () => {
    const { topic, group } = await groupPartWayThrough("legacy");
    const mapping = join(dir, "mapping.json");
    const record = join(dir, "offsets-gate.json");
    const args = [
      "--source",
      legacy(),
      "--target",
      target(),
      "--group",
      group,
      "--progress",
      join(dir, "cli-progress.jsonl"),
    ];
    expect(await run("migrate-offsets", ...args, "--mapping", mapping, "--record", record)).toBe(0);
    const document = JSON.parse(readFileSync(mapping, "utf8")) as {
      entries: Array<{ action: string }>;
    };
    expect(document.entries.length).toBeGreaterThan(0);
    expect(document.entries.every((e) => e.action === "committed")).toBe(true);
    const gate = JSON.parse(readFileSync(record, "utf8")) as Record<
      string,
      { passed: boolean; detail: string }
    >;
    expect(gate["offsets-migrated"].passed).toBe(true);
    expect(gate["offsets-migrated"].detail).toMatch(/^offsets forward .* 1 groups, \d partitions/);
    expect(out).toContain(`${group} ${topic}/`);
  });
});

// The gates of the events path's way back, recorded by the tools on the real brokers.
async function produce(cluster: "legacy" | "target", topic: string, values: string[]) {
  const producer = quickKafka(cluster).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((v) => ({ key: v, value: v })) });
  } finally {
    await producer.disconnect();
  }
}

function gate(file: string): [string, GateRecord] {
  const entries = Object.entries(
    JSON.parse(readFileSync(file, "utf8")) as Record<string, GateRecord>,
  );
  expect(entries).toHaveLength(1);
  return entries[0];
}

const series = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe("messages-synced-back: Redpanda holds every record Kafka has, before producers return", () => {
  it("fails while Redpanda misses what was published only to Kafka, passes once restored", async () => {
    const topic = uniqueName("rollback-messages");
    await createTopic("legacy", topic, 1);
    await createTopic("target", topic, 1);
    await produce("legacy", topic, series("before-kafka", 5)); // Redpanda's own history
    for (const cluster of ["legacy", "target"] as const) {
      await produce(cluster, topic, series("dual", 10));
    }
    await produce("target", topic, series("kafka-only", 5)); // the cutover: Kafka only
    const args = ["verify", "--source", kafka(), "--target", redpanda(), "--topic", topic];

    const behind = join(dir, "behind.json");
    expect(await run(...args, "--rollback", "--record", behind)).toBe(1);
    expect(out).toContain("missing 5");
    const [id, failed] = gate(behind);
    expect(id).toBe("messages-synced-back");
    expect(failed.passed).toBe(false);
    expect(failed.detail).toContain(`1 missing records or out of order (first: ${topic}/0)`);

    await produce("legacy", topic, series("kafka-only", 5)); // restored, in Kafka's order
    out = "";
    const synced = join(dir, "synced.json");
    expect(await run(...args, "--rollback", "--record", synced)).toBe(0);
    const [, passed] = gate(synced);
    expect(passed).toMatchObject({ passed: true, check: "events verify" });
    expect(passed.endpoints).toEqual([kafka(), redpanda()]);
    expect(passed.detail).toBe(
      `messages ${kafka()} -> ${redpanda()}: 1 topics, 1 partitions; every source record on the target, in order`,
    );
    expect(gateRecordProblems("messages-synced-back", passed, new Date())).toEqual([]);
    expect(out).toContain("PASSED: messages");

    // Without --rollback verify asks for equal logs: Redpanda's own history is extra there.
    out = "";
    expect(await run(...args)).toBe(1);
    expect(await run(...args, "--record", join(dir, "x.json"))).toBe(2);
    expect(err).toContain(
      "--record writes the messages-synced-back gate of a rollback; add --rollback",
    );
  });
});

describe("offsets-migrated-back: consumers' positions translated from Kafka to Redpanda", () => {
  it("records offsets-migrated-back when moving a stopped group back", async () => {
    const { group } = await groupPartWayThrough("target"); // consumers on Kafka
    const record = join(dir, "offsets-back.json");
    const code = await run(
      "migrate-offsets",
      "--source",
      kafka(),
      "--target",
      redpanda(),
      "--group",
      group,
      "--progress",
      join(dir, "progress.jsonl"),
      "--rollback",
      "--record",
      record,
    );
    expect(code).toBe(0);
    const [id, gateRecord] = gate(record);
    expect(id).toBe("offsets-migrated-back");
    expect(gateRecord.passed).toBe(true);
    expect(gateRecord.detail).toMatch(/^offsets rollback .* 1 groups, 2 partitions/);
    expect(gateRecordProblems("offsets-migrated-back", gateRecord, new Date())).toEqual([]);
  });
});
