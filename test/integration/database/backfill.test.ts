import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfill, type BackfillReport } from "../../../tools/database/backfill";
import {
  databaseIdentity,
  type BackfillCheckpoint,
} from "../../../tools/database/backfill-checkpoint";
import { runCli } from "../support/cli";
import { postgres, postgresUrl, services, uniqueName } from "../support/services";

// The backfill on the real test PostgreSQL: stepwise_legacy stands in for the old PostgreSQL
// (the source), stepwise_target for Citus. Each test has its own tables in one schema.
const schema = uniqueName("backfill").replaceAll("-", "_");
const dir = mkdtempSync(join(tmpdir(), "stepwise-backfill-"));
const SOURCE = "STEPWISE_TEST_BACKFILL_SOURCE";
const TARGET = "STEPWISE_TEST_BACKFILL_TARGET";
const repo = resolve(__dirname, "..", "..", "..");
let legacy: Client;
let citus: Client;

const url = postgresUrl;

const ITEMS = `(id bigint PRIMARY KEY, name text, version int NOT NULL, amount numeric(12,2),
                at timestamptz, tags text[])`;
const LINES = `(order_id bigint, line int, sku text, qty int, PRIMARY KEY (order_id, line))`;

/** Creates `table` with `columns` on both sides. */
async function bothSides(table: string, columns: string): Promise<void> {
  for (const client of [legacy, citus]) {
    await client.query(`CREATE TABLE ${schema}.${table} ${columns}`);
  }
}

async function fillItems(table: string, rows: number): Promise<void> {
  await legacy.query(
    `INSERT INTO ${schema}.${table}
     SELECT i, 'item "' || i || '", with comma', 1, i * 1.25,
            timestamptz '2026-11-01 00:00:00.123456+00' + i * interval '1 second',
            ARRAY['a,b', NULL, 'c"' || i]
     FROM generate_series(1, ${rows}) AS i`,
  );
}

async function fillLines(table: string, orders: number): Promise<void> {
  await legacy.query(
    `INSERT INTO ${schema}.${table}
     SELECT o, l, 'sku-' || o || '-' || l, o * l FROM generate_series(1, ${orders}) AS o,
            generate_series(1, 5) AS l`,
  );
}

/** Row count and a digest of every row's text in key order. */
async function contents(client: Client, table: string, key: string): Promise<[number, string]> {
  const { rows } = await client.query<{ n: number; digest: string }>(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY ${key}), '')) AS digest
     FROM ${schema}.${table} t`,
  );
  return [rows[0].n, rows[0].digest];
}

async function expectSameRows(table: string, key: string): Promise<void> {
  const [source, target] = await Promise.all([
    contents(legacy, table, key),
    contents(citus, table, key),
  ]);
  expect(target).toEqual(source);
}

const readCheckpoint = (file: string) =>
  JSON.parse(readFileSync(file, "utf8")) as BackfillCheckpoint;

/**
 * Runs `stepwise <args>` in a process of its own and sends it `signal` once the checkpoint
 * shows 2,000 rows of `table` read; its exit code (null when killed) and stderr.
 */
async function signalMidway(
  args: readonly string[],
  checkpoint: string,
  table: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tools/cli/main.ts", ...args], {
    cwd: repo,
    env: process.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const deadline = Date.now() + 60_000;
  let read = 0;
  while (read < 2000 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    if (existsSync(checkpoint)) read = readCheckpoint(checkpoint).progress[table]?.rowsRead ?? 0;
  }
  child.kill(signal);
  return { code: await exited, stderr };
}

const cli = (...args: string[]) =>
  runCli("db", "backfill", "--source", SOURCE, "--target", TARGET, ...args);

beforeAll(async () => {
  process.env[SOURCE] = url("legacy");
  process.env[TARGET] = url("target");
  legacy = await postgres("legacy");
  citus = await postgres("target");
  await Promise.all([
    legacy.query(`CREATE SCHEMA ${schema}`),
    citus.query(`CREATE SCHEMA ${schema}`),
  ]);
});

afterAll(async () => {
  delete process.env[SOURCE];
  delete process.env[TARGET];
  await Promise.all([
    legacy.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
    citus.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  ]);
  await Promise.all([legacy.end(), citus.end()]);
});

describe("stepwise db backfill, killed midway and resumed", () => {
  it("copies every row exactly once across the kill (single and composite keys)", async () => {
    await bothSides("killed_items", ITEMS);
    await bothSides("killed_lines", LINES);
    await fillItems("killed_items", 12_000);
    await fillLines("killed_lines", 600); // 3,000 rows; chunks of 100 split orders' lines
    const checkpoint = join(dir, "killed.json");
    const args = [
      "db",
      "backfill",
      "--source",
      SOURCE,
      "--target",
      TARGET,
      "--table",
      `${schema}.killed_items`,
      `${schema}.killed_lines`,
      "--chunk",
      "100",
      "--checkpoint",
      checkpoint,
    ];
    // The real CLI in its own process, killed with SIGKILL: no handler runs, no chunk finishes.
    expect(await signalMidway(args, checkpoint, `${schema}.killed_items`, "SIGKILL")).toEqual({
      code: null,
      stderr: expect.any(String) as string,
    });
    const atKill = readCheckpoint(checkpoint).progress[`${schema}.killed_items`];
    expect(atKill.done).toBe(false);
    expect(atKill.rowsRead).toBeGreaterThanOrEqual(2000);
    const copiedAtKill = (await contents(citus, "killed_items", "id"))[0];
    expect(copiedAtKill).toBeLessThan(12_000);

    const resumed = await cli(
      "--table",
      `${schema}.killed_items`,
      `${schema}.killed_lines`,
      "--chunk",
      "100",
      "--checkpoint",
      checkpoint,
      "--resume",
      "--json",
    );
    expect(resumed.err).toBe("");
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.out) as BackfillReport;
    expect(report.resumed).toBe(true);
    expect(report.complete).toBe(true);
    // Counted across both runs, each row once: the resume went on from the checkpoint.
    expect(report.tables.map((t) => [t.table, t.rowsRead])).toEqual([
      [`${schema}.killed_items`, 12_000],
      [`${schema}.killed_lines`, 3000],
    ]);
    await expectSameRows("killed_items", "id");
    await expectSameRows("killed_lines", "order_id, line");

    // Finished: a run without --resume is refused, a resume has nothing left to copy.
    const again = await cli(
      "--table",
      `${schema}.killed_items`,
      `${schema}.killed_lines`,
      "--checkpoint",
      checkpoint,
    );
    expect(again.code).toBe(2);
    expect(again.err).toContain("a finished backfill");
    expect(again.err).toContain("--resume");
  });

  it("stops after the chunk in hand on Ctrl-C, exit 1, and resumes from there", async () => {
    await bothSides("interrupted", ITEMS);
    await fillItems("interrupted", 8000);
    const checkpoint = join(dir, "interrupted.json");
    const table = `${schema}.interrupted`;
    const args = ["--table", table, "--chunk", "100", "--checkpoint", checkpoint];
    const base = ["db", "backfill", "--source", SOURCE, "--target", TARGET];
    const stopped = await signalMidway([...base, ...args], checkpoint, table, "SIGINT");
    expect(stopped.code).toBe(1);
    const atStop = readCheckpoint(checkpoint).progress[table];
    expect(atStop.done).toBe(false);
    // Stopped between chunks: everything up to the checkpoint's key is there, nothing after it.
    const { rows } = await citus.query<{ n: number; last: string }>(
      `SELECT count(*)::int AS n, max(id)::text AS last FROM ${table}`,
    );
    expect(rows[0]).toEqual({ n: atStop.rowsRead, last: atStop.lastKey?.[0] });
    const resumed = await cli("--table", table, "--checkpoint", checkpoint, "--resume");
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain("(resumed): complete");
    await expectSameRows("interrupted", "id");
  });

  it("checks the rows a killed run copied past its checkpoint and removes what the source deleted", async () => {
    await bothSides("flight", ITEMS);
    await fillItems("flight", 100);
    // As a run killed after copying rows 1..60 and 100 leaves it, with its checkpoint at 50 —
    // and rows 55 and 100 deleted on the source meanwhile (their deletes mirrored before).
    const { rows } = await legacy.query<{ row: string }>(
      `SELECT t::text AS row FROM ${schema}.flight t WHERE id <= 60 OR id = 100`,
    );
    for (const { row } of rows) {
      await citus.query(`INSERT INTO ${schema}.flight SELECT ($1::${schema}.flight).*`, [row]);
    }
    await legacy.query(`DELETE FROM ${schema}.flight WHERE id IN (55, 100)`);
    const checkpoint = join(dir, "flight.json");
    const table = `${schema}.flight`;
    const killed: BackfillCheckpoint = {
      kind: "stepwise-backfill-checkpoint",
      version: 1,
      source: databaseIdentity(url("legacy")),
      target: databaseIdentity(url("target")),
      tables: [table],
      updatedAt: new Date().toISOString(),
      progress: {
        [table]: {
          lastKey: ["50"],
          rowsRead: 50,
          rowsInserted: 50,
          rowsRemoved: 0,
          done: false,
        },
      },
    };
    writeFileSync(checkpoint, JSON.stringify(killed));
    const report = await backfill({
      source: url("legacy"),
      target: url("target"),
      tables: [table],
      chunkRows: 10,
      checkpointFile: checkpoint,
      resume: true,
    });
    expect(report.tables[0]).toMatchObject({ rowsRead: 98, rowsRemoved: 2, done: true });
    await expectSameRows("flight", "id");
  });
});

describe("stepwise db backfill, keys of any text", () => {
  it("pages through keys with tabs, newlines, backslashes and quotes", async () => {
    await bothSides("odd_keys", "(k text, n int, PRIMARY KEY (k, n))");
    await legacy.query(
      `INSERT INTO ${schema}.odd_keys
       SELECT k, n FROM unnest(ARRAY[E'a\\tb', E'line\\nbreak', E'back\\\\slash', 'quote''s', '"dq"',
                                     'café ✓', E'\\\\N', '', ' lead', 'z']) AS k, generate_series(1, 3) AS n`,
    );
    const report = await backfill({
      source: url("legacy"),
      target: url("target"),
      tables: [`${schema}.odd_keys`],
      chunkRows: 2, // chunk ends fall on every kind of key
      checkpointFile: join(dir, "odd.json"),
      resume: false,
    });
    expect(report.tables[0]).toMatchObject({ rowsRead: 30, rowsInserted: 30, done: true });
    await expectSameRows("odd_keys", "k, n");
  });
});

describe("stepwise db backfill beside a dual writer", () => {
  /** What a dual writer does: the write on the source, then the same row state on the target. */
  async function mirrorUpsert(table: string, rowText: string): Promise<void> {
    await citus.query(
      `INSERT INTO ${schema}.${table} SELECT (($1::${schema}.${table})).*
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, version = EXCLUDED.version,
         amount = EXCLUDED.amount, at = EXCLUDED.at, tags = EXCLUDED.tags`,
      [rowText],
    );
  }

  async function update(table: string, id: number): Promise<void> {
    const { rows } = await legacy.query<{ row: string }>(
      `UPDATE ${schema}.${table} t SET version = version + 1, name = 'updated ' || version
       WHERE id = $1 RETURNING t::text AS row`,
      [id],
    );
    if (rows[0]) await mirrorUpsert(table, rows[0].row);
  }

  async function remove(table: string, id: number): Promise<void> {
    await legacy.query(`DELETE FROM ${schema}.${table} WHERE id = $1`, [id]);
    await citus.query(`DELETE FROM ${schema}.${table} WHERE id = $1`, [id]);
  }

  async function insert(table: string, id: number): Promise<void> {
    const { rows } = await legacy.query<{ row: string }>(
      `INSERT INTO ${schema}.${table} AS t VALUES ($1, 'inserted', 1, 9.99, now(), '{}')
       ON CONFLICT (id) DO NOTHING RETURNING t::text AS row`,
      [id],
    );
    if (rows[0]) await mirrorUpsert(table, rows[0].row);
  }

  it("keeps newer mirrored rows and does not bring back deleted ones", async () => {
    const ROWS = 8000;
    const CHUNK = 250;
    await bothSides("live_items", ITEMS);
    await bothSides("live_lines", LINES);
    await fillItems("live_items", ROWS);
    await fillLines("live_lines", 400);
    let position = 0;
    let finished = false;
    let writes = 0;
    // Writes land just ahead of the backfill, where its chunks are read but not yet written
    // (the first two chunks are left to the staged race below).
    const writer = (async () => {
      let n = 0;
      while (!finished) {
        const id = position + 1 + ((n * 7919) % (CHUNK * 3));
        n += 1;
        if (id <= 2 * CHUNK) continue;
        const op = n % 4;
        if (op === 0) await remove("live_items", id);
        else if (op === 1) await insert("live_items", id);
        else await update("live_items", id);
        writes += 1;
      }
    })();
    let staged = false;
    const report = await backfill({
      source: url("legacy"),
      target: url("target"),
      tables: [`${schema}.live_items`, `${schema}.live_lines`],
      chunkRows: CHUNK,
      checkpointFile: join(dir, "live.json"),
      resume: false,
      onProgress: (done) => {
        position = done;
      },
      onChunkRead: async (_, lastKey) => {
        if (lastKey[0] !== String(2 * CHUNK) || staged) return;
        staged = true;
        // Chunk 251..500 is read, not yet written: row 300 is deleted and row 310 updated on
        // the source and mirrored now, before the chunk's older copies reach the target.
        await remove("live_items", 300);
        await update("live_items", 310);
      },
    });
    finished = true;
    await writer;
    expect(staged).toBe(true);
    expect(writes).toBeGreaterThan(0);
    expect(report.complete).toBe(true);
    const items = report.tables.find((t) => t.table.endsWith("live_items"))!;
    expect(items.rowsRemoved).toBeGreaterThanOrEqual(1);
    const { rows } = await citus.query<{ id: string; version: number }>(
      `SELECT id, version FROM ${schema}.live_items WHERE id IN (300, 310) ORDER BY id`,
    );
    expect(rows).toEqual([{ id: "310", version: 2 }]);
    await expectSameRows("live_items", "id");
    await expectSameRows("live_lines", "order_id, line");
  });
});

describe("stepwise db backfill refuses what it cannot copy", () => {
  beforeAll(async () => {
    await bothSides("plain", ITEMS);
    await bothSides("no_key", "(id bigint, name text)");
    await legacy.query(
      `CREATE TABLE ${schema}.shifted (id bigint PRIMARY KEY, amount numeric(10,2))`,
    );
    await citus.query(`CREATE TABLE ${schema}.shifted (id bigint PRIMARY KEY, amount float8)`);
    await legacy.query(`CREATE TABLE ${schema}.only_old (id bigint PRIMARY KEY)`);
  });

  const refused = async (args: string[], ...messages: string[]) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    for (const message of messages) expect(run.err).toContain(message);
    expect(run.err).not.toContain(services().postgres.password);
    return run;
  };

  it("a table missing on the target", async () => {
    await refused(
      ["--table", `${schema}.only_old`, "--checkpoint", join(dir, "r1.json")],
      `table ${schema}.only_old does not exist on the target`,
    );
  });

  it("a table without a primary key", async () => {
    await refused(
      ["--table", `${schema}.no_key`, "--checkpoint", join(dir, "r2.json")],
      `table ${schema}.no_key on the source`,
      "has no primary key",
    );
  });

  it("columns of other types on the two sides", async () => {
    await refused(
      ["--table", `${schema}.shifted`, "--checkpoint", join(dir, "r3.json")],
      `table ${schema}.shifted: columns differ`,
      "amount numeric(10,2)",
      "amount double precision",
    );
    expect((await contents(citus, "shifted", "id"))[0]).toBe(0);
  });

  it("a resume from a checkpoint of another table set, or with none", async () => {
    const file = join(dir, "other.json");
    const first = await cli("--table", `${schema}.plain`, "--checkpoint", file);
    expect(first.code).toBe(0);
    await refused(
      ["--table", `${schema}.plain`, `${schema}.shifted`, "--checkpoint", file, "--resume"],
      "belongs to another backfill",
      `its tables are ${schema}.plain`,
    );
    await refused(
      ["--table", `${schema}.plain`, "--checkpoint", join(dir, "none.json"), "--resume"],
      "there is no checkpoint",
    );
  });

  it("a server that does not answer, with the password withheld", async () => {
    const run = await runCli(
      "db",
      "backfill",
      "--source",
      "postgres://someone:hunter2@127.0.0.1:1/nothing",
      "--target",
      TARGET,
      "--table",
      "plain",
      "--checkpoint",
      join(dir, "r5.json"),
      "--connect-timeout",
      "2",
    );
    expect(run.code).toBe(2);
    expect(run.err).toContain("cannot connect to the source 127.0.0.1:1/nothing");
    expect(run.err).not.toContain("hunter2");
  });
});
