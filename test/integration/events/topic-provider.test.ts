import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { Admin } from "kafkajs";
import { topicProvider } from "../../../components/events/topic-provider";
import type { TopicState } from "../../../components/events/topic-spec";
import { serializedTopicProvider } from "../../unit/events/serialized-provider";
import { kafka, services, uniqueName } from "../support/services";

// The provider's CRUD methods run directly against the real brokers: `legacy` (Redpanda's
// defaults) and `target` (Kafka). An independent admin client checks what really happened.
const admins: Admin[] = [];
afterAll(async () => {
  await Promise.all(admins.map((a) => a.disconnect()));
});

async function adminFor(cluster: "legacy" | "target"): Promise<Admin> {
  const admin = kafka(cluster).admin();
  await admin.connect();
  admins.push(admin);
  return admin;
}

async function produce(cluster: "legacy" | "target", topic: string, count: number): Promise<void> {
  const producer = kafka(cluster).producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({ key: `k-${i}`, value: `v-${i}` })),
  });
  await producer.disconnect();
}

async function partitionsOf(admin: Admin, topic: string): Promise<number> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0].partitions.length;
}

async function overridesOf(admin: Admin, topic: string): Promise<Record<string, string>> {
  const described = await admin.describeConfigs({
    resources: [{ type: 2, name: topic }],
    includeSynonyms: false,
  });
  return Object.fromEntries(
    described.resources[0].configEntries
      .filter((e) => Number(e.configSource) === 1)
      .map((e) => [e.configName, e.configValue]),
  );
}

async function recordCount(admin: Admin, topic: string): Promise<number> {
  // Partitions added a moment ago may still be electing a leader: ask again briefly.
  for (let attempt = 1; ; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Retries an assertion for a few seconds: brokers propagate metadata asynchronously. */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Creates a topic behind the provider's back, as someone else would. */
async function createOutside(
  admin: Admin,
  topic: string,
  partitions: number,
  configEntries: Array<{ name: string; value: string }> = [],
): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries }] });
  await eventually(async () => expect(await partitionsOf(admin, topic)).toBe(partitions));
}

/** Runs the provider's create; its outputs are the topic state that later calls receive. */
async function create(
  inputs: Record<string, unknown>,
  provider: typeof topicProvider = topicProvider,
): Promise<{ id: string; outs: TopicState }> {
  const { id, outs } = await provider.create(inputs);
  if (outs === undefined) throw new Error("create returned no outputs");
  return { id, outs };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(["legacy", "target"] as const)("Topic provider on the %s broker", (cluster) => {
  const bootstrap = (): string => services().kafka[cluster].bootstrap;
  const inputs = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name,
    bootstrap: bootstrap(),
    partitions: 3,
    replicationFactor: 1,
    configs: { "retention.ms": 3_600_000, "cleanup.policy": "delete" },
    ...extra,
  });

  it("creates the topic with its partitions, replication factor and configs; read reports it", async () => {
    const name = uniqueName("topic-create");
    const created = await create(inputs(name));
    expect(created.id).toBe(name);
    const admin = await adminFor(cluster);
    expect(await partitionsOf(admin, name)).toBe(3);
    expect(await overridesOf(admin, name)).toEqual({
      "cleanup.policy": "delete",
      "retention.ms": "3600000",
    });
    const read = await topicProvider.read!(name, created.outs);
    expect(read).toEqual({ id: name, props: created.outs, inputs: created.outs });
  });

  it("refuses to adopt a topic that already exists, and leaves it as it was", async () => {
    const name = uniqueName("topic-exists");
    const admin = await adminFor(cluster);
    await createOutside(admin, name, 2);
    await expect(topicProvider.create(inputs(name))).rejects.toThrow(
      new RegExp(`topic "${name}" already exists on .*nothing was changed.*pulumi import`),
    );
    expect(await partitionsOf(admin, name)).toBe(2);
    expect(await overridesOf(admin, name)).toEqual({});
  });

  it("with adoptExisting, takes over a same-shaped topic (records kept, configs set) and refuses any other", async () => {
    const admin = await adminFor(cluster);
    const name = uniqueName("topic-adopt");
    await createOutside(admin, name, 3, [{ name: "retention.ms", value: "60000" }]);
    await produce(cluster, name, 5);
    const adopted = await create(inputs(name, { adoptExisting: true }));
    expect(adopted.outs).toMatchObject({ name, partitions: 3, adoptExisting: true });
    expect(await overridesOf(admin, name)).toEqual({
      "cleanup.policy": "delete",
      "retention.ms": "3600000",
    });
    expect(await recordCount(admin, name)).toBe(5);

    const other = uniqueName("topic-adopt-other");
    await createOutside(admin, other, 2);
    await expect(topicProvider.create(inputs(other, { adoptExisting: true }))).rejects.toThrow(
      new RegExp(
        `topic "${other}" already exists on .* with partitions 2 \\(declared 3\\); nothing was changed`,
      ),
    );
    expect(await overridesOf(admin, other)).toEqual({});
  });

  it("changes configs in place: records survive, a removed key goes back to default", async () => {
    const name = uniqueName("topic-configs");
    const { outs } = await create(inputs(name));
    await produce(cluster, name, 5);
    const admin = await adminFor(cluster);
    const before = await recordCount(admin, name);
    const news = inputs(name, { configs: { "retention.ms": 7_200_000, "segment.ms": 600_000 } });
    await expect(topicProvider.diff!(name, outs, news)).resolves.toEqual({
      changes: true,
      replaces: [],
      stables: [
        "name",
        "partitions",
        "replicationFactor",
        "bootstrap",
        "allowDeleteWithData",
        "connectionTimeoutMs",
        "adoptExisting",
      ],
      deleteBeforeReplace: false,
    });
    const updated = await topicProvider.update!(name, outs, news);
    expect(await overridesOf(admin, name)).toEqual({
      "retention.ms": "7200000",
      "segment.ms": "600000",
    });
    // At least 5: a producer retry under load may write a record twice, which is its own matter.
    expect(before).toBeGreaterThanOrEqual(5);
    expect(await recordCount(admin, name)).toBe(before);
    expect(updated.outs).toMatchObject({
      configs: { "retention.ms": "7200000", "segment.ms": "600000" },
    });
  });

  it("adds partitions in place, keeping the records", async () => {
    const name = uniqueName("topic-grow");
    const { outs } = await create(inputs(name));
    await produce(cluster, name, 4);
    const admin = await adminFor(cluster);
    const before = await recordCount(admin, name);
    await topicProvider.update!(name, outs, inputs(name, { partitions: 5 }));
    expect(await partitionsOf(admin, name)).toBe(5);
    expect(before).toBeGreaterThanOrEqual(4);
    expect(await recordCount(admin, name)).toBe(before);
    // A retry of the same update (say after a failure half-way) adds nothing twice.
    await topicProvider.update!(name, outs, inputs(name, { partitions: 5 }));
    expect(await partitionsOf(admin, name)).toBe(5);
  });

  it("refuses a partition decrease in diff and in update, and changes nothing", async () => {
    const name = uniqueName("topic-shrink");
    const { outs } = await create(inputs(name, { partitions: 4 }));
    const news = inputs(name, { partitions: 2, configs: {} });
    const refusal = new RegExp(`topic "${name}": partitions 4 → 2 refused: Kafka cannot remove`);
    await expect(topicProvider.diff!(name, outs, news)).rejects.toThrow(refusal);
    await expect(topicProvider.update!(name, outs, news)).rejects.toThrow(refusal);
    const admin = await adminFor(cluster);
    expect(await partitionsOf(admin, name)).toBe(4);
    // The config change that came with it was not applied either.
    expect(await overridesOf(admin, name)).toMatchObject({ "retention.ms": "3600000" });
  });

  it("applies nothing when the broker refuses part of an update", async () => {
    const name = uniqueName("topic-atomic");
    const { outs } = await create(inputs(name));
    const news = inputs(name, { partitions: 6, configs: { "cleanup.policy": "sometimes" } });
    await expect(topicProvider.update!(name, outs, news)).rejects.toThrow(
      new RegExp(`topic "${name}": update it failed on .*`),
    );
    const admin = await adminFor(cluster);
    // The config was refused when validated, before the partitions were added.
    expect(await partitionsOf(admin, name)).toBe(3);
    expect(await overridesOf(admin, name)).toEqual({
      "cleanup.policy": "delete",
      "retention.ms": "3600000",
    });
  });

  it("refuses a replication-factor change", async () => {
    const name = uniqueName("topic-rf");
    const { outs } = await create(inputs(name));
    await expect(
      topicProvider.diff!(name, outs, inputs(name, { replicationFactor: 3 })),
    ).rejects.toThrow(/replicationFactor 1 → 3 refused/);
  });

  it("keeps a topic that holds records unless deletion with data is allowed", async () => {
    const name = uniqueName("topic-guarded");
    const { outs } = await create(inputs(name));
    await produce(cluster, name, 3);
    await expect(topicProvider.delete!(name, outs)).rejects.toThrow(
      new RegExp(
        `topic "${name}" still holds \\d+ records .*so it was kept.*allowDeleteWithData: true`,
      ),
    );
    const admin = await adminFor(cluster);
    expect(await admin.listTopics()).toContain(name);
    expect(await recordCount(admin, name)).toBeGreaterThanOrEqual(3);

    const allowed = await topicProvider.update!(
      name,
      outs,
      inputs(name, { allowDeleteWithData: true }),
    );
    await topicProvider.delete!(name, allowed.outs!);
    expect(await admin.listTopics()).not.toContain(name);
  });

  it("deletes an empty topic; deleting one already gone is a no-op", async () => {
    const name = uniqueName("topic-empty");
    const { outs } = await create(inputs(name));
    await topicProvider.delete!(name, outs);
    const admin = await adminFor(cluster);
    expect(await admin.listTopics()).not.toContain(name);
    await expect(topicProvider.delete!(name, outs)).resolves.toBeUndefined();
  });

  it("refresh sees changes made outside Pulumi; a vanished topic reads as gone", async () => {
    const name = uniqueName("topic-drift");
    const { outs } = await create(inputs(name));
    const admin = await adminFor(cluster);
    await admin.createPartitions({ topicPartitions: [{ topic: name, count: 6 }] });
    await eventually(async () => expect(await partitionsOf(admin, name)).toBe(6));
    const read = await topicProvider.read!(name, outs);
    expect(read.props).toMatchObject({ partitions: 6, configs: outs.configs });
    // Declaring the old count again is now a decrease against reality: refused.
    await expect(topicProvider.diff!(name, read.props!, inputs(name))).rejects.toThrow(
      /partitions 6 → 3 refused/,
    );
    await admin.deleteTopics({ topics: [name] });
    await expect(topicProvider.read!(name, outs)).resolves.toEqual({});
  });

  it("imports a topic from an id that carries the brokers", async () => {
    const name = uniqueName("topic-import");
    const admin = await adminFor(cluster);
    await createOutside(admin, name, 2, [{ name: "retention.ms", value: "60000" }]);
    const read = await topicProvider.read!(`${bootstrap()}/${name}`);
    expect(read).toEqual({
      id: name,
      props: {
        name,
        bootstrap: bootstrap(),
        partitions: 2,
        replicationFactor: 1,
        configs: { "retention.ms": "60000" },
        allowDeleteWithData: false,
        connectionTimeoutMs: 3000,
        adoptExisting: false,
      } satisfies TopicState,
      inputs: read.props,
    });
  });

  it("works from its serialized form, as the engine runs it", async () => {
    const { provider } = await serializedTopicProvider();
    const name = uniqueName("topic-serialized");
    const { outs } = await create(inputs(name), provider);
    const admin = await adminFor(cluster);
    expect(await partitionsOf(admin, name)).toBe(3);
    await provider.delete!(name, outs);
    expect(await admin.listTopics()).not.toContain(name);
  });
});

describe("Topic provider when bootstrap moves to another cluster", () => {
  it("refuses to update a topic the new cluster does not have, and changes neither", async () => {
    const name = uniqueName("topic-moved");
    const legacy = services().kafka.legacy.bootstrap;
    const target = services().kafka.target.bootstrap;
    const { outs } = await create({ name, bootstrap: legacy, partitions: 2, replicationFactor: 1 });
    await expect(
      topicProvider.update!(name, outs, { ...outs, bootstrap: target, partitions: 3 }),
    ).rejects.toThrow(
      new RegExp(`topic "${name}" is not on ${target}; nothing was changed.*declare a new Topic`),
    );
    expect(await partitionsOf(await adminFor("legacy"), name)).toBe(2);
    expect(await (await adminFor("target")).listTopics()).not.toContain(name);
  });
});

describe("Topic provider with an unreachable broker", () => {
  it("fails fast with a clear error on every operation, and creates nothing", async () => {
    const port = await closedPort();
    const name = uniqueName("topic-unreachable");
    const down = {
      name,
      bootstrap: `127.0.0.1:${port}`,
      partitions: 1,
      replicationFactor: 1,
      configs: {},
      allowDeleteWithData: false,
      connectionTimeoutMs: 500,
      adoptExisting: false,
    };
    const unreachable = new RegExp(
      `topic "${name}": cannot reach Kafka at 127.0.0.1:${port} to (create|read|update|delete) it .*ECONNREFUSED.*nothing was changed`,
    );
    const started = Date.now();
    await expect(topicProvider.create(down)).rejects.toThrow(unreachable);
    await expect(topicProvider.read!(name, down)).rejects.toThrow(unreachable);
    await expect(topicProvider.update!(name, down, { ...down, partitions: 2 })).rejects.toThrow(
      unreachable,
    );
    await expect(topicProvider.delete!(name, down)).rejects.toThrow(unreachable);
    const elapsed = Date.now() - started;
    console.log(`four operations against a closed port failed in ${elapsed} ms`);
    expect(elapsed).toBeLessThan(20_000);
    // Nothing half-done: the topic name exists on neither real cluster.
    for (const cluster of ["legacy", "target"] as const) {
      expect(await (await adminFor(cluster)).listTopics()).not.toContain(name);
    }
  });
});
