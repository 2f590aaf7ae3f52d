/**
 * `stepwise db replay`: drains a dual writer's replay log onto its target — what the secondary
 * database missed while it was unreachable (tools/postgres/replay-log.ts, log-replay.ts). A
 * service's writer replays its own log in the background; this is for a log left behind (the
 * service stopped, or before cutover) and shows progress while it runs.
 */
import type { Command } from "commander";
import { Client } from "pg";
import {
  ConnectionSettingError,
  pgClientConfig,
  redactConnectionString,
  resolveConnectionString,
  type PgTimeouts,
} from "../../postgres/connection";
import { replayLog, type ReplayProgress } from "../../postgres/log-replay";
import { STABLE_TEXT_OPTIONS } from "../../postgres/mirror-apply";
import {
  identityMismatch,
  logEndpoint,
  ReplayLog,
  ReplayLogBusyError,
  ReplayLogMismatchError,
  type ReplayLogIdentity,
} from "../../postgres/replay-log";
import {
  qualifiedName,
  readKeyedShapes,
  requireSameShapes,
  TableShapeError,
  type TableShape,
} from "../../postgres/table-shape";
import { EXIT, UsageError } from "../main";
import { createProgress } from "../progress";
import { addTimeoutOptions, noAnswerHint, timeoutsOf, type TimeoutOptions } from "./timeouts";

interface ReplayCommandOptions extends TimeoutOptions {
  log: string;
  source: string;
  target: string;
  table?: string[];
  batch: string;
  forgetOverflow?: boolean;
  json?: boolean;
}

/** What `db replay --json` prints. */
export interface ReplayReport {
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
  readonly overflow?: { readonly since: string; readonly tables: readonly string[] };
  /** True when the log is empty and never overflowed: the target has every logged change. */
  readonly inStep: boolean;
}

export function registerReplayCommand(database: Command): void {
  addTimeoutOptions(database.command("replay"))
    .description(
      "Replay a dual writer's replay log onto its target. Each logged row is read\n" +
        "again from the source and written to the target by primary key, or deleted\n" +
        "there when the source no longer has it: in order, a batch per transaction,\n" +
        "idempotent, and resumable (a rerun starts after the last committed batch).\n" +
        "Exit 0 when the log is drained, 1 when it had overflowed (changes were lost:\n" +
        "copy and verify the tables again), 2 a setting or connection to fix",
    )
    .requiredOption("--log <dir>", "the replay log's folder (the writer's replayLogDir)")
    .requiredOption(
      "--source <url-or-env-var>",
      "the source of truth the log was written from (URL or, better, env var name)",
    )
    .requiredOption(
      "--target <url-or-env-var>",
      "the database kept in step, which the log replays onto",
    )
    .option(
      "--table <names...>",
      "the tables you expect the log to hold; refused when it holds another set",
    )
    .option("--batch <changes>", "changes per target transaction", "500")
    .option(
      "--forget-overflow",
      "after the tables were copied and verified again (db backfill, db verify): clear the overflow mark",
    )
    .option("--json", "print the report as JSON")
    .action(async (options: ReplayCommandOptions) => {
      process.exitCode = await runReplay(options);
    });
}

function connectionOption(flag: string, value: string): string {
  try {
    return resolveConnectionString(value);
  } catch (error) {
    if (error instanceof ConnectionSettingError)
      throw new UsageError(error.message.replace(/^--url/, flag));
    throw error;
  }
}

async function connect(url: string, timeouts: PgTimeouts, side: string): Promise<Client> {
  const client = new Client({ ...pgClientConfig(url, timeouts), options: STABLE_TEXT_OPTIONS });
  client.on("error", () => undefined); // surfaces through the next query
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new UsageError(`${side} ${redactConnectionString(url)}: ${(error as Error).message}`);
  }
  return client;
}

async function runReplay(options: ReplayCommandOptions): Promise<number> {
  const batchSize = Number(options.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)
    throw new UsageError(
      `--batch ${JSON.stringify(options.batch)} is not a change count; give a whole number from 1 to 100000 (e.g. --batch 500)`,
    );
  const recorded = ReplayLog.manifest(options.log);
  if (!recorded)
    throw new UsageError(
      `--log ${options.log}: no replay log there (no replay-log.json); give the folder a dual writer was configured with`,
    );
  const sourceUrl = connectionOption("--source", options.source);
  const targetUrl = connectionOption("--target", options.target);
  const wanted: ReplayLogIdentity = {
    tables: options.table
      ? options.table.map((t) => ({
          table: qualifiedName(t),
          key: recorded.tables.find((r) => r.table === qualifiedName(t))?.key ?? [],
        }))
      : recorded.tables,
    source: logEndpoint(sourceUrl),
    target: logEndpoint(targetUrl),
  };
  const problem = identityMismatch(recorded, wanted);
  if (problem)
    throw new UsageError(
      `--log ${options.log} cannot be replayed here: ${problem}. Pass the --source and --target it was written for (see ${options.log}/replay-log.json)`,
    );
  const { connectMs, requestMs } = timeoutsOf(options);
  const timeouts = { connectMs, statementMs: requestMs };
  const source = await connect(sourceUrl, timeouts, "--source");
  let target: Client | undefined;
  let log: ReplayLog | undefined;
  try {
    target = await connect(targetUrl, timeouts, "--target");
    const shapes = await liveShapes(source, target, recorded, sourceUrl, targetUrl);
    log = openLog(options.log, wanted);
    const progress = createProgress("replay");
    const total = log.waiting;
    let done: ReplayProgress;
    try {
      done = await replayLog(log, source, target, shapes, {
        batchSize,
        onBatch: (p) => progress.update(p.replayed, total),
      });
    } catch (error) {
      const message = redactConnectionString((error as Error).message);
      const silent = /timeout/i.test(message);
      throw new UsageError(
        `replay stopped after ${log.replayed} changes in all, ${log.waiting} waiting (a rerun resumes there): ${message}` +
          (silent ? `; ${noAnswerHint({ connectMs, requestMs }, "request")}` : ""),
      );
    }
    progress.finish(`${log.waiting} waiting`);
    if (options.forgetOverflow) log.clearOverflow();
    const report: ReplayReport = {
      log: options.log,
      source: redactConnectionString(sourceUrl),
      target: redactConnectionString(targetUrl),
      tables: recorded.tables.map((t) => t.table),
      replayed: done.replayed,
      upserted: done.upserted,
      deleted: done.deleted,
      waiting: log.waiting,
      replayedInAll: log.replayed,
      ...(log.overflow ? { overflow: log.overflow } : {}),
      inStep: log.waiting === 0 && !log.overflow,
    };
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReplayText(report),
    );
    if (report.overflow)
      console.error(
        `stepwise: replay log ${options.log} overflowed at ${report.overflow.since}: changes to ${report.overflow.tables.join(", ")} were not recorded, so the target is out of step beyond replay. Copy those tables again (stepwise db backfill), check them (stepwise db verify), then run db replay --forget-overflow`,
      );
    return report.inStep ? EXIT.ok : EXIT.blocked;
  } finally {
    await log?.close();
    await Promise.allSettled([source.end(), target?.end()]);
  }
}

/** The tables as both servers have them, with the keys the log was written with. */
async function liveShapes(
  source: Client,
  target: Client,
  recorded: ReplayLogIdentity,
  sourceUrl: string,
  targetUrl: string,
): Promise<Map<string, TableShape>> {
  const names = recorded.tables.map((t) => t.table);
  try {
    const onSource = await readKeyedShapes(
      source,
      names,
      `source ${redactConnectionString(sourceUrl)}`,
    );
    const onTarget = await readKeyedShapes(
      target,
      names,
      `target ${redactConnectionString(targetUrl)}`,
    );
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
    if (error instanceof TableShapeError) throw new UsageError(error.message);
    throw new UsageError(redactConnectionString((error as Error).message));
  }
}

function openLog(dir: string, identity: ReplayLogIdentity): ReplayLog {
  try {
    return ReplayLog.open(dir, identity);
  } catch (error) {
    if (error instanceof ReplayLogBusyError || error instanceof ReplayLogMismatchError)
      throw new UsageError(error.message);
    throw error;
  }
}

export function renderReplayText(report: ReplayReport): string {
  const lines = [
    `replayed ${report.replayed} changes from ${report.log} onto ${report.target}: ${report.upserted} rows written, ${report.deleted} deleted`,
    `  tables: ${report.tables.join(", ")}`,
    `  source: ${report.source}`,
    report.waiting === 0
      ? `  log drained (${report.replayedInAll} changes replayed since it was created)`
      : `  ${report.waiting} changes still waiting`,
  ];
  if (report.overflow)
    lines.push(
      `  OUT OF STEP: the log overflowed at ${report.overflow.since}; changes to ${report.overflow.tables.join(", ")} were lost`,
    );
  return `${lines.join("\n")}\n`;
}
