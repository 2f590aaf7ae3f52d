/**
 * `stepwise db cutover` and `stepwise db rollback`: switch the database path's source of truth
 * (tools/database/cutover.ts) — stop the application's writes on the side giving it up, replay
 * the dual writers' logs onto the side taking over, verify, record the gate — and, with
 * `--reopen`, give the frozen side's writes back once the services point at the other side.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import type { Command } from "commander";
import type { GateRecord } from "../../../migrations/ledger";
import { redactConnectionString } from "../../database/connection";
import {
  reopenSource,
  StillFrozenError,
  switchSourceOfTruth,
  type SwitchReport,
} from "../../database/cutover";
import { logEndpoint } from "../../database/replay-log";
import { ReplayInterruptedError, ReplaySettingError } from "../../database/replay-folder";
import { TableShapeError } from "../../database/table-shape";
import { renderVerifyText, VERIFY_GATES, type VerifyDirection } from "../../database/verify-report";
import { describeFreeze, WriteFreezeError, type WriteFreeze } from "../../database/write-freeze";
import { EXIT, UsageError } from "../exit";
import { createProgress } from "../progress";
import { connectionOption } from "./db-options";
import { shown } from "./input-files";
import { addTimeoutOptions, noAnswerHint, timeoutsOf, type TimeoutOptions } from "./timeouts";

interface SwitchCommandOptions extends TimeoutOptions {
  source: string;
  target?: string;
  role?: string;
  wholeDatabase?: boolean;
  table?: string[];
  log: string[];
  drainTimeout: string;
  state?: string;
  record?: string;
  reopen?: boolean;
  json?: boolean;
}

/** What the state file keeps between the switch and `--reopen`. */
interface FreezeState {
  readonly direction: VerifyDirection;
  /** host:port/database of the frozen side (no user, no password). */
  readonly database: string;
  readonly freeze: WriteFreeze;
}

const COMMANDS: Record<VerifyDirection, { name: string; source: string; target: string }> = {
  forward: { name: "cutover", source: "PostgreSQL", target: "Citus" },
  rollback: { name: "rollback", source: "Citus", target: "PostgreSQL" },
};

export function registerSwitchCommands(database: Command): void {
  for (const direction of ["forward", "rollback"] as const) registerSwitch(database, direction);
}

function registerSwitch(database: Command, direction: VerifyDirection): void {
  const { name, source, target } = COMMANDS[direction];
  const gate = VERIFY_GATES[direction];
  addTimeoutOptions(database.command(name))
    .description(
      `Make ${target} the source of truth: stop the application role's writes on ${source}, replay\n` +
        `the dual writers' logs onto ${target}, verify the tables and record ${gate}. When ${target}\n` +
        `misses anything, ${source}'s writes are given back and nothing changes. After the stack step,\n` +
        `run it again with --reopen so the dual writer can keep ${source} in step.\n` +
        "Exit 0 switched (or reopened), 1 not switched (differences, a log behind), 2 a setting or\n" +
        "connection to fix",
    )
    .requiredOption(
      "--source <url-or-env-var>",
      `admin connection to ${source}, whose application writes stop (URL or env var name)`,
    )
    .option("--target <url-or-env-var>", `admin connection to ${target}, which takes over`)
    .option("--role <name>", "the role the application writes as (the user in its DATABASE_URL)")
    .option(
      "--whole-database",
      `instead of --role, when the application writes as a superuser or the tables' owner: make\nthe whole ${source} database read-only and end its sessions`,
    )
    .option("--table <names...>", "the tables the application writes (schema.table or table)")
    .option("--log <dirs...>", "replay log folders of the dual writers, drained first", [])
    .option(
      "--drain-timeout <seconds>",
      "how long the role's open transactions may take to finish before they are ended",
      "30",
    )
    .option(
      "--state <file>",
      "where the freeze is kept for --reopen",
      `stepwise-${name}-freeze.json`,
    )
    .option("--record <file>", `write the ${gate} gate record (JSON) for the stack's ledger`)
    .option("--reopen", `give ${source}'s writes back (after the stack step)`)
    .option("--json", "print the report as JSON")
    .action(async (options: SwitchCommandOptions) => {
      const state = options.state ?? `stepwise-${name}-freeze.json`;
      process.exitCode = options.reopen
        ? await runReopen(options, direction, state)
        : await runSwitch(options, direction, state);
    });
}

function required<T>(value: T | undefined, flag: string, example: string): T {
  if (value === undefined)
    throw new UsageError(`${flag} is missing; give it, e.g. ${flag} ${example}`);
  return value;
}

/** The freeze, on disk before anything else happens; an existing one is never overwritten. */
function writeState(file: string, state: FreezeState): void {
  const fd = openSync(file, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function runSwitch(
  options: SwitchCommandOptions,
  direction: VerifyDirection,
  stateFile: string,
): Promise<number> {
  const { name } = COMMANDS[direction];
  const source = connectionOption("--source", options.source);
  const target = connectionOption(
    "--target",
    required(options.target, "--target", "CITUS_ADMIN_URL"),
  );
  if (options.role !== undefined && options.wholeDatabase) {
    throw new UsageError(
      "--role and --whole-database both given; freeze the application's role (--role) or, if it writes as a superuser or owner, the whole database (--whole-database)",
    );
  }
  const role = options.wholeDatabase ? undefined : required(options.role, "--role", "catalog_app");
  const tables = required(options.table, "--table", "orders order_lines");
  const drainSeconds = Number(options.drainTimeout);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0 || drainSeconds > 3600) {
    throw new UsageError(
      `--drain-timeout ${shown(options.drainTimeout)} is not a number of seconds from 0 to 3600; e.g. --drain-timeout 30`,
    );
  }
  if (existsSync(stateFile)) {
    throw new UsageError(
      `--state ${stateFile} exists: an earlier ${name} still keeps writes frozen; run \`stepwise db ${name} --reopen --source … --state ${stateFile}\` first (or remove the file if those writes were given back)`,
    );
  }
  const timeouts = timeoutsOf(options);
  const pgTimeouts = { connectMs: timeouts.connectMs, statementMs: timeouts.requestMs };
  const replayProgress = new Map<string, ReturnType<typeof createProgress>>();
  const verifyProgress = createProgress("verify rows");
  let report: SwitchReport;
  try {
    report = await switchSourceOfTruth({
      direction,
      source,
      target,
      role,
      tables,
      logs: options.log,
      drainMs: drainSeconds * 1000,
      timeouts: pgTimeouts,
      onFrozen: (freeze) => {
        writeState(stateFile, { direction, database: logEndpoint(source).database, freeze });
      },
      onStage: (stage) => process.stderr.write(`stepwise: ${stage}\n`),
      onReplayBatch: (log, replayed, total) => {
        const progress = replayProgress.get(log) ?? createProgress(`replay ${log}`);
        replayProgress.set(log, progress);
        progress.update(replayed, total);
      },
      onVerifyProgress: (rows, total) =>
        verifyProgress.update(rows, total && Math.max(total, rows)),
    });
  } catch (error) {
    const message = redactConnectionString((error as Error).message);
    if (error instanceof StillFrozenError) throw new UsageError(`${name} failed; ${message}`);
    rmSync(stateFile, { force: true }); // the switch undid its freeze before throwing
    if (
      error instanceof WriteFreezeError ||
      error instanceof ReplaySettingError ||
      error instanceof TableShapeError
    )
      throw new UsageError(message);
    const silent = /timeout/i.test(message);
    const wait = /statement|query/i.test(message) ? "request" : "connect";
    throw new UsageError(
      `${name} not done, ${COMMANDS[direction].source}'s writes are open as before: ${message}` +
        (silent && !(error instanceof ReplayInterruptedError)
          ? `; ${noAnswerHint(timeouts, wait)}`
          : ""),
    );
  }
  verifyProgress.finish(report.switched ? "equal" : "not switched");
  if (!report.switched) rmSync(stateFile, { force: true });
  if (options.record && report.gate) {
    const record: Partial<Record<string, GateRecord>> = { [VERIFY_GATES[direction]]: report.gate };
    writeFileSync(options.record, `${JSON.stringify(record, null, 2)}\n`);
  }
  process.stdout.write(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : renderSwitchText(report, name, stateFile),
  );
  return report.switched ? EXIT.ok : EXIT.blocked;
}

async function runReopen(
  options: SwitchCommandOptions,
  direction: VerifyDirection,
  stateFile: string,
): Promise<number> {
  const { name, source: sourceName } = COMMANDS[direction];
  const source = connectionOption("--source", options.source);
  let state: FreezeState;
  try {
    state = JSON.parse(readFileSync(stateFile, "utf8")) as FreezeState;
  } catch (error) {
    throw new UsageError(
      `--state ${stateFile}: cannot read the freeze (${(error as Error).message}); give the file \`db ${name}\` wrote`,
    );
  }
  if (state.direction !== direction) {
    throw new UsageError(
      `--state ${stateFile} was written by the other direction (${COMMANDS[state.direction].name}); run \`db ${COMMANDS[state.direction].name} --reopen\` with it`,
    );
  }
  const database = logEndpoint(source).database;
  if (database.replace(/^[^/]*\//, "") !== state.database.replace(/^[^/]*\//, "")) {
    throw new UsageError(
      `--source ${redactConnectionString(source)} is not the database ${stateFile} froze (${state.database}); give its admin connection`,
    );
  }
  const timeouts = timeoutsOf(options);
  await reopenSource(source, state.freeze, {
    connectMs: timeouts.connectMs,
    statementMs: timeouts.requestMs,
  }).catch((error: Error) => {
    throw new UsageError(
      `${sourceName}'s writes are still frozen: ${redactConnectionString(error.message)}`,
    );
  });
  rmSync(stateFile, { force: true });
  process.stdout.write(
    options.json
      ? `${JSON.stringify({ reopened: state.database, freeze: state.freeze }, null, 2)}\n`
      : `${sourceName} ${state.database}: writable again (given back: ${describeFreeze(state.freeze)})\n`,
  );
  return EXIT.ok;
}

function renderSwitchText(report: SwitchReport, name: string, stateFile: string): string {
  const { source: sourceName, target: targetName } = COMMANDS[report.direction];
  const freeze = report.freeze;
  const lines = [
    `${name} ${report.source} -> ${report.target}: ${report.switched ? "SWITCHED" : "NOT switched, writes given back"}`,
    `  froze at ${freeze.frozenAt}: ${describeFreeze(freeze)}` +
      (freeze.terminatedBackends > 0 ? ` (${freeze.terminatedBackends} session(s) ended)` : ""),
    ...report.replays.map(
      (r) =>
        `  replayed ${r.log}: ${r.replayed} change(s), ${r.waiting} waiting${r.overflow ? ", OVERFLOWED" : ""}`,
    ),
  ];
  const verification = report.verification ? renderVerifyText(report.verification) : "";
  const next = report.switched
    ? [
        `next: step the stack (${report.direction === "forward" ? "stepwise advance" : "stepwise rollback"}) with the ${VERIFY_GATES[report.direction]} gate recorded, so services use ${targetName};`,
        `      then \`stepwise db ${name} --reopen --source … --state ${stateFile}\` lets the dual writer keep ${sourceName} in step.`,
      ]
    : [`why: ${report.undone ?? ""}`];
  return `${lines.join("\n")}\n${verification}${next.join("\n")}\n`;
}
