/**
 * `stepwise db replay`: drains a dual writer's replay log onto its target — what the secondary
 * database missed while it was unreachable (tools/database/replay-folder.ts). A service's
 * writer replays its own log in the background; this is for a log left behind (the service
 * stopped, or before cutover) and shows progress while it runs.
 */
import type { Command } from "commander";
import {
  ReplayInterruptedError,
  replayFolder,
  type FolderReplay,
} from "../../database/replay-folder";
import { EXIT, UsageError } from "../exit";
import { createProgress } from "../progress";
import { connectionOption, wholeNumber } from "./db-options";
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
export type ReplayReport = FolderReplay;

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

async function runReplay(options: ReplayCommandOptions): Promise<number> {
  const batchSize = wholeNumber("--batch", options.batch, 100_000, "500");
  const source = connectionOption("--source", options.source);
  const target = connectionOption("--target", options.target);
  const { connectMs, requestMs } = timeoutsOf(options);
  const progress = createProgress("replay");
  let report: ReplayReport;
  try {
    report = await replayFolder({
      log: options.log,
      source,
      target,
      ...(options.table ? { tables: options.table } : {}),
      batchSize,
      timeouts: { connectMs, statementMs: requestMs },
      ...(options.forgetOverflow ? { forgetOverflow: true } : {}),
      onBatch: (replayed, total) => progress.update(replayed, total),
    });
  } catch (error) {
    const message = (error as Error).message;
    const silent = error instanceof ReplayInterruptedError && /timeout/i.test(message);
    throw new UsageError(
      message + (silent ? `; ${noAnswerHint({ connectMs, requestMs }, "request")}` : ""),
    );
  }
  progress.finish(`${report.waiting} waiting`);
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReplayText(report),
  );
  if (report.overflow)
    console.error(
      `stepwise: replay log ${options.log} overflowed at ${report.overflow.since}: changes to ${report.overflow.tables.join(", ")} were not recorded, so the target is out of step beyond replay. Copy those tables again (stepwise db backfill), check them (stepwise db verify), then run db replay --forget-overflow`,
    );
  return report.inStep ? EXIT.ok : EXIT.blocked;
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
