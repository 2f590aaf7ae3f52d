import { describe, expect, it } from "vitest";
import { topicProvider } from "../../../components/events/topic-provider";
import type { TopicState } from "../../../components/events/topic-spec";
import { services, uniqueName } from "../support/services";

// How long the provider's operations take on the local single-node brokers: a figure for the
// docs and a guard against a regression to kafkajs's minute-long default retry budget.
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe.each(["legacy", "target"] as const)("Topic provider timings on %s", (cluster) => {
  it(`creates, updates, reads and deletes ${ROUNDS} topics in seconds`, async () => {
    const timings: Record<"create" | "update" | "read" | "delete", number[]> = {
      create: [],
      update: [],
      read: [],
      delete: [],
    };
    const time = async <T>(op: keyof typeof timings, call: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await call();
      timings[op].push(performance.now() - started);
      return result;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const name = uniqueName("topic-timing");
      const inputs = {
        name,
        bootstrap: services().kafka[cluster].bootstrap,
        partitions: 3,
        replicationFactor: 1,
      };
      const { outs } = await time("create", () => topicProvider.create(inputs));
      const updated = await time("update", () =>
        topicProvider.update!(name, outs!, {
          ...inputs,
          partitions: 4,
          configs: { "retention.ms": 60000 },
        }),
      );
      await time("read", () => topicProvider.read!(name, updated.outs));
      await time("delete", () => topicProvider.delete!(name, updated.outs as TopicState));
    }
    const medians = Object.fromEntries(
      Object.entries(timings).map(([op, ms]) => [op, Math.round(median(ms))]),
    );
    console.log(`${cluster}: median ms over ${ROUNDS} rounds ${JSON.stringify(medians)}`);
    for (const ms of Object.values(timings).flat()) expect(ms).toBeLessThan(15_000);
  });
});
