import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../tools/cli/main";
import { services, uniqueName } from "../support/services";
import { consumeUntil, createTopic, legacyToTargetPublisher } from "./events-support";

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
const run = (...args: string[]) => main(["events", ...args]);

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
    const topic = uniqueName("cli-offsets");
    const group = uniqueName("cli-group");
    await createTopic("legacy", topic, 2);
    await createTopic("target", topic, 2);
    const publisher = await legacyToTargetPublisher(join(dir, "spool-offsets"));
    await publisher.publish(
      topic,
      Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    await publisher.close();
    await consumeUntil("legacy", group, topic, (c) => c.length >= 25);
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
