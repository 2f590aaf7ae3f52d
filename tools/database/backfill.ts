/**
 * Backfill: copies the rows the new database does not have yet from the old one, table by
 * table in primary-key chunks, while the dual writer keeps mirroring new writes. Safe beside it:
 *
 * - A row already on the target is never overwritten (COPY refuses a chunk with a row already
 *   there; then INSERT … ON CONFLICT DO NOTHING): the dual writer mirrors each write after the
 *   source committed it, so what it put there is at least as new as the copy.
 * - A row deleted on the source after its chunk was read is not brought back: the delete's
 *   mirror may have found nothing to delete before the copy arrived. So once a chunk is written,
 *   the target's keys in the chunk's key range are checked against the source; the few it no
 *   longer has are locked on the target, checked again, and deleted if still gone. The lock
 *   makes a write mirrored meanwhile wait for the delete, so a row written again survives.
 * - The chunks' ranges follow one another from the first key to past the last, so every target
 *   row is checked once after the copy that could have brought it back — also across a kill:
 *   the checkpoint (saved after each chunk) holds the last key whose range was checked, and a
 *   resume copies and checks again from there.
 */
import { Client, type ClientBase } from "pg";
import {
  CheckpointError,
  CHECKPOINT_KIND,
  databaseIdentity,
  NOT_STARTED,
  readCheckpoint,
  requireSameRun,
  writeCheckpoint,
  type BackfillCheckpoint,
  type TableProgress,
} from "./backfill-checkpoint";
import {
  columnsOf,
  deleteTargetRows,
  keysMissingFrom,
  lockTargetRows,
  readChunk,
  ROUND_TRIP_SETTINGS,
  targetKeysInRange,
  type KeyText,
  type SourceChunk,
  writeChunk,
} from "./backfill-sql";
import { DEFAULT_PG_TIMEOUTS, pgClientConfig, type PgTimeouts } from "./connection";
import { quoteTable } from "../../components/database/sql-names";
import { qualifiedName, readKeyedShapes, requireSameShapes, type TableShape } from "./table-shape";

export interface BackfillOptions {
  readonly source: string;
  readonly target: string;
  /** "schema.table" or "table" (public), copied in this order (parents before children). */
  readonly tables: readonly string[];
  /** Rows per chunk. */
  readonly chunkRows: number;
  readonly checkpointFile: string;
  /** Continue from the checkpoint; without it an existing checkpoint is refused. */
  readonly resume: boolean;
  readonly timeouts?: PgTimeouts;
  /**
   * Rows read so far (this and earlier runs) and the estimated total, after each chunk is
   * saved; awaited before the next chunk is written (the one after it may be read already).
   */
  readonly onProgress?: (
    done: number,
    total: number | undefined,
    /** Of `done`, the rows read by earlier runs of the checkpoint. */
    earlier: number,
  ) => void | Promise<void>;
  /** After a chunk is read and before it is written (an observer; tests stage races here). */
  readonly onChunkRead?: (rows: number, lastKey: KeyText) => void | Promise<void>;
  /** Asked between chunks; true stops the run after the chunk (the checkpoint is saved). */
  readonly shouldStop?: () => boolean;
}

export interface TableBackfill {
  readonly table: string;
  /** Rows read from the source, by this and earlier runs of the checkpoint. */
  readonly rowsRead: number;
  /** Rows the target did not have and got from the backfill. */
  readonly rowsInserted: number;
  /** Target rows in the copied key ranges removed because the source no longer had them. */
  readonly rowsRemoved: number;
  readonly done: boolean;
}

export interface BackfillReport {
  /** host:port/database of each side. */
  readonly source: string;
  readonly target: string;
  readonly checkpoint: string;
  readonly resumed: boolean;
  /** False when stopped before every table was copied; resume to finish. */
  readonly complete: boolean;
  readonly tables: readonly TableBackfill[];
  /** The source's row estimate the progress display used (see estimateRows). */
  readonly estimatedRows?: number;
  readonly seconds: number;
}

/** A resume was asked for without a checkpoint, or a fresh run found one. */
export { CheckpointError };

export async function backfill(options: BackfillOptions): Promise<BackfillReport> {
  const started = Date.now();
  const identity = {
    source: databaseIdentity(options.source),
    target: databaseIdentity(options.target),
  };
  const tables = options.tables.map((t) => qualifiedName(t));
  let checkpoint = startingCheckpoint(options, identity, tables);
  const timeouts = options.timeouts ?? DEFAULT_PG_TIMEOUTS;
  const source = new Client(pgClientConfig(options.source, timeouts));
  const target = new Client(pgClientConfig(options.target, timeouts));
  try {
    await Promise.all([
      connect(source, `source ${identity.source}`),
      connect(target, `target ${identity.target}`),
    ]);
    const sourceShapes = await readKeyedShapes(source, tables, `source ${identity.source}`);
    const targetShapes = await readKeyedShapes(target, tables, `target ${identity.target}`);
    requireSameShapes(sourceShapes, targetShapes);
    for (const settings of ROUND_TRIP_SETTINGS) {
      await Promise.all([source.query(settings), target.query(settings)]);
    }
    const estimate = await estimateRows(source, sourceShapes);
    const readBefore = (table: string) =>
      tables.filter((t) => t !== table).reduce((n, t) => n + progressOf(checkpoint, t).rowsRead, 0);
    const save = (table: string, progress: TableProgress) => {
      checkpoint = {
        ...checkpoint,
        updatedAt: new Date().toISOString(),
        progress: { ...checkpoint.progress, [table]: progress },
      };
      writeCheckpoint(options.checkpointFile, checkpoint);
    };
    writeCheckpoint(options.checkpointFile, checkpoint);
    const earlier = tables.reduce((n, t) => n + progressOf(checkpoint, t).rowsRead, 0);
    let stopped = false;
    for (const shape of sourceShapes) {
      if (progressOf(checkpoint, shape.table).done) continue;
      const others = readBefore(shape.table);
      stopped = await copyTable(source, target, shape, {
        chunkRows: options.chunkRows,
        progress: progressOf(checkpoint, shape.table),
        save: async (progress) => {
          save(shape.table, progress);
          await options.onProgress?.(others + progress.rowsRead, estimate, earlier);
        },
        ...(options.onChunkRead ? { onChunkRead: options.onChunkRead } : {}),
        shouldStop: options.shouldStop ?? (() => false),
      });
      if (stopped) break;
    }
    return {
      ...identity,
      checkpoint: options.checkpointFile,
      resumed: options.resume,
      complete: tables.every((t) => progressOf(checkpoint, t).done),
      tables: tables.map((table) => {
        const { rowsRead, rowsInserted, rowsRemoved, done } = progressOf(checkpoint, table);
        return { table, rowsRead, rowsInserted, rowsRemoved, done };
      }),
      ...(estimate !== undefined ? { estimatedRows: estimate } : {}),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await Promise.all([source.end().catch(() => undefined), target.end().catch(() => undefined)]);
  }
}

function startingCheckpoint(
  options: BackfillOptions,
  identity: { source: string; target: string },
  tables: readonly string[],
): BackfillCheckpoint {
  const existing = readCheckpoint(options.checkpointFile);
  if (options.resume) {
    if (!existing) {
      throw new CheckpointError(
        `--resume: there is no checkpoint ${options.checkpointFile}; pass the --checkpoint file the interrupted run wrote, or leave out --resume to start a new backfill`,
      );
    }
    requireSameRun(existing, options.checkpointFile, { ...identity, tables });
    return { ...existing, tables };
  }
  if (existing) {
    const finished = Object.values(existing.progress).every((p) => p.done);
    throw new CheckpointError(
      `checkpoint ${options.checkpointFile} exists (${finished ? "a finished" : "an unfinished"} backfill of ${existing.tables.join(", ")}, last written ${existing.updatedAt}); pass --resume to continue it, or remove the file to start over`,
    );
  }
  return {
    kind: CHECKPOINT_KIND,
    version: 1,
    ...identity,
    tables,
    updatedAt: new Date().toISOString(),
    progress: Object.fromEntries(tables.map((t) => [t, NOT_STARTED])),
  };
}

function progressOf(checkpoint: BackfillCheckpoint, table: string): TableProgress {
  return checkpoint.progress[table] ?? NOT_STARTED;
}

async function connect(client: Client, side: string): Promise<void> {
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot connect to the ${side}: ${(error as Error).message}`);
  }
}

interface CopyTableOptions {
  readonly chunkRows: number;
  readonly progress: TableProgress;
  readonly save: (progress: TableProgress) => Promise<void>;
  readonly onChunkRead?: BackfillOptions["onChunkRead"];
  readonly shouldStop: () => boolean;
}

/** Copies one table from its checkpointed key on; true when stopped before its end. */
async function copyTable(
  source: ClientBase,
  target: ClientBase,
  shape: TableShape,
  options: CopyTableOptions,
): Promise<boolean> {
  let progress = options.progress;
  // Three stages overlap: the source reads chunk i+1 and checks chunk i's keys while the target
  // writes chunk i+1. A chunk's check always follows its own write; the checkpoint moves past a
  // chunk only once it is checked.
  const read = (after: KeyText | null) => {
    const next = readChunk(source, shape, after, options.chunkRows);
    next.catch(() => undefined); // awaited below; a failure is seen there
    return next;
  };
  /** Starts checking the target's keys in (after, upTo] against the source. */
  const startCheck = async (after: KeyText | null, upTo: KeyText | null) => {
    const keys = await targetKeysInRange(target, shape, after, upTo);
    const missing = keysMissingFrom(source, shape, keys);
    missing.catch(() => undefined); // awaited when the check is finished
    return { missing };
  };
  const finishCheck = async (check: Awaited<ReturnType<typeof startCheck>>) =>
    removeDeletedOnSource(source, target, shape, await check.missing);
  let pending:
    { progress: TableProgress; check: Awaited<ReturnType<typeof startCheck>> } | undefined;
  /** Finishes the check of the chunk written last, and saves the checkpoint past it. */
  const settle = async () => {
    if (!pending) return;
    const removed = await finishCheck(pending.check);
    progress = { ...pending.progress, rowsRemoved: pending.progress.rowsRemoved + removed };
    pending = undefined;
    await options.save(progress);
  };
  let next: Promise<SourceChunk | undefined> = read(progress.lastKey);
  for (;;) {
    const chunk = await next;
    let inserted = 0;
    if (chunk) {
      await options.onChunkRead?.(chunk.rows, chunk.lastKey);
      next = read(chunk.lastKey);
      inserted = await writeChunk(target, shape, chunk.data);
    }
    await settle();
    if (!chunk) {
      // Past the source's last key: copies a killed run wrote there are checked here.
      const removed = await finishCheck(await startCheck(progress.lastKey, null));
      await options.save({ ...progress, rowsRemoved: progress.rowsRemoved + removed, done: true });
      return false;
    }
    pending = {
      progress: {
        lastKey: chunk.lastKey,
        rowsRead: progress.rowsRead + chunk.rows,
        rowsInserted: progress.rowsInserted + inserted,
        rowsRemoved: progress.rowsRemoved,
        done: false,
      },
      check: await startCheck(progress.lastKey, chunk.lastKey),
    };
    if (options.shouldStop()) {
      await settle(); // stop with every chunk written also checked and saved
      return true;
    }
  }
}

/**
 * Removes the target's rows of keys the source did not have when asked without locks (almost
 * always: none). They are locked on the target and the source is asked again, so a row written
 * again on the source and mirrored meanwhile is kept (its mirrored write waits for the lock).
 */
async function removeDeletedOnSource(
  source: ClientBase,
  target: ClientBase,
  shape: TableShape,
  missing: readonly KeyText[],
): Promise<number> {
  if (missing.length === 0) return 0;
  await target.query("BEGIN");
  try {
    await lockTargetRows(target, shape, missing);
    const stillMissing = await keysMissingFrom(source, shape, columnsOf(shape, missing));
    const removed =
      stillMissing.length > 0 ? await deleteTargetRows(target, shape, stillMissing) : 0;
    await target.query("COMMIT");
    return removed;
  } catch (error) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * The rows the source's tables hold, as the planner estimates them (pg_class.reltuples, kept
 * by autovacuum and ANALYZE) — no count(*) over a large table. A table never analyzed has no
 * estimate; then it is counted when smaller than 256 MiB, else the total is unknown.
 */
async function estimateRows(
  source: ClientBase,
  shapes: readonly TableShape[],
): Promise<number | undefined> {
  let total = 0;
  for (const shape of shapes) {
    const table = quoteTable(shape.table);
    const { rows } = await source.query<{ estimate: number; bytes: string }>(
      `SELECT c.reltuples::float8 AS estimate, pg_relation_size(c.oid)::text AS bytes
       FROM pg_catalog.pg_class c WHERE c.oid = $1::regclass`,
      [table],
    );
    const row = rows[0];
    if (row && row.estimate >= 0) {
      total += Math.round(row.estimate);
    } else if (row && Number(row.bytes) < 256 * 1024 * 1024) {
      const counted = await source.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
      total += Number(counted.rows[0]?.n ?? 0);
    } else {
      return undefined;
    }
  }
  return total;
}
