import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gateRecordProblems } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import type { CompareReport } from "../../../tools/postgres/database-compare";
import { runCli } from "../support/cli";
import { postgres, services, uniqueName } from "../support/services";

// `stepwise database compare` end to end on the real test PostgreSQL: stepwise_legacy stands in
// for PostgreSQL, stepwise_target for Citus, each with the same schema and, at first, the same
// rows. It records data-synced-back (--rollback) before reads go back to PostgreSQL.
const schema = uniqueName("compare").replaceAll("-", "_");
const dir = mkdtempSync(join(tmpdir(), "stepwise-compare-"));
const SOURCE = "STEPWISE_TEST_COMPARE_SOURCE";
const TARGET = "STEPWISE_TEST_COMPARE_TARGET";
const ROWS = 1234;
let citus: Client;
let pg: Client;

const run = runCli;

const compare = (...extra: string[]) =>
  run("database", "compare", "--source", SOURCE, "--target", TARGET, "--schema", schema, ...extra);

async function createShop(client: Client): Promise<void> {
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`
    CREATE TABLE ${schema}.orders (id bigint PRIMARY KEY, customer text, total numeric(10,2),
                                   placed timestamptz, ratio double precision);
    CREATE TABLE ${schema}.order_lines (order_id bigint, line int, sku text, PRIMARY KEY (order_id, line));
    CREATE TABLE ${schema}.notes (body text);`);
  // The same rows on both sides, written in a different order: the digest follows the key.
  const order = client === citus ? "DESC" : "ASC";
  await client.query(
    `INSERT INTO ${schema}.orders
       SELECT i, 'customer ' || i, i * 1.25, timestamptz '2026-11-01 00:00:00+00' + i * interval '1 minute', i / 7.0
       FROM generate_series(1, ${ROWS}) AS i ORDER BY i ${order}`,
  );
  await client.query(
    `INSERT INTO ${schema}.order_lines
       SELECT i / 3 + 1, i % 3, 'sku-' || i FROM generate_series(0, 299) AS i ORDER BY i ${order}`,
  );
  await client.query(`INSERT INTO ${schema}.notes VALUES ('b'), ('a'), (NULL)`);
}

beforeAll(async () => {
  const s = services().postgres;
  const url = (db: string) =>
    `postgres://${s.user}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/${db}`;
  process.env[SOURCE] = url(s.databases.target);
  process.env[TARGET] = url(s.databases.legacy);
  citus = await postgres("target");
  pg = await postgres("legacy");
  // A session time zone on one side must not change what a row reads as.
  await pg.query(
    `ALTER ROLE ${s.user} IN DATABASE ${s.databases.legacy} SET TimeZone = 'Asia/Tokyo'`,
  );
  await createShop(citus);
  await createShop(pg);
});

afterAll(async () => {
  const s = services().postgres;
  delete process.env[SOURCE];
  delete process.env[TARGET];
  await pg.query(`ALTER ROLE ${s.user} IN DATABASE ${s.databases.legacy} RESET TimeZone`);
  await Promise.all([
    citus.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
    pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  ]);
  await Promise.all([citus.end(), pg.end()]);
});

function gate(file: string): [string, GateRecord] {
  const recorded = JSON.parse(readFileSync(file, "utf8")) as Record<string, GateRecord>;
  const entries = Object.entries(recorded);
  expect(entries).toHaveLength(1);
  return entries[0];
}

describe("stepwise database compare", () => {
  it("finds equal databases equal, chunk by chunk, and records data-synced-back (sealed)", async () => {
    const record = join(dir, "equal.json");
    const result = await compare("--chunk", "100", "--rollback", "--record", record);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const lines = result.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^compare postgres:\/\/stepwise:\*\*\*@127\.0\.0\.1:\d+\/stepwise_target -> .*: 3 table\(s\), all equal$/,
    );
    expect(lines.slice(1).map((l) => l.replace(/ \(sha256:\w+\)$/, ""))).toEqual([
      `  ${schema}.notes: equal, 3 rows`,
      `  ${schema}.order_lines: equal, 300 rows`,
      `  ${schema}.orders: equal, ${ROWS} rows`,
    ]);
    const [id, gateRecord] = gate(record);
    expect(id).toBe("data-synced-back");
    expect(gateRecord).toMatchObject({ passed: true, check: "database compare" });
    expect(gateRecord.detail).toContain(`3 tables, ${ROWS + 303} rows; all equal`);
    expect(gateRecordProblems("data-synced-back", gateRecord, new Date())).toEqual([]);
    expect(readFileSync(record, "utf8")).not.toContain(services().postgres.password);
  });

  it("prints the report as JSON, the same digest on both sides", async () => {
    const result = await compare("--json");
    const report = JSON.parse(result.out) as CompareReport;
    expect(report.equal).toBe(true);
    for (const table of report.tables) {
      expect(table.source?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(table.target).toEqual(table.source);
    }
  });

  it("going forward records data-verified instead", async () => {
    const record = join(dir, "forward.json");
    expect((await compare("--record", record)).code).toBe(0);
    expect(gate(record)[0]).toBe("data-verified");
  });

  it("finds a row changed on one side, says where (by key), and records a failed gate", async () => {
    await pg.query(`UPDATE ${schema}.orders SET total = total + 0.01 WHERE id = 777`);
    const record = join(dir, "changed.json");
    const result = await compare("--chunk", "250", "--rollback", "--record", record);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `  ${schema}.orders: DIFFERENT — first difference at row 777 in key order: the rows differ (key (777))`,
    );
    expect(result.out).toContain(`  ${schema}.order_lines: equal, 300 rows`);
    expect(result.out).not.toContain("customer 777"); // where, never what
    const [, gateRecord] = gate(record);
    expect(gateRecord.passed).toBe(false);
    expect(gateRecord.detail).toContain(
      `1 differ (first: ${schema}.orders: first difference at row 777`,
    );
    await pg.query(`UPDATE ${schema}.orders SET total = total - 0.01 WHERE id = 777`);
    expect((await compare()).code).toBe(0);
  });

  it("finds rows missing on one side (a PostgreSQL that missed the writes since the cutover)", async () => {
    await citus.query(`INSERT INTO ${schema}.orders VALUES (${ROWS + 1}, 'late', 1, now(), 0)`);
    const result = await compare();
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `  ${schema}.orders: DIFFERENT — ${ROWS + 1} rows on the source, ${ROWS} on the target; first difference at row ${ROWS + 1}: only the source has a row (key (${ROWS + 1}))`,
    );
    await citus.query(`DELETE FROM ${schema}.orders WHERE id = ${ROWS + 1}`);
  });

  it("finds a table on one side only, and one whose columns differ", async () => {
    await citus.query(`CREATE TABLE ${schema}.coupons (code text PRIMARY KEY)`);
    await pg.query(`ALTER TABLE ${schema}.notes ADD COLUMN author text`);
    const result = await compare();
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${schema}.coupons: DIFFERENT — only on the source`);
    expect(result.out).toContain(
      `  ${schema}.notes: DIFFERENT — columns differ: source (body text), target (body text, author text)`,
    );
    await citus.query(`DROP TABLE ${schema}.coupons`);
    await pg.query(`ALTER TABLE ${schema}.notes DROP COLUMN author`);
  });

  it("--table limits the comparison; nothing to compare is not a pass", async () => {
    const only = await compare("--table", "order_lines");
    expect([only.code, only.out.split("\n")[0]]).toEqual([
      0,
      expect.stringContaining("1 table(s), all equal"),
    ]);
    const none = await compare("--table", "no_such_table");
    expect(none.code).toBe(1);
    expect(none.out).toContain("no tables found; check --schema and --table");
  });

  it.each([
    [
      ["--source", "NO_SUCH_VARIABLE_Y", "--target", TARGET],
      "--source NO_SUCH_VARIABLE_Y: the environment variable is not set",
    ],
    [["--source", SOURCE, "--target", TARGET, "--chunk", "0"], '--chunk "0" is not a row count'],
    [
      [
        "--source",
        "postgres://u:topsecret@127.0.0.1:1/db",
        "--target",
        TARGET,
        "--connect-timeout",
        "2",
      ],
      "source postgres://u:***@127.0.0.1:1/db:",
    ],
  ])("exits 2 with one clear line for bad input %#", async (args, message) => {
    const result = await run("database", "compare", ...args);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).not.toContain("topsecret");
  });
});
