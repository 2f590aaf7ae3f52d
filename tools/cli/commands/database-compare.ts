/**
 * `stepwise database compare`: the data gates of the database path, checked on the two live
 * databases (tools/postgres/database-compare.ts) and recorded with `--record`.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { GateRecord } from "../../../migrations/ledger";
import {
  ConnectionSettingError,
  redactConnectionString,
  resolveConnectionString,
} from "../../postgres/connection";
import {
  COMPARE_GATES,
  compareDatabases,
  compareGateRecord,
  renderCompareText,
} from "../../postgres/database-compare";
import { EXIT, UsageError } from "../main";
import { addTimeoutOptions, noAnswerHint, timeoutsOf, type TimeoutOptions } from "./timeouts";

interface CompareCommandOptions extends TimeoutOptions {
  source: string;
  target: string;
  schema: string[];
  table?: string[];
  chunk: string;
  rollback?: boolean;
  record?: string;
  json?: boolean;
}

export function registerCompareCommand(database: Command): void {
  addTimeoutOptions(database.command("compare"))
    .description(
      "Compare two databases table by table (row counts and a sha256 digest of every row in key\n" +
        "order, one consistent snapshot per side); exit 1 when any table differs",
    )
    .requiredOption(
      "--source <url-or-env-var>",
      "database of record: PostgreSQL going forward, Citus with --rollback (URL or env var name)",
    )
    .requiredOption(
      "--target <url-or-env-var>",
      "database checked against it: Citus going forward, PostgreSQL with --rollback",
    )
    .option("--schema <names...>", "schemas whose tables are compared", ["public"])
    .option(
      "--table <names...>",
      "only these tables (schema.table, or a table of the first schema)",
    )
    .option("--chunk <rows>", "rows read per side per round trip", "5000")
    .option(
      "--rollback",
      `the check before reads move back to PostgreSQL: record ${COMPARE_GATES.rollback} instead of ${COMPARE_GATES.forward}`,
    )
    .option(
      "--record <file>",
      `write the result as the ${COMPARE_GATES.forward} (or, with --rollback, ${COMPARE_GATES.rollback}) gate record (JSON)`,
    )
    .option("--json", "print the report as JSON")
    .action(async (options: CompareCommandOptions) => {
      process.exitCode = await runCompare(options);
    });
}

/** `--source`/`--target`: a URL or an environment variable holding one. */
function connectionOption(flag: string, value: string): string {
  try {
    return resolveConnectionString(value);
  } catch (error) {
    if (error instanceof ConnectionSettingError) {
      throw new UsageError(error.message.replace(/^--url/, flag));
    }
    throw error;
  }
}

async function runCompare(options: CompareCommandOptions): Promise<number> {
  const source = connectionOption("--source", options.source);
  const target = connectionOption("--target", options.target);
  const chunkRows = Number(options.chunk);
  if (!Number.isInteger(chunkRows) || chunkRows < 1 || chunkRows > 1_000_000) {
    throw new UsageError(
      `--chunk ${JSON.stringify(options.chunk)} is not a row count; give a whole number from 1 to 1000000 (e.g. --chunk 5000)`,
    );
  }
  const timeouts = timeoutsOf(options);
  const report = await compareDatabases({
    source,
    target,
    schemas: options.schema,
    ...(options.table ? { tables: options.table } : {}),
    chunkRows,
    timeouts: { connectMs: timeouts.connectMs, statementMs: timeouts.requestMs },
  }).catch((error: Error) => {
    // Unreachable or silent server, wrong password, missing database: fixable, shown redacted.
    const silent = /timeout/i.test(error.message);
    const wait = /statement|query/i.test(error.message) ? "request" : "connect";
    throw new UsageError(
      redactConnectionString(error.message) + (silent ? `; ${noAnswerHint(timeouts, wait)}` : ""),
    );
  });
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderCompareText(report),
  );
  if (options.record) {
    const direction = options.rollback ? "rollback" : "forward";
    const record: Partial<Record<string, GateRecord>> = {
      [COMPARE_GATES[direction]]: compareGateRecord(report, direction),
    };
    writeFileSync(options.record, `${JSON.stringify(record, null, 2)}\n`);
  }
  return report.equal ? EXIT.ok : EXIT.blocked;
}
