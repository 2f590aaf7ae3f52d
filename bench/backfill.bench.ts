/**
 * Backfill (`stepwise db backfill`) of 1M rows on the real test PostgreSQL (the legacy and
 * target databases stand in for PostgreSQL and Citus; both are on this machine's one server,
 * sharing its 2 cores with everything else running).
 *
 * Baseline, same run: a plain `psql -c 'COPY … TO STDOUT' | psql -c 'COPY … FROM STDIN'` of
 * the same table into the same empty target table (primary key in place, as for the
 * backfill). The backfill is the library call the CLI makes (tools/database/backfill.ts), with
 * its defaults (chunks of 10,000 rows, a checkpoint fsync'd twice per chunk, every inserted
 * row checked against the source for deletes), timed from connecting to the report; the
 * target table is emptied (TRUNCATE) before each copy. One warm-up round of each first (not
 * counted), then copy and backfill alternate, so drift of this shared machine's speed cancels
 * out; goal ≥ 0.5× the COPY pipe's throughput, judged on the median of the rounds' own ratios.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { endpoints, postgresUrlOf, startServices } from "../test/services/manager";
import { postgresBinDir } from "../test/services/prerequisites";
import { backfill } from "../tools/database/backfill";
import type { Bench, BenchResult } from "./result";

const ROWS = Number(process.env.BACKFILL_BENCH_ROWS ?? 1_000_000);
const ROUNDS = 3;
const SCHEMA = `bench_backfill_${Date.now().toString(36)}`;
const TABLE = `${SCHEMA}.orders`;
const COLUMNS = `(id bigint PRIMARY KEY, customer text, total numeric(12,2),
                  placed timestamptz, paid boolean)`;

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Database {
  readonly url: string;
  readonly name: string;
  readonly client: Client;
}

/** `psql COPY TO STDOUT | psql COPY FROM STDIN`, in seconds. */
async function copyPipe(
  source: Database,
  target: Database,
  pg: ReturnType<typeof endpoints>["postgres"],
): Promise<number> {
  const psql = join(postgresBinDir(), "psql");
  const env = { ...process.env, PGPASSWORD: pg.password };
  const args = (db: string, sql: string) => [
    "-X",
    "-q",
    "-v",
    "ON_ERROR_STOP=1",
    "-h",
    pg.host,
    "-p",
    String(pg.port),
    "-U",
    pg.user,
    "-d",
    db,
    "-c",
    sql,
  ];
  const started = performance.now();
  const out = spawn(psql, args(source.name, `COPY ${TABLE} TO STDOUT`), {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const into = spawn(psql, args(target.name, `COPY ${TABLE} FROM STDIN`), {
    env,
    stdio: ["pipe", "ignore", "inherit"],
  });
  out.stdout.pipe(into.stdin);
  const exit = (child: ReturnType<typeof spawn>, what: string) =>
    new Promise<void>((done, fail) =>
      child.on("exit", (code) =>
        code === 0 ? done() : fail(new Error(`${what} exited with ${code}`)),
      ),
    );
  await Promise.all([exit(out, "psql COPY TO"), exit(into, "psql COPY FROM")]);
  return (performance.now() - started) / 1000;
}

async function targetRows(target: Database): Promise<number> {
  const { rows } = await target.client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${TABLE}`,
  );
  return rows[0]?.n ?? 0;
}

export const run: Bench = async (log) => {
  log("starting (or reusing) the test services");
  const { state } = await startServices(log);
  const pg = endpoints(state).postgres;
  const database = async (name: string): Promise<Database> => {
    const url = postgresUrlOf(pg, name);
    const client = new Client({ connectionString: url });
    await client.connect();
    return { url, name, client };
  };
  const source = await database(pg.databases.legacy);
  const target = await database(pg.databases.target);
  const folder = mkdtempSync(join(tmpdir(), "stepwise-bench-backfill-"));
  try {
    const setupStarted = performance.now();
    for (const side of [source, target]) {
      await side.client.query(`CREATE SCHEMA ${SCHEMA}`);
      await side.client.query(`CREATE TABLE ${TABLE} ${COLUMNS}`);
    }
    await source.client.query(
      `INSERT INTO ${TABLE}
       SELECT i, 'customer ' || i, (i * 1.25) % 100000,
              timestamptz '2026-11-01 00:00:00+00' + i * interval '1 second', i % 3 = 0
       FROM generate_series(1, ${ROWS}) AS i`,
    );
    await source.client.query(`VACUUM ANALYZE ${TABLE}`);
    log(`${ROWS} rows created in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    const rounds: { copy: number; backfill: number }[] = [];
    // Round 0 is a warm-up, not counted: V8 still compiles and the servers' caches fill then.
    for (let round = 0; round <= ROUNDS; round++) {
      await target.client.query(`TRUNCATE ${TABLE}`);
      const copy = await copyPipe(source, target, pg);
      if ((await targetRows(target)) !== ROWS) throw new Error("the COPY pipe lost rows");
      await target.client.query(`TRUNCATE ${TABLE}`);
      const report = await backfill({
        source: source.url,
        target: target.url,
        tables: [TABLE],
        chunkRows: 10_000,
        checkpointFile: join(folder, `round-${round}.json`),
        resume: false,
      });
      if ((await targetRows(target)) !== ROWS || !report.complete) {
        throw new Error(`the backfill copied ${await targetRows(target)} of ${ROWS} rows`);
      }
      if (round > 0) rounds.push({ copy, backfill: report.seconds });
      log(
        `${round === 0 ? "warm-up (not counted)" : `round ${round}`}: COPY pipe ${copy.toFixed(2)} s (${Math.round(ROWS / copy)} rows/s); ` +
          `backfill ${report.seconds.toFixed(2)} s (${Math.round(ROWS / report.seconds)} rows/s), ` +
          `ratio ${(copy / report.seconds).toFixed(2)}×`,
      );
    }
    const ratio = median(rounds.map((r) => r.copy / r.backfill));
    const results: BenchResult[] = [
      {
        name: `db backfill throughput, ${ROWS} rows, chunks of 10,000, median of ${ROUNDS} rounds' ratios`,
        value: median(rounds.map((r) => ROWS / r.backfill)),
        unit: "rows/s",
        baseline: {
          name: "psql COPY TO STDOUT | psql COPY FROM STDIN, same table",
          value: median(rounds.map((r) => ROWS / r.copy)),
        },
        ratio,
        goal: "≥ 0.5× baseline",
        met: ratio >= 0.5,
      },
    ];
    return results;
  } finally {
    for (const side of [source, target]) {
      await side.client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
      await side.client.end();
    }
    rmSync(folder, { recursive: true, force: true });
  }
};
