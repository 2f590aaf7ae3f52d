/**
 * Commits offsets for a group that has no members, in one request to its coordinator.
 *
 * kafkajs's admin.setOffsets joins the group with a throwaway consumer (a rebalance, seconds per
 * call). Kafka accepts a commit from outside the group (generation -1, no member id) while the
 * group is empty, and refuses it once a consumer has joined: so this is both fast and safe
 * against a consumer that starts between our idle check and the commit.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createCluster, type RawCluster } from "../raw-cluster";
import type { Kafka } from "kafkajs";

export interface TopicOffsets {
  readonly topic: string;
  readonly partitions: ReadonlyArray<{ readonly partition: number; readonly offset: string }>;
}

/** Refused because a consumer joined the group; the caller reports it as a blocked migration. */
export class GroupNotEmptyError extends Error {}

const MEMBER_ERRORS = new Set(["UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS"]);
/** Tries of a commit that failed with a retriable error (coordinator moving or loading). */
const COMMIT_ATTEMPTS = 5;

export class GroupOffsetCommitter {
  private readonly cluster: RawCluster;
  private connected: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.cluster = createCluster(kafka);
  }

  async commit(group: string, topics: readonly TopicOffsets[]): Promise<void> {
    this.connected ??= this.cluster.connect();
    await this.connected;
    const request = {
      groupId: group,
      groupGenerationId: -1,
      memberId: "",
      topics: topics.map(({ topic, partitions }) => ({
        topic,
        partitions: partitions.map((p) => ({ ...p })),
      })),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        // Looked up each time: a coordinator that moved or is still loading says so.
        const coordinator = await this.cluster.findGroupCoordinator({ groupId: group });
        await coordinator.offsetCommit(request);
        return;
      } catch (error) {
        const { type, retriable } = error as { type?: string; retriable?: boolean };
        if (type && MEMBER_ERRORS.has(type))
          throw new GroupNotEmptyError(
            `group '${group}' gained a member while offsets were being committed (${type}); ` +
              `stop its consumers and rerun`,
          );
        if (retriable !== true || attempt >= COMMIT_ATTEMPTS) throw error;
        await sleep(200 * attempt);
      }
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.cluster.disconnect();
    this.connected = undefined;
  }
}
