import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gateRecordProblems } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import type { VerifyReport } from "../../../tools/database/verify-report";
import { runCli } from "../support/cli";
import { postgres, postgresUrl, services, uniqueName } from "../support/services";

// `stepwise db verify` on the real test PostgreSQL: stepwise_legacy stands in for PostgreSQL
// (the source), stepwise_target for Citus. One table of 1M rows, generated inside each server,
// serves the equal case and then the differences; small tables cover composite keys and the
// refusals.
const schema = uniqueName("verify").replaceAll("-", "_");
const dir = mkdtempSync(join(tmpdir(), "stepwise-verify-"));
const SOURCE = "STEPWISE_TEST_VERIFY_SOURCE";
const TARGET = "STEPWISE_TEST_VERIFY_TARGET";
const MILLION = 1_000_000;
let source: Client;
let target: Client;

const verify = (...extra: string[]) =>
  runCli("db", "verify", "--source", SOURCE, "--target", TARGET, "--schema", schema, ...extra);

function report(out: string): VerifyReport {
  return JSON.parse(out) as VerifyReport;
}

function gate(file: string): [string, GateRecord] {
  const entries = Object.entries(
    JSON.parse(readFileSync(file, "utf8")) as Record<string, GateRecord>,
  );
  expect(entries).toHaveLength(1);
  return entries[0];
}

async function createTables(client: Client): Promise<void> {
  // Unlogged and keyed after the insert: the lean way to a million rows; neither changes what
  // verification reads.
  await client.query(`
    CREATE SCHEMA ${schema};
    CREATE UNLOGGED TABLE ${schema}.orders (id bigint NOT NULL, customer text, total numeric(10,2),
                                            placed timestamptz, ratio double precision);
    INSERT INTO ${schema}.orders
      SELECT i, 'customer ' || i, (i * 1.25) % 100000,
             timestamptz '2026-11-01 00:00:00+00' + i * interval '1 minute', i / 7.0
      FROM generate_series(1, ${MILLION}) AS i;
    ALTER TABLE ${schema}.orders ADD PRIMARY KEY (id);
    CREATE TABLE ${schema}.order_lines (order_id bigint, line int, sku text, PRIMARY KEY (order_id, line));
    INSERT INTO ${schema}.order_lines
      SELECT i / 3 + 1, i % 3, 'sku-' || i FROM generate_series(0, 2999) AS i;
    -- Keys a JavaScript number would round: microseconds, text with a comma and a quote.
    CREATE TABLE ${schema}.visits (site text, at timestamptz, hits bigint, PRIMARY KEY (site, at));
    INSERT INTO ${schema}.visits
      SELECT CASE WHEN i % 2 = 0 THEN 'a, "b"' ELSE 'c' END,
             timestamptz '2026-11-01 00:00:00.000001+00' + i * interval '1.000001 second', i
      FROM generate_series(1, 500) AS i;
    CREATE TABLE ${schema}."Order Notes" ("Id" int PRIMARY KEY, "Body" text);
    INSERT INTO ${schema}."Order Notes" SELECT i, 'note ' || i FROM generate_series(1, 30) AS i;`);
}

beforeAll(async () => {
  process.env[SOURCE] = postgresUrl("legacy");
  process.env[TARGET] = postgresUrl("target");
  [source, target] = await Promise.all([postgres("legacy"), postgres("target")]);
  await Promise.all([createTables(source), createTables(target)]);
  // As autovacuum leaves a table: statistics (progress estimates) and the visibility map.
  await Promise.all([source, target].map((c) => c.query(`VACUUM ANALYZE ${schema}.orders`)));
}, 180_000);

afterAll(async () => {
  delete process.env[SOURCE];
  delete process.env[TARGET];
  await Promise.all(
    [source, target].map((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  );
  await Promise.all([source.end(), target.end()]);
});

describe("stepwise db verify", () => {
  it("finds 1M equal rows equal, with the checksum PostgreSQL computes by hand, and records data-verified", async () => {
    const record = join(dir, "equal.json");
    const result = await verify("--table", "orders", "--json", "--record", record);
    expect([result.code, result.err]).toEqual([0, ""]);
    const [table] = report(result.out).tables;
    const { rows } = await source.query<{ n: string; sum: string }>(
      `SELECT count(*) AS n, sum(hashtextextended(t::text, 0))::text AS sum FROM ${schema}.orders t`,
    );
    expect(table).toMatchObject({
      table: `${schema}.orders`,
      equal: true,
      source: { rows: MILLION, checksum: rows[0].sum },
      target: { rows: MILLION, checksum: rows[0].sum },
      chunks: 101, // 100 full ranges of 10000, then the open end
      differingChunks: 0,
    });
    const [id, gateRecord] = gate(record);
    expect(id).toBe("data-verified");
    expect(gateRecord).toMatchObject({ passed: true, check: "database verify" });
    expect(gateRecord.endpoints).toEqual([
      expect.stringMatching(/^postgres:\/\/stepwise:\*\*\*@.*\/stepwise_legacy$/),
      expect.stringMatching(/^postgres:\/\/stepwise:\*\*\*@.*\/stepwise_target$/),
    ]);
    expect(gateRecord.detail).toContain(
      `1 tables, ${MILLION} rows; all equal (row counts and checksums per key range): ${schema}.orders ${MILLION} rows, checksum ${rows[0].sum}`,
    );
    expect(gateRecordProblems("data-verified", gateRecord, new Date())).toEqual([]);
    expect(readFileSync(record, "utf8")).not.toContain(services().postgres.password);
  });

  it("names a changed, a missing and an extra row of 1M by key, never by content", async () => {
    await target.query(`
      UPDATE ${schema}.orders SET total = total + 0.01 WHERE id = 777777;
      DELETE FROM ${schema}.orders WHERE id = 424242;
      INSERT INTO ${schema}.orders VALUES (${MILLION + 1}, 'late', 1, now(), 0);`);
    const record = join(dir, "differences.json");
    const result = await verify("--table", "orders", "--rollback", "--record", record);
    expect(result.code).toBe(1);
    expect(result.out.split("\n").slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^  ${schema}\\.orders: DIFFERENT — source ${MILLION} rows \\(checksum -?\\d+\\), target ${MILLION} rows \\(checksum -?\\d+\\); 3 of 101 chunks differ$`,
        ),
      ),
      "    missing on the target (1): (424242)",
      `    extra on the target (1): (${MILLION + 1})`,
      "    changed (1): (777777)",
      "",
    ]);
    expect(result.out).not.toContain("customer 777777");
    const [id, gateRecord] = gate(record);
    expect(id).toBe("data-synced-back");
    expect(gateRecord.passed).toBe(false);
    expect(gateRecord.detail).toContain(`1 differ: ${schema}.orders 1 missing, 1 extra, 1 changed`);
    expect(gateRecordProblems("data-synced-back", gateRecord, new Date())).toEqual([]);
  });

  it("verifies composite keys exactly (microseconds, quoted text) and drills through small ranges", async () => {
    const equal = await verify("--table", "order_lines", "visits", "--chunk", "7", "--json");
    expect(equal.code).toBe(0);
    expect(report(equal.out).tables.map((t) => [t.table, t.source.rows, t.equal])).toEqual([
      [`${schema}.order_lines`, 3000, true],
      [`${schema}.visits`, 500, true],
    ]);
    // Rows only on the target, 40 of them between two keys of the source, and before its first.
    await target.query(`
      INSERT INTO ${schema}.order_lines SELECT 500, 100 + i, 'x' FROM generate_series(1, 40) AS i;
      INSERT INTO ${schema}.order_lines VALUES (0, 0, 'first');
      DELETE FROM ${schema}.order_lines WHERE (order_id, line) IN ((1000, 2), (3, 1));
      UPDATE ${schema}.visits SET hits = 0 WHERE site = 'a, "b"' AND hits = 250;`);
    const result = await verify(
      ...["--table", "order_lines", "visits", "--chunk", "7", "--show-keys", "3", "--json"],
    );
    expect(result.code).toBe(1);
    const [lines, visits] = report(result.out).tables;
    expect(lines).toMatchObject({
      source: { rows: 3000 },
      target: { rows: 3039 },
      missing: { count: 2, keys: ["(3,1)", "(1000,2)"] },
      extra: { count: 41, keys: ["(0,0)", "(500,101)", "(500,102)"] },
      changed: { count: 0, keys: [] },
    });
    expect(visits.changed).toEqual({
      count: 1,
      keys: [`("a, ""b""","2026-11-01 00:04:10.000251+00")`],
    });
    const text = await verify("--table", "order_lines", "--chunk", "7", "--show-keys", "3");
    expect(text.out).toContain(
      "    extra on the target (41): (0,0) (500,101) (500,102) … and 38 more",
    );
  });

  it("quotes names that need it (mixed case, spaces)", async () => {
    await target.query(`UPDATE ${schema}."Order Notes" SET "Body" = 'edited' WHERE "Id" = 12`);
    const result = await verify("--table", "Order Notes", "--chunk", "4", "--json");
    expect(result.code).toBe(1);
    expect(report(result.out).tables[0]).toMatchObject({
      table: `${schema}.Order Notes`,
      key: ["Id"],
      source: { rows: 30 },
      chunks: 8,
      changed: { count: 1, keys: ["(12)"] },
    });
  });

  it.each([
    [
      "a table without a primary key",
      `CREATE TABLE ${schema}.notes (body text)`,
      `CREATE TABLE ${schema}.notes (body text)`,
      "notes",
      `table ${schema}.notes on the source postgres://stepwise:***@`,
      "has no primary key; rows are matched by their key, so add one",
    ],
    [
      "other column types",
      `CREATE TABLE ${schema}.coupons (code text PRIMARY KEY, value numeric(10,2))`,
      `CREATE TABLE ${schema}.coupons (code text PRIMARY KEY, value double precision)`,
      "coupons",
      `table ${schema}.coupons: columns differ: source (code text, value numeric(10,2)), target (code text, value double precision)`,
      "make the target's columns match the source's",
    ],
    [
      "a table only on the source",
      `CREATE TABLE ${schema}.refunds (id int PRIMARY KEY)`,
      "SELECT 1",
      "refunds",
      `table ${schema}.refunds does not exist on the target postgres://stepwise:***@`,
      "create it there",
    ],
  ])(
    "refuses %s with exit 2 and says what to do",
    async (_, onSource, onTarget, table, ...said) => {
      await Promise.all([source.query(onSource), target.query(onTarget)]);
      const result = await verify("--table", table);
      expect(result.code).toBe(2);
      for (const part of said) expect(result.err).toContain(part);
      expect(result.out).toBe("");
    },
  );

  it("gives up on a server that never answers, naming the side, and never hangs", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const result = await runCli(
        ...["db", "verify", "--source", `postgres://u:topsecret@127.0.0.1:${port}/db`],
        ...["--target", TARGET, "--connect-timeout", "1"],
      );
      expect(result.code).toBe(2);
      expect(result.err).toBe(
        `stepwise: source postgres://u:***@127.0.0.1:${port}/db: timeout expired; no answer within 1 s; check the address and that the server runs, or raise --connect-timeout (or $STEPWISE_CONNECT_TIMEOUT)`,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("gives up on a statement that gets no answer (a table locked on the target)", async () => {
    const locker = await postgres("target");
    try {
      await locker.query(`BEGIN; LOCK TABLE ${schema}.visits IN ACCESS EXCLUSIVE MODE`);
      const result = await verify("--table", "visits", "--request-timeout", "1");
      expect(result.code).toBe(2);
      expect(result.err).toMatch(
        new RegExp(
          `^stepwise: target postgres://stepwise:\\*\\*\\*@[^ ]+/stepwise_target, table ${schema}\\.visits: canceling statement due to statement timeout; no answer within 1 s; .* raise --request-timeout`,
        ),
      );
    } finally {
      await locker.query("ROLLBACK");
      await locker.end();
    }
  });
});
