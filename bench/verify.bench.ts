/**
 * Chunked verification (`stepwise db verify`) of 1M rows per side on the real test PostgreSQL
 * (legacy and target databases stand in for PostgreSQL and Citus; both are on this machine's
 * one server, sharing its 2 cores).
 *
 * Baseline, same run: the time PostgreSQL needs to read both tables once — on each side at
 * once, `SELECT count(t::text)` over the whole table (every row read and printed as text, the
 * least any row-by-row comparison must do), with the same session settings, default planner
 * settings (parallel workers allowed). Goal: verification ≤ 2× that, judged on the median of
 * the rounds' own ratios (baseline and verification back to back, so drift of this shared
 * machine's speed cancels out). The verification's time is the report's: from connecting to
 * both servers to the last table compared (--parallel 4 ranges at once, the default; the
 * baseline's parallel plans use up to 3 processes per side). Also reported: the whole CLI
 * process (loading the CLI included), and the ratio over the baseline without parallel
 * workers (one backend per side).
 *
 * The verification runs as the CLI in a process of its own (bench/verify-process.ts), so its
 * peak resident memory (max RSS, Node, tsx and the CLI's modules included) is its own. Goal
 * < 256 MiB; the CLI's own (db verify --help) is reported beside it.
 *
 * The target has three differences (a changed, a missing and an extra row), so the measured
 * run includes drilling down to them, and the bench checks that it names exactly those keys.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Client } from "pg";
import { endpoints, postgresUrlOf, startServices } from "../test/services/manager";
import type { VerifyReport } from "../tools/database/verify-report";
import { STABLE_TEXT_SETTINGS } from "../tools/database/verify-snapshot";
import type { Bench, BenchResult } from "./result";

const ROWS = 1_000_000;
const ROUNDS = 3;
const SCHEMA = `bench_verify_${Date.now().toString(36)}`;
const TABLE = `${SCHEMA}.orders`;

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** 1M orders generated inside the server; the key added afterwards (one index build). */
async function createOrders(client: Client): Promise<void> {
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  await client.query(
    `CREATE TABLE ${TABLE} (id bigint NOT NULL, customer text, total numeric(10,2),
                            placed timestamptz, ratio double precision)`,
  );
  await client.query(
    `INSERT INTO ${TABLE}
       SELECT i, 'customer ' || i, (i * 1.25) % 100000, timestamptz '2026-11-01 00:00:00+00' + i * interval '1 minute', i / 7.0
       FROM generate_series(1, ${ROWS}) AS i`,
  );
  await client.query(`ALTER TABLE ${TABLE} ADD PRIMARY KEY (id)`);
}

/** Both tables read once, at the same time, each on its own connection. */
async function readBothOnce(clients: readonly Client[], parallelWorkers: boolean): Promise<number> {
  await Promise.all(
    clients.map(async (c) => {
      await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      for (const setting of STABLE_TEXT_SETTINGS) await c.query(setting);
      if (!parallelWorkers) await c.query("SET LOCAL max_parallel_workers_per_gather = 0");
    }),
  );
  const started = performance.now();
  const counts = await Promise.all(
    clients.map((c) => c.query<{ n: string }>(`SELECT count((t.*)::text) AS n FROM ${TABLE} t`)),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.query("COMMIT")));
  if (counts.some((r) => Number(r.rows[0]?.n) < ROWS - 1)) throw new Error("baseline read too few");
  return seconds;
}

interface CliRun {
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly out: string;
}

/** `stepwise <cli>` in its own process; wall clock from spawn to exit. */
function cliInProcess(env: NodeJS.ProcessEnv, cli: readonly string[]): Promise<CliRun> {
  const args = ["--import", "tsx", join(__dirname, "verify-process.ts"), ...cli];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => {
      const seconds = (performance.now() - started) / 1000;
      try {
        const last = err.trimEnd().split("\n").at(-1) ?? "";
        const { maxRssMiB } = JSON.parse(last) as { maxRssMiB: number };
        resolve({ seconds, maxRssMiB, out });
      } catch {
        reject(new Error(`stepwise ${cli.join(" ")} failed: ${err.slice(-2000)}`));
      }
    });
  });
}

interface VerifyRun extends CliRun {
  readonly report: VerifyReport;
}

async function verifyInProcess(env: NodeJS.ProcessEnv): Promise<VerifyRun> {
  const cli = ["db", "verify", "--source", "BENCH_SOURCE", "--target", "BENCH_TARGET"];
  const run = await cliInProcess(env, [...cli, "--table", TABLE, "--json"]);
  return { ...run, report: JSON.parse(run.out) as VerifyReport };
}

export const run: Bench = async (log) => {
  log("starting (or reusing) the test services");
  const { state } = await startServices(log);
  const pg = endpoints(state).postgres;
  const url = (db: string) => postgresUrlOf(pg, db);
  const env = {
    ...process.env,
    BENCH_SOURCE: url(pg.databases.legacy),
    BENCH_TARGET: url(pg.databases.target),
  };
  const connect = async (db: string) => {
    const client = new Client({ connectionString: url(db) });
    await client.connect();
    return client;
  };
  const clients = [await connect(pg.databases.legacy), await connect(pg.databases.target)];
  const target = clients[1];
  try {
    const setupStarted = performance.now();
    await Promise.all(clients.map(createOrders));
    await target.query(`UPDATE ${TABLE} SET total = total + 1 WHERE id = 123457`);
    await target.query(`DELETE FROM ${TABLE} WHERE id = 654321`);
    await target.query(`INSERT INTO ${TABLE} VALUES (${ROWS + 7}, 'late', 1, now(), 0)`);
    // As autovacuum leaves a table: statistics and visibility map up to date.
    await Promise.all(clients.map((c) => c.query(`VACUUM ANALYZE ${TABLE}`)));
    log(
      `two tables of ${ROWS} rows created in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
    );

    const rounds: { baseline: number; serial: number; verify: VerifyRun }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const baseline = await readBothOnce(clients, true);
      const serial = await readBothOnce(clients, false);
      const verify = await verifyInProcess(env);
      const table = verify.report.tables[0];
      const found = [table?.changed.keys, table?.missing.keys, table?.extra.keys].map(String);
      if (found.join(" ") !== `(123457) (654321) (${ROWS + 7})`) {
        throw new Error(`verification found ${found.join(" ")}, not the three differences`);
      }
      rounds.push({ baseline, serial, verify });
      log(
        `round ${round + 1}: read both once ${baseline.toFixed(2)} s (no parallel workers ${serial.toFixed(2)} s); ` +
          `db verify ${verify.seconds.toFixed(2)} s (${verify.report.seconds.toFixed(2)} s verifying, ` +
          `${table?.chunks} chunks, ${table?.differingChunks} drilled), max RSS ${verify.maxRssMiB.toFixed(0)} MiB`,
      );
    }
    // The CLI loading all its commands (tsx compiling them, Pulumi's SDK): what every command
    // costs before it starts, for reading the whole-process and memory figures.
    const bare = await cliInProcess(env, ["db", "verify", "--help"]);
    log(
      `the CLI alone (db verify --help): ${bare.seconds.toFixed(2)} s, max RSS ${bare.maxRssMiB.toFixed(0)} MiB`,
    );

    const verifying = (r: (typeof rounds)[number]) => r.verify.report.seconds;
    const ratio = median(rounds.map((r) => verifying(r) / r.baseline));
    const baseline = {
      name: "PostgreSQL reading both tables once, in parallel (count of row text)",
      value: median(rounds.map((r) => r.baseline)),
    };
    const peak = Math.max(...rounds.map((r) => r.verify.maxRssMiB));
    const results: BenchResult[] = [
      {
        name: `db verify, ${ROWS} rows per side, 3 differences drilled (connect to report), median of ${ROUNDS} rounds' ratios`,
        value: median(rounds.map(verifying)),
        unit: "s",
        baseline,
        ratio,
        goal: "≤ 2× baseline",
        met: ratio <= 2,
      },
      {
        name: "db verify, whole CLI process (loading the CLI included)",
        value: median(rounds.map((r) => r.verify.seconds)),
        unit: "s",
        baseline,
        ratio: median(rounds.map((r) => r.verify.seconds / r.baseline)),
      },
      {
        name: "db verify over the same read without parallel workers (one backend per side)",
        value: median(rounds.map(verifying)),
        unit: "s",
        baseline: {
          name: "both tables read once, serial plans",
          value: median(rounds.map((r) => r.serial)),
        },
        ratio: median(rounds.map((r) => verifying(r) / r.serial)),
      },
      {
        name: `db verify peak memory, ${ROWS} rows per side (process max RSS)`,
        value: peak,
        unit: "MiB",
        goal: "< 256 MiB",
        met: peak < 256,
      },
      {
        name: "db verify peak memory over the CLI's own (db verify --help, same run)",
        value: peak - bare.maxRssMiB,
        unit: "MiB",
      },
    ];
    return results;
  } finally {
    await Promise.allSettled(
      clients.map((c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)),
    );
    await Promise.allSettled(clients.map((c) => c.end()));
  }
};
