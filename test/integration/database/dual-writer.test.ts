import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DualWriter, type DualWriterOptions } from "../../../tools/database/dual-writer";
import { replayLog } from "../../../tools/database/log-replay";
import { verifyDatabases } from "../../../tools/database/verify-databases";
import { ReplayLog, ReplayLogMismatchError } from "../../../tools/database/replay-log";
import { runCli } from "../support/cli";
import { postgres, postgresUrl, services, uniqueName } from "../support/services";
import { TcpProxy } from "../support/tcp-proxy";
import { Client as PgClient } from "pg";
import { applyRowChanges, STABLE_TEXT_OPTIONS } from "../../../tools/database/mirror-apply";
import type { RowChange } from "../../../tools/database/row-change";
import { readKeyedShapes } from "../../../tools/database/table-shape";

// The dual writer on the real test PostgreSQL: stepwise_legacy stands in for the old PostgreSQL
// (the source of truth), stepwise_target for Citus. The writer reaches the target through a TCP
// proxy the tests cut and restore, so the link really fails.
const schema = uniqueName("dualwrite").replaceAll("-", "_");
const ACCOUNTS = `${schema}.accounts`;
const LINES = `${schema}.order_lines`;
const TABLES = [ACCOUNTS, LINES];
const SOURCE_ENV = "STEPWISE_TEST_DUAL_SOURCE";
const TARGET_ENV = "STEPWISE_TEST_DUAL_TARGET";
let legacy: Client;
let target: Client;
let proxy: TcpProxy;
let legacyUrl: string;
let targetUrl: string;
const writers: DualWriter[] = [];

const logDir = () => mkdtempSync(join(tmpdir(), "stepwise-replay-log-"));

async function createTables(client: Client): Promise<void> {
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`
    CREATE TABLE ${ACCOUNTS} (id bigint PRIMARY KEY, name text, balance numeric(12,2),
      updated timestamptz, tags text[], data jsonb, raw bytea, ratio double precision);
    CREATE TABLE ${LINES} (order_id bigint, line int, sku text, qty int,
      PRIMARY KEY (order_id, line));`);
}

/** A writer from the legacy database (truth) to the target through the proxy. */
async function openWriter(options: Partial<DualWriterOptions> = {}): Promise<DualWriter> {
  const writer = new DualWriter({
    primary: legacyUrl,
    secondary: proxy.route(targetUrl),
    tables: TABLES,
    replayLogDir: logDir(),
    replayIntervalMs: 100,
    ...options,
  });
  writers.push(writer);
  await writer.open();
  return writer;
}

/** The chunked verification (db verify) finds no difference in the schema's tables. */
async function expectInStep(source = legacyUrl, other = targetUrl): Promise<void> {
  const report = await verifyDatabases({
    source,
    target: other,
    schemas: [schema],
    timeouts: { connectMs: 5000, statementMs: 30_000 },
  });
  const differences = report.tables.map((t) => ({
    table: t.table,
    missing: t.missing.keys,
    extra: t.extra.keys,
    changed: t.changed.keys,
  }));
  expect(differences).toEqual(
    TABLES.map((table) => ({ table, missing: [], extra: [], changed: [] })),
  );
  expect(report.equal).toBe(true);
  // Two empty sides would prove nothing.
  expect(report.tables.reduce((rows, t) => rows + t.source.rows, 0)).toBeGreaterThan(0);
}

async function clearTables(): Promise<void> {
  for (const client of [legacy, target]) await client.query(`TRUNCATE ${ACCOUNTS}, ${LINES}`);
}

/** Writes of every kind on both tables; counts the calls that rejected. */
async function workload(writer: DualWriter, from: number, count: number): Promise<number> {
  let errors = 0;
  for (let i = from; i < from + count; i++) {
    try {
      const id = i % 50; // the same rows again and again: updates, deletes, re-inserts
      switch (i % 5) {
        case 0:
        case 1:
          await writer.upsert(ACCOUNTS, {
            id,
            name: `account ${i}: it's a \\ back\\slash, "quoted", $1`,
            balance: (i * 1.25).toFixed(2),
            updated: `2026-12-07 10:00:00.${String(i % 1_000_000).padStart(6, "0")}+00`,
            tags: [`t${i}`, "a,b"],
            data: { i, nested: { quote: "it's" } },
            raw: Buffer.from([i % 256, 0, 255]),
            ratio: i / 7,
          });
          break;
        case 2:
          await writer.write(
            ACCOUNTS,
            `UPDATE ${ACCOUNTS} SET balance = balance + 1, name = name || '+' WHERE id = $1 RETURNING *`,
            [id],
          );
          break;
        case 3:
          await writer.delete(ACCOUNTS, { id: (id + 7) % 50 });
          break;
        case 4:
          await writer.transaction(async (tx) => {
            await tx.upsert(LINES, { order_id: id, line: i % 3, sku: `sku-${i}`, qty: i });
            await tx.write(
              LINES,
              `DELETE FROM ${LINES} WHERE order_id = $1 AND line = $2 RETURNING *`,
              [(id + 3) % 50, (i + 1) % 3],
            );
          });
          break;
      }
    } catch {
      errors++;
    }
  }
  return errors;
}

/** `stepwise db replay` of the log in `dir`, from the legacy database onto the target. */
const replayCli = (dir: string, ...extra: string[]) =>
  runCli("db", "replay", "--log", dir, "--source", SOURCE_ENV, "--target", TARGET_ENV, ...extra);

beforeAll(async () => {
  const s = services().postgres;
  legacyUrl = postgresUrl("legacy");
  targetUrl = postgresUrl("target");
  process.env[SOURCE_ENV] = legacyUrl;
  process.env[TARGET_ENV] = targetUrl;
  legacy = await postgres("legacy");
  target = await postgres("target");
  await createTables(legacy);
  await createTables(target);
  proxy = await TcpProxy.start(s.host, s.port);
});

afterEach(async () => {
  await proxy.restore();
  await Promise.allSettled(writers.splice(0).map((w) => w.close(1000)));
  await clearTables();
});

afterAll(async () => {
  await proxy?.stop();
  for (const client of [legacy, target]) {
    await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client?.end();
  }
});

describe("dual writer", () => {
  it("keeps the target in step while healthy, in the same call", async () => {
    const writer = await openWriter();
    expect(await workload(writer, 0, 200)).toBe(0);
    expect(writer.state).toMatchObject({ secondaryHealthy: true, waiting: 0, spooled: 0 });
    expect(writer.state.mirrored).toBeGreaterThan(0);
    await expectInStep();
  });

  it("keeps writing while the link to the target is cut, replays once it is back", async () => {
    const writer = await openWriter();
    let errors = await workload(writer, 0, 100);
    await proxy.cut("refuse");
    errors += await workload(writer, 100, 300);
    expect(writer.state.secondaryHealthy).toBe(false);
    expect(writer.state.waiting).toBeGreaterThan(0);
    expect(writer.state.lastSecondaryError).not.toContain(services().postgres.password);
    await proxy.restore();
    errors += await workload(writer, 400, 100);
    expect(await writer.drain(30_000)).toBe(true);
    expect(errors).toBe(0);
    expect(writer.state).toMatchObject({ secondaryHealthy: true, waiting: 0, lost: 0 });
    expect(writer.state.replayed).toBeGreaterThan(0);
    await expectInStep();
  });

  it("starts while the target is down and catches it up once it is back", async () => {
    await proxy.cut("refuse");
    const writer = await openWriter();
    expect(writer.state.secondaryHealthy).toBe(false);
    expect(await workload(writer, 0, 50)).toBe(0);
    expect(writer.state.mirrored).toBe(0);
    await proxy.restore();
    expect(await writer.drain()).toBe(true);
    expect(writer.state.secondaryHealthy).toBe(true);
    await expectInStep();
  });

  it("does not wait on a target that stopped answering for longer than its timeouts", async () => {
    const writer = await openWriter({ secondaryTimeouts: { connectMs: 500, statementMs: 500 } });
    await proxy.cut("silence");
    const errors = await workload(writer, 0, 40);
    expect(errors).toBe(0);
    expect(writer.state.secondaryFailures).toBeGreaterThanOrEqual(1);
    await proxy.restore();
    expect(await writer.drain(30_000)).toBe(true);
    await expectInStep();
  });

  it("passes the source's own refusal through and mirrors nothing of it", async () => {
    const writer = await openWriter();
    await writer.upsert(ACCOUNTS, { id: 1, name: "one" });
    await expect(
      writer.write(ACCOUNTS, `INSERT INTO ${ACCOUNTS} (id, name) VALUES (1, 'again') RETURNING *`),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      writer.transaction(async (tx) => {
        await tx.upsert(ACCOUNTS, { id: 2, name: "two" });
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(writer.state).toMatchObject({ primaryFailures: 2, waiting: 0 });
    const { rows } = await target.query(`SELECT id, name FROM ${ACCOUNTS} ORDER BY id`);
    expect(rows).toEqual([{ id: "1", name: "one" }]);
  });

  it("deletes on the target as tombstones, live and replayed, on composite keys too", async () => {
    const writer = await openWriter();
    await writer.upsert(ACCOUNTS, { id: 10, name: "kept" });
    await writer.upsert(ACCOUNTS, { id: 11, name: "deleted live" });
    await writer.upsert(ACCOUNTS, { id: 12, name: "deleted while cut" });
    await writer.upsert(LINES, { order_id: 5, line: 1, sku: "a", qty: 1 });
    await writer.upsert(LINES, { order_id: 5, line: 2, sku: "b", qty: 2 });
    expect(await writer.delete(ACCOUNTS, { id: 11 })).toBe(1);
    await proxy.cut("refuse");
    expect(await writer.delete(ACCOUNTS, { id: 12 })).toBe(1);
    expect(await writer.delete(LINES, { order_id: 5, line: 2 })).toBe(1);
    const before = await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ACCOUNTS}`);
    expect(before.rows[0].n).toBe(2); // 12 still there: the delete waits in the log
    await proxy.restore();
    expect(await writer.drain()).toBe(true);
    const { rows } = await target.query(`SELECT id FROM ${ACCOUNTS} ORDER BY id`);
    expect(rows).toEqual([{ id: "10" }]);
    const lines = await target.query(`SELECT order_id, line FROM ${LINES}`);
    expect(lines.rows).toEqual([{ order_id: "5", line: 1 }]);
  });

  it("ends with the source's last row when writers of one row race", async () => {
    // Two writers (two service instances), each with its own log, update the same rows at once:
    // their mirrors cross, yet the older copy never lands last.
    const first = await openWriter();
    const second = await openWriter();
    const bump = (writer: DualWriter, id: number) =>
      writer.write(
        ACCOUNTS,
        `INSERT INTO ${ACCOUNTS} (id, balance) VALUES ($1, 1) ON CONFLICT (id) DO UPDATE SET balance = ${ACCOUNTS}.balance + 1 RETURNING *`,
        [id],
      );
    await Promise.all(
      [first, second].map(async (writer) => {
        for (let round = 0; round < 100; round++)
          await Promise.all([1, 2, 3].map((id) => bump(writer, id)));
      }),
    );
    const { rows } = await target.query(`SELECT balance FROM ${ACCOUNTS} ORDER BY id`);
    expect(rows).toEqual([{ balance: "200.00" }, { balance: "200.00" }, { balance: "200.00" }]);
    await expectInStep();
  });

  it("never lets an older copy land last when two mirrors of one row cross", async () => {
    // Mirror A reads the row (v1) and is held back before writing it; the row becomes v2 and
    // mirror B starts. B must wait for A's row lock on the target, then read v2: the target
    // ends with v2. (Without the lock B would write v2 first and A's v1 would land last.)
    await legacy.query(`INSERT INTO ${ACCOUNTS} (id, name) VALUES (1, 'v1')`);
    const shapes = new Map(
      (await readKeyedShapes(legacy, TABLES, "source")).map((shape) => [shape.table, shape]),
    );
    const change: RowChange = { table: ACCOUNTS, op: "upsert", key: ["1"] };
    const connect = async (url: string) => {
      const client = new PgClient({ connectionString: url, options: STABLE_TEXT_OPTIONS });
      await client.connect();
      return client;
    };
    const [sourceA, sourceB, targetA, targetB] = await Promise.all([
      connect(legacyUrl),
      connect(legacyUrl),
      connect(targetUrl),
      connect(targetUrl),
    ]);
    try {
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let read: () => void = () => undefined;
      const hasRead = new Promise<void>((resolve) => (read = resolve));
      const slowSource = {
        query: async (...args: Parameters<PgClient["query"]>) => {
          const result = await (sourceA.query as (...a: unknown[]) => Promise<unknown>)(...args);
          read();
          await held;
          return result;
        },
      } as unknown as PgClient;
      const mirrorA = applyRowChanges(slowSource, targetA, shapes, [change]);
      await hasRead;
      await legacy.query(`UPDATE ${ACCOUNTS} SET name = 'v2' WHERE id = 1`);
      let finishedB = false;
      const mirrorB = applyRowChanges(sourceB, targetB, shapes, [change]).then(() => {
        finishedB = true;
      });
      // Until B either finished or waits for A's lock.
      for (;;) {
        const { rows } = await target.query<{ waiting: number }>(
          "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        if (finishedB || rows[0].waiting > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      release();
      await Promise.all([mirrorA, mirrorB]);
      const { rows } = await target.query(`SELECT name FROM ${ACCOUNTS} WHERE id = 1`);
      expect(rows).toEqual([{ name: "v2" }]);
    } finally {
      await Promise.all([sourceA, sourceB, targetA, targetB].map((c) => c.end()));
    }
  });

  it("replays in order per key: the last of many changes to a row wins", async () => {
    const writer = await openWriter();
    await proxy.cut("refuse");
    for (let i = 1; i <= 50; i++) {
      await writer.upsert(ACCOUNTS, { id: 7, name: `version ${i}` });
      if (i % 10 === 0) await writer.delete(ACCOUNTS, { id: 7 });
    }
    await writer.upsert(ACCOUNTS, { id: 7, name: "final" });
    await proxy.restore();
    expect(await writer.drain()).toBe(true);
    const { rows } = await target.query(`SELECT name FROM ${ACCOUNTS} WHERE id = 7`);
    expect(rows).toEqual([{ name: "final" }]);
  });
});

describe("stepwise db replay", () => {
  /** A writer that wrote while the target was cut and was closed with its log full of changes. */
  async function leftLog(): Promise<string> {
    const dir = logDir();
    const writer = await openWriter({ replayLogDir: dir });
    await workload(writer, 0, 50);
    await proxy.cut("refuse");
    expect(await workload(writer, 50, 200)).toBe(0);
    await writer.close(0);
    await proxy.restore();
    expect(ReplayLog.manifest(dir)).toBeDefined();
    return dir;
  }

  it("drains a log left behind, and replaying it again changes nothing", async () => {
    const dir = await leftLog();
    const copy = mkdtempSync(join(tmpdir(), "stepwise-replay-copy-"));
    cpSync(dir, copy, { recursive: true });
    const run = await replayCli(dir, "--json");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out) as { replayed: number; waiting: number };
    expect(report.replayed).toBeGreaterThan(0);
    expect(report.waiting).toBe(0);
    await expectInStep();
    // The same changes once more (a copy taken before the first replay): same rows.
    const again = await replayCli(copy);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/replayed \d+ changes/);
    await expectInStep();
  });

  it("resumes a replay stopped midway from its cursor, and from the start if the cursor is lost", async () => {
    const dir = await leftLog();
    const manifest = ReplayLog.manifest(dir);
    const log = ReplayLog.open(dir, manifest as NonNullable<typeof manifest>);
    const total = log.waiting;
    const source = new PgClient({ connectionString: legacyUrl, options: STABLE_TEXT_OPTIONS });
    const sink = new PgClient({ connectionString: targetUrl, options: STABLE_TEXT_OPTIONS });
    await Promise.all([source.connect(), sink.connect()]);
    try {
      const shapes = await readKeyedShapes(source, TABLES, "source");
      let batches = 0;
      const partial = await replayLog(log, source, sink, new Map(shapes.map((s) => [s.table, s])), {
        batchSize: 20,
        stop: () => ++batches > 3, // "killed" after three batches
      });
      expect(partial.replayed).toBeGreaterThan(0);
      expect(partial.replayed).toBeLessThan(total);
    } finally {
      await log.close();
      await Promise.all([source.end(), sink.end()]);
    }
    const resumed = await replayCli(dir, "--json");
    expect(resumed.code).toBe(0);
    expect((JSON.parse(resumed.out) as { replayed: number }).replayed).toBeLessThan(total);
    await expectInStep();
    // A crash that lost the cursor: everything again, nothing doubled or lost.
    writeFileSync(join(dir, "spool.cursor.json"), JSON.stringify({ byteOffset: 0, replayed: 0 }));
    const rerun = await replayCli(dir, "--json");
    expect(rerun.code).toBe(0);
    expect((JSON.parse(rerun.out) as { replayed: number }).replayed).toBe(total);
    await expectInStep();
  });

  it("refuses a log of another table set or other databases", async () => {
    const dir = await leftLog();
    const otherTables = await replayCli(dir, "--table", ACCOUNTS);
    expect(otherTables.code).toBe(2);
    expect(otherTables.err).toContain(`holds changes of ${ACCOUNTS}(id), ${LINES}(order_id, line)`);
    const swapped = await runCli(
      "db",
      "replay",
      "--log",
      dir,
      "--source",
      TARGET_ENV,
      "--target",
      SOURCE_ENV,
    );
    expect(swapped.code).toBe(2);
    expect(swapped.err).toMatch(/written with .* as the source/);
    expect(swapped.err).not.toContain(services().postgres.password);
    const noLog = await replayCli(logDir());
    expect(noLog.code).toBe(2);
    expect(noLog.err).toContain("no replay log there");
    const badBatch = await replayCli(dir, "--batch", "0");
    expect(badBatch.code).toBe(2);
    expect(badBatch.err).toContain(
      '--batch "0" is not a count; give a whole number from 1 to 100000',
    );
    // A target nobody answers on (the proxy, cut): refused within the connect timeout, redacted.
    await proxy.cut("refuse");
    const unreachable = await runCli(
      "db",
      "replay",
      "--log",
      dir,
      "--source",
      SOURCE_ENV,
      "--target",
      proxy.route(targetUrl),
      "--connect-timeout",
      "2",
    );
    expect(unreachable.code).toBe(2);
    expect(unreachable.err).toMatch(
      /--target postgres:\/\/[^:]+:\*\*\*@127\.0\.0\.1:\d+\/\S+: .*ECONNREFUSED/,
    );
    expect(unreachable.err).not.toContain(services().postgres.password);
    await proxy.restore();
    const manifest = ReplayLog.manifest(dir);
    expect(() =>
      ReplayLog.open(dir, {
        ...(manifest as NonNullable<typeof manifest>),
        tables: [{ table: ACCOUNTS, key: ["id"] }],
      }),
    ).toThrow(ReplayLogMismatchError);
    expect(JSON.stringify(manifest)).not.toContain(services().postgres.password);
    expect(JSON.stringify(manifest)).not.toContain("@"); // no user in the recorded addresses
  });

  it("a full log: the source's writes still succeed, the loss is recorded and replay says so", async () => {
    const dir = logDir();
    const writer = await openWriter({ replayLogDir: dir, maxLogBytes: 2000 });
    await proxy.cut("refuse");
    const errors = await workload(writer, 0, 200);
    expect(errors).toBe(0);
    expect(writer.state.lost).toBeGreaterThan(0);
    expect(writer.state.overflow?.tables).toContain(ACCOUNTS);
    expect(writer.state.lastSecondaryError).toMatch(/full/);
    await writer.close(0);
    await proxy.restore();
    expect(existsSync(join(dir, "replay-log.overflow.json"))).toBe(true);
    const run = await replayCli(dir);
    expect(run.code).toBe(1);
    expect(run.err + run.out).toMatch(/overflowed.*db backfill/s);
  });
});

describe("role swap (citus-primary)", () => {
  it("keeps PostgreSQL in step with Citus as the source of truth, configured from the environment", async () => {
    const writer = DualWriter.fromEnv(
      { tables: TABLES, replayLogDir: logDir(), replayIntervalMs: 100 },
      {
        DATABASE_URL: targetUrl, // Citus: source of truth
        DATABASE_DUAL_WRITE_URL: proxy.route(legacyUrl), // PostgreSQL, kept in step
        DATABASE_READ_FROM: "citus",
        DATABASE_WRITE_TO: "citus,postgres",
      },
    );
    writers.push(writer);
    await writer.open();
    let errors = await workload(writer, 0, 60);
    await proxy.cut("refuse");
    errors += await workload(writer, 60, 60);
    await proxy.restore();
    expect(await writer.drain()).toBe(true);
    expect(errors).toBe(0);
    await expectInStep(targetUrl, legacyUrl);
  });

  it("refuses an environment that names a second system without its URL", () => {
    expect(() =>
      DualWriter.fromEnv(
        { tables: TABLES, replayLogDir: logDir() },
        {
          DATABASE_URL: legacyUrl,
          DATABASE_READ_FROM: "postgres",
          DATABASE_WRITE_TO: "postgres,citus",
        },
      ),
    ).toThrow(/DATABASE_DUAL_WRITE_URL is not set/);
  });
});
