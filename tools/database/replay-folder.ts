/**
 * Replaying one dual writer's replay log folder onto its target, from connection strings: the
 * log's identity is checked against the databases given (a log of another table set or
 * database pair is refused), the tables' shapes against both servers and the keys the log was
 * written with, then the log is drained (log-replay.ts). `db replay` and the cutover both use it.
 */
import { Client } from "pg";
import { pgClientConfig, redactConnectionString, type PgTimeouts } from "./connection";
import { replayLog, type ReplayProgress } from "./log-replay";
import { STABLE_TEXT_OPTIONS } from "./mirror-apply";
import {
  identityMismatch,
  logEndpoint,
  ReplayLog,
  ReplayLogBusyError,
  ReplayLogMismatchError,
  type Overflow,
  type ReplayLogIdentity,
} from "./replay-log";
import {
  qualifiedName,
  readKeyedShapes,
  requireSameShapes,
  TableShapeError,
  type TableShape,
} from "./table-shape";

/** Something the caller must fix before this log can be replayed; the message says what. */
export class ReplaySettingError extends Error {}

/** The replay stopped part way (a rerun resumes after the last committed batch). */
export class ReplayInterruptedError extends Error {}

export interface FolderReplayOptions {
  /** The replay log's folder (the writer's replayLogDir). */
  readonly log: string;
  /** The source of truth the log was written from, and the database it replays onto. */
  readonly source: string;
  readonly target: string;
  /** The tables the caller expects the log to hold; refused when it holds another set. */
  readonly tables?: readonly string[];
  /** Changes per target transaction. @default 500 */
  readonly batchSize?: number;
  readonly timeouts: PgTimeouts;
  /** After the tables were copied and verified again: clear the overflow mark. */
  readonly forgetOverflow?: boolean;
  /** After each batch: changes replayed by this run, of those waiting at its start. */
  readonly onBatch?: (replayed: number, total: number) => void;
}

export interface FolderReplay {
  readonly log: string;
  /** Passwords redacted. */
  readonly source: string;
  readonly target: string;
  readonly tables: readonly string[];
  /** Changes applied from the log by this run. */
  readonly replayed: number;
  /** Rows written on the target / deleted there (a change to a row counts once per batch). */
  readonly upserted: number;
  readonly deleted: number;
  /** Changes left in the log (0 after a complete run). */
  readonly waiting: number;
  /** Changes replayed from this log since it was created. */
  readonly replayedInAll: number;
  /** Set when the log was full at some point: the target is out of step beyond replay. */
  readonly overflow?: Overflow;
  /** True when the log is empty and never overflowed: the target has every logged change. */
  readonly inStep: boolean;
}

async function connect(url: string, timeouts: PgTimeouts, side: string): Promise<Client> {
  const client = new Client({ ...pgClientConfig(url, timeouts), options: STABLE_TEXT_OPTIONS });
  client.on("error", () => undefined); // surfaces through the next query
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new ReplaySettingError(
      `${side} ${redactConnectionString(url)}: ${(error as Error).message}`,
    );
  }
  return client;
}

/** The identity the caller's settings describe, checked against the one the log recorded. */
function wantedIdentity(
  options: FolderReplayOptions,
  recorded: ReplayLogIdentity,
): ReplayLogIdentity {
  const wanted: ReplayLogIdentity = {
    tables: options.tables
      ? options.tables.map((t) => ({
          table: qualifiedName(t),
          key: recorded.tables.find((r) => r.table === qualifiedName(t))?.key ?? [],
        }))
      : recorded.tables,
    source: logEndpoint(options.source),
    target: logEndpoint(options.target),
  };
  const problem = identityMismatch(recorded, wanted);
  if (problem)
    throw new ReplaySettingError(
      `--log ${options.log} cannot be replayed here: ${problem}. Pass the --source and --target it was written for (see ${options.log}/replay-log.json)`,
    );
  return wanted;
}

/** The tables as both servers have them, with the keys the log was written with. */
async function liveShapes(
  source: Client,
  target: Client,
  recorded: ReplayLogIdentity,
  options: FolderReplayOptions,
): Promise<Map<string, TableShape>> {
  const names = recorded.tables.map((t) => t.table);
  try {
    const side = (which: string, url: string) => `${which} ${redactConnectionString(url)}`;
    const onSource = await readKeyedShapes(source, names, side("source", options.source));
    const onTarget = await readKeyedShapes(target, names, side("target", options.target));
    requireSameShapes(onSource, onTarget);
    for (const shape of onSource) {
      const logged = recorded.tables.find((t) => t.table === shape.table)?.key ?? [];
      if (logged.join(",") !== shape.key.join(","))
        throw new TableShapeError(
          `table ${shape.table}: the log holds keys of (${logged.join(", ")}) but its primary key is now (${shape.key.join(", ")}); the log belongs to another table set`,
        );
    }
    return new Map(onSource.map((s) => [s.table, s]));
  } catch (error) {
    throw new ReplaySettingError(redactConnectionString((error as Error).message));
  }
}

function openLog(dir: string, identity: ReplayLogIdentity): ReplayLog {
  try {
    return ReplayLog.open(dir, identity);
  } catch (error) {
    if (error instanceof ReplayLogBusyError || error instanceof ReplayLogMismatchError)
      throw new ReplaySettingError(error.message);
    throw error;
  }
}

/** Drains the log in `options.log` onto its target. */
export async function replayFolder(options: FolderReplayOptions): Promise<FolderReplay> {
  const recorded = ReplayLog.manifest(options.log);
  if (!recorded)
    throw new ReplaySettingError(
      `--log ${options.log}: no replay log there (no replay-log.json); give the folder a dual writer was configured with`,
    );
  const wanted = wantedIdentity(options, recorded);
  const source = await connect(options.source, options.timeouts, "--source");
  let target: Client | undefined;
  let log: ReplayLog | undefined;
  try {
    target = await connect(options.target, options.timeouts, "--target");
    const shapes = await liveShapes(source, target, recorded, options);
    log = openLog(options.log, wanted);
    const total = log.waiting;
    let done: ReplayProgress;
    try {
      done = await replayLog(log, source, target, shapes, {
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        onBatch: (p) => options.onBatch?.(p.replayed, total),
      });
    } catch (error) {
      throw new ReplayInterruptedError(
        `replay of ${options.log} stopped after ${log.replayed} changes in all, ${log.waiting} waiting (a rerun resumes there): ${redactConnectionString((error as Error).message)}`,
      );
    }
    if (options.forgetOverflow) log.clearOverflow();
    return {
      log: options.log,
      source: redactConnectionString(options.source),
      target: redactConnectionString(options.target),
      tables: recorded.tables.map((t) => t.table),
      replayed: done.replayed,
      upserted: done.upserted,
      deleted: done.deleted,
      waiting: log.waiting,
      replayedInAll: log.replayed,
      ...(log.overflow ? { overflow: log.overflow } : {}),
      inStep: log.waiting === 0 && !log.overflow,
    };
  } finally {
    await log?.close();
    await Promise.allSettled([source.end(), target?.end()]);
  }
}
