/**
 * `stepwise db verify` (also `db compare`, its earlier name): the data gates of the database
 * path, checked on the two live databases (tools/database/verify-databases.ts) and recorded with
 * `--record`.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { GateRecord } from "../../../migrations/ledger";
import { redactConnectionString } from "../../database/connection";
import { TableShapeError } from "../../database/table-shape";
import {
  DEFAULT_CHUNK_ROWS,
  DEFAULT_MAX_KEYS,
  DEFAULT_PARALLEL,
  verifyDatabases,
} from "../../database/verify-databases";
import { renderVerifyText, VERIFY_GATES, verifyGateRecord } from "../../database/verify-report";
import { EXIT, UsageError } from "../exit";
import { createProgress } from "../progress";
import { connectionOption, wholeNumber } from "./db-options";
import { addTimeoutOptions, noAnswerHint, timeoutsOf, type TimeoutOptions } from "./timeouts";

interface VerifyCommandOptions extends TimeoutOptions {
  source: string;
  target: string;
  schema: string[];
  table?: string[];
  chunk: string;
  showKeys: string;
  parallel: string;
  rollback?: boolean;
  record?: string;
  json?: boolean;
}

export function registerVerifyCommand(database: Command): void {
  addTimeoutOptions(database.command("verify").alias("compare"))
    .description(
      "Verify that two databases hold the same rows: table by table, in primary-key ranges, " +
        "row counts and checksums computed by each server (one consistent snapshot per side); " +
        "differing ranges are drilled into down to the keys of rows missing, extra or changed " +
        "on the target. Exit 0 equal, 1 differences, 2 a setting or connection to fix",
    )
    .requiredOption(
      "--source <url-or-env-var>",
      "database of record: PostgreSQL going forward, Citus with --rollback (URL or env var name)",
    )
    .requiredOption(
      "--target <url-or-env-var>",
      "database checked against it: Citus going forward, PostgreSQL with --rollback",
    )
    .option("--schema <names...>", "schemas whose tables are verified", ["public"])
    .option(
      "--table <names...>",
      "only these tables (schema.table, or a table of the first schema)",
    )
    .option(
      "--chunk <rows>",
      "source rows per key range (and most rows per side compared row by row)",
      String(DEFAULT_CHUNK_ROWS),
    )
    .option(
      "--parallel <n>",
      "key ranges verified at once, each on its own connection to each side (one snapshot per side)",
      String(DEFAULT_PARALLEL),
    )
    .option(
      "--show-keys <n>",
      "keys listed per table and kind of difference; the rest are counted",
      String(DEFAULT_MAX_KEYS),
    )
    .option(
      "--rollback",
      `the check before reads move back to PostgreSQL: record ${VERIFY_GATES.rollback} instead of ${VERIFY_GATES.forward}`,
    )
    .option(
      "--record <file>",
      `write the result as the ${VERIFY_GATES.forward} (or, with --rollback, ${VERIFY_GATES.rollback}) gate record (JSON)`,
    )
    .option("--json", "print the report as JSON")
    .action(async (options: VerifyCommandOptions) => {
      process.exitCode = await runVerify(options);
    });
}

/** `--source`/`--target`: a URL or an environment variable holding one. */
async function runVerify(options: VerifyCommandOptions): Promise<number> {
  const source = connectionOption("--source", options.source);
  const target = connectionOption("--target", options.target);
  const chunkRows = wholeNumber("--chunk", options.chunk, 1_000_000, String(DEFAULT_CHUNK_ROWS));
  const maxKeys = wholeNumber("--show-keys", options.showKeys, 100_000, String(DEFAULT_MAX_KEYS));
  const parallel = wholeNumber("--parallel", options.parallel, 32, String(DEFAULT_PARALLEL));
  const timeouts = timeoutsOf(options);
  const progress = createProgress("verify rows");
  const report = await verifyDatabases({
    source,
    target,
    schemas: options.schema,
    ...(options.table ? { tables: options.table } : {}),
    chunkRows,
    maxKeys,
    parallel,
    timeouts: { connectMs: timeouts.connectMs, statementMs: timeouts.requestMs },
    // The planner's estimate may lag behind the table: never show more than 100%.
    onProgress: (rows, total) => progress.update(rows, total && Math.max(total, rows)),
  }).catch((error: Error) => {
    if (error instanceof TableShapeError) throw new UsageError(error.message);
    // Unreachable or silent server, wrong password, missing database: fixable, shown redacted.
    const silent = /timeout/i.test(error.message);
    const wait = /statement|query/i.test(error.message) ? "request" : "connect";
    throw new UsageError(
      redactConnectionString(error.message) + (silent ? `; ${noAnswerHint(timeouts, wait)}` : ""),
    );
  });
  progress.finish(report.equal ? "equal" : "differences found");
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderVerifyText(report),
  );
  if (options.record) {
    const direction = options.rollback ? "rollback" : "forward";
    const record: Partial<Record<string, GateRecord>> = {
      [VERIFY_GATES[direction]]: verifyGateRecord(report, direction),
    };
    writeFileSync(options.record, `${JSON.stringify(record, null, 2)}\n`);
  }
  return report.equal ? EXIT.ok : EXIT.blocked;
}
