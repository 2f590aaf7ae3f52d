/**
 * Replays a replay log onto its target: the oldest changes first, a batch at a time, each batch
 * applied in one target transaction (mirror-apply.ts) and only then passed by the log's cursor.
 * A replay stopped anywhere (crash, dead server, Ctrl-C) starts again at the first batch not
 * committed; applying a batch twice leaves the same rows, so nothing is lost or doubled.
 * Intents a dead writer left (write-intents.ts) are moved into the log first and replayed alike.
 */
import type { ClientBase, Pool } from "pg";
import { applyRowChanges } from "./mirror-apply";
import type { ReplayLog } from "./replay-log";
import { distinctRows } from "./row-change";
import type { TableShape } from "./table-shape";

export interface ReplayProgress {
  /** Changes taken from the log so far in this replay. */
  readonly replayed: number;
  /** Changes still in the log. */
  readonly waiting: number;
  readonly upserted: number;
  readonly deleted: number;
}

export interface ReplayOptions {
  /** Changes per target transaction. @default 500 */
  readonly batchSize?: number;
  readonly onBatch?: (progress: ReplayProgress) => void;
  /** Stops between batches once this returns true. */
  readonly stop?: () => boolean;
}

/** Drains the log onto `target`, reading rows from `source`; throws at the first failure. */
export async function replayLog(
  log: ReplayLog,
  source: Pool | ClientBase,
  target: ClientBase,
  shapes: ReadonlyMap<string, TableShape>,
  options: ReplayOptions = {},
): Promise<ReplayProgress> {
  const batchSize = options.batchSize ?? 500;
  await log.recoverIntents(); // a dead writer's intents become changes to replay
  let progress: ReplayProgress = { replayed: 0, waiting: log.waiting, upserted: 0, deleted: 0 };
  while (log.pending && !(options.stop?.() ?? false)) {
    const { messages, next } = log.peek(batchSize);
    const counts = await applyRowChanges(source, target, shapes, distinctRows(messages));
    log.commit(next);
    progress = {
      replayed: progress.replayed + messages.length,
      waiting: log.waiting,
      upserted: progress.upserted + counts.upserted,
      deleted: progress.deleted + counts.deleted,
    };
    options.onBatch?.(progress);
  }
  return progress;
}
