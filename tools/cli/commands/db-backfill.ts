/**
 * `stepwise db backfill`: copies the rows the new database lacks from the old one, in primary-key
 * chunks, beside the dual writer, resumable from its checkpoint (tools/database/backfill.ts).
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { backfill, CheckpointError, type BackfillReport } from "../../database/backfill";
import { redactConnectionString } from "../../database/connection";
import { TableShapeError } from "../../database/table-shape";
import { EXIT, UsageError } from "../exit";
import { createProgress } from "../progress";
import { connectionOption } from "./db-options";
import { addTimeoutOptions, noAnswerHint, timeoutsOf, type TimeoutOptions } from "./timeouts";

interface BackfillCommandOptions extends TimeoutOptions {
  source: string;
  target: string;
  table: string[];
  chunk: string;
  checkpoint: string;
  resume?: boolean;
  json?: boolean;
}

const MAX_CHUNK = 100_000;

export function registerBackfillCommand(database: Command): void {
  addTimeoutOptions(database.command("backfill"))
    .description(
      "Copy the rows the target lacks from the source in primary-key chunks, beside the dual " +
        "writer: rows already on the target are kept (they are as new or newer), rows the source " +
        "deletes meanwhile are not brought back. After each chunk the last key is saved to the " +
        "checkpoint; a run stopped or killed continues with --resume. Exit 0 when every table is " +
        "copied, 1 when stopped (Ctrl-C) before the end, 2 on a usage, table or connection problem.",
    )
    .requiredOption(
      "--source <url-or-env-var>",
      "database of record (PostgreSQL): postgres:// URL or, better, an environment variable holding it",
    )
    .requiredOption("--target <url-or-env-var>", "database copied to (Citus), URL or env var name")
    .requiredOption(
      "--table <names...>",
      "tables to copy, in this order (parents before children): schema.table, or a table of public",
    )
    .option("--chunk <rows>", "rows per chunk", "10000")
    .option(
      "--checkpoint <file>",
      "where progress is saved after each chunk",
      "backfill-checkpoint.json",
    )
    .option("--resume", "continue the backfill recorded in --checkpoint")
    .option("--json", "print the report as JSON")
    .action(async (options: BackfillCommandOptions) => {
      process.exitCode = await runBackfill(options);
    });
}

async function runBackfill(options: BackfillCommandOptions): Promise<number> {
  const source = connectionOption("--source", options.source);
  const target = connectionOption("--target", options.target);
  const chunkRows = Number(options.chunk);
  if (!Number.isInteger(chunkRows) || chunkRows < 1 || chunkRows > MAX_CHUNK) {
    throw new UsageError(
      `--chunk ${JSON.stringify(options.chunk)} is not a row count; give a whole number from 1 to ${MAX_CHUNK} (e.g. --chunk 10000)`,
    );
  }
  const timeouts = timeoutsOf(options);
  const progress = createProgress(options.resume ? "backfill rows (this run)" : "backfill rows");
  // Ctrl-C or a TERM stops after the chunk in hand, with the checkpoint saved.
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let report: BackfillReport;
  try {
    report = await backfill({
      source,
      target,
      tables: options.table,
      chunkRows,
      checkpointFile: options.checkpoint,
      resume: options.resume === true,
      timeouts: { connectMs: timeouts.connectMs, statementMs: timeouts.requestMs },
      // Rate and time left from this run's rows; a resume's earlier rows would inflate the rate.
      onProgress: (done, total, earlier) =>
        progress.update(
          done - earlier,
          total === undefined ? undefined : Math.max(0, total - earlier),
        ),
      shouldStop: () => stopRequested,
    });
  } catch (error) {
    if (error instanceof CheckpointError || error instanceof TableShapeError) {
      throw new UsageError(error.message);
    }
    const message = redactConnectionString((error as Error).message);
    const silent = /timeout/i.test(message);
    const wait = /statement|query/i.test(message) ? "request" : "connect";
    throw new UsageError(
      `backfill stopped: ${message}` +
        (silent ? `; ${noAnswerHint(timeouts, wait)}` : "") +
        (existsSync(options.checkpoint)
          ? `. The chunks copied so far are recorded in ${options.checkpoint}; fix the problem and continue with --resume`
          : ""),
    );
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
  progress.finish(report.complete ? "done" : "stopped");
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderBackfillText(report),
  );
  return report.complete ? EXIT.ok : EXIT.blocked;
}

export function renderBackfillText(report: BackfillReport): string {
  const lines = [
    `backfill ${report.source} → ${report.target}${report.resumed ? " (resumed)" : ""}: ${report.complete ? "complete" : "stopped before the end"}`,
    ...report.tables.map(
      (t) =>
        `  ${t.table}: ${t.rowsRead} rows read, ${t.rowsInserted} inserted, ${Math.max(0, t.rowsRead - t.rowsInserted)} already on the target` +
        (t.rowsRemoved > 0
          ? `, ${t.rowsRemoved} removed from the target (deleted on the source meanwhile)`
          : "") +
        (t.done ? "" : " — not finished"),
    ),
    `  ${report.seconds.toFixed(1)} s; checkpoint ${report.checkpoint}`,
  ];
  if (!report.complete) lines.push(`  continue with the same options and --resume`);
  return `${lines.join("\n")}\n`;
}
