import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { GateRecord } from "../../../migrations/ledger";
import {
  ConnectionSettingError,
  redactConnectionString,
  resolveConnectionString,
} from "../../database/connection";
import { parseDistributionPlan, PlanError } from "../../../components/database/distribution-plan";
import {
  checkDatabaseReadiness,
  readinessGateRecord,
  renderReadinessText,
} from "../../database/readiness";
import { EXIT, UsageError } from "../exit";
import { registerVerifyCommand } from "./db-verify";
import { registerBackfillCommand } from "./db-backfill";
import { registerReplayCommand } from "./db-replay";
import { registerSwitchCommands } from "./db-cutover";
import { addTimeoutOptions, noAnswerHint, timeoutsOf, type TimeoutOptions } from "./timeouts";

interface ReadinessOptions extends TimeoutOptions {
  url: string;
  plan: string;
  json?: boolean;
  record?: string;
}

/** The file `--record` writes: one entry for the stack config's `stepwise:gates` map. */
export type RecordedGate = { readonly "data-model-reviewed": GateRecord };

export function registerDatabaseCommands(program: Command): void {
  const database = program
    .command("database")
    .alias("db")
    .description("PostgreSQL → Citus tools: readiness, data copy, replay, verification, cutover");
  addTimeoutOptions(database.command("readiness"))
    .description(
      "Check a live schema against a Citus distribution plan; exit 1 when Citus would refuse it",
    )
    .requiredOption(
      "--url <url-or-env-var>",
      "postgres:// URL or, better, the name of an environment variable holding it",
    )
    .requiredOption("--plan <file>", "distribution plan (YAML): tables in distribution order")
    .option("--json", "print the report as JSON")
    .option("--record <file>", "write the result as the data-model-reviewed gate record (JSON)")
    .action(async (options: ReadinessOptions) => {
      process.exitCode = await runReadiness(options);
    });
  // The data side of the path: each command registers itself from its own file.
  registerVerifyCommand(database);
  registerBackfillCommand(database);
  registerReplayCommand(database);
  registerSwitchCommands(database);
}

async function runReadiness(options: ReadinessOptions): Promise<number> {
  let url: string;
  let planText: string;
  try {
    url = resolveConnectionString(options.url);
    planText = readFileSync(options.plan, "utf8");
  } catch (error) {
    if (error instanceof ConnectionSettingError) throw new UsageError(error.message);
    throw new UsageError(`--plan ${options.plan}: cannot read it (${(error as Error).message})`);
  }
  let plan;
  try {
    plan = parseDistributionPlan(planText, options.plan);
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(error.message);
    throw error;
  }
  const timeouts = timeoutsOf(options);
  const pgTimeouts = { connectMs: timeouts.connectMs, statementMs: timeouts.requestMs };
  const report = await checkDatabaseReadiness(url, plan, pgTimeouts).catch((error: Error) => {
    // Unreachable or silent server, wrong password, missing database: fixable, shown redacted.
    const timedOut = timeoutKind(error.message);
    throw new UsageError(
      `database ${redactConnectionString(url)}: ${error.message}` +
        (timedOut ? `; ${noAnswerHint(timeouts, timedOut)}` : ""),
    );
  });
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReadinessText(report),
  );
  if (options.record) {
    const record: RecordedGate = { "data-model-reviewed": readinessGateRecord(report) };
    writeFileSync(options.record, `${JSON.stringify(record, null, 2)}\n`);
  }
  return report.ready ? EXIT.ok : EXIT.blocked;
}

/** Which wait node-postgres gave up on, from its message (it sets no error code for these). */
function timeoutKind(message: string): "connect" | "request" | undefined {
  if (/statement timeout|query read timeout/i.test(message)) return "request";
  if (/timeout expired|connection timeout/i.test(message)) return "connect";
  return undefined;
}
