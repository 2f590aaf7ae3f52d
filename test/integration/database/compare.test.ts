import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gateRecordProblems } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import type { VerifyReport } from "../../../tools/database/verify-report";
import { runCli } from "../support/cli";
import { postgres, postgresUrl, services, uniqueName } from "../support/services";

// `stepwise database compare`, the earlier name of `db verify` (verify.test.ts), end to end on
// the real test PostgreSQL: stepwise_legacy stands in for PostgreSQL, stepwise_target for Citus,
// each with the same schema and, at first, the same rows. It records data-synced-back
// (--rollback) before reads go back to PostgreSQL.
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
    CREATE TABLE ${schema}.order_lines (order_id bigint, line int, sku text, PRIMARY KEY (order_id, line));`);
  // The same rows on both sides, written in a different order: rows are matched by key.
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
}

beforeAll(async () => {
  const s = services().postgres;
  process.env[SOURCE] = postgresUrl("target");
  process.env[TARGET] = postgresUrl("legacy");
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
      new RegExp(
        `^verify postgres://stepwise:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/stepwise_target -> .*: 2 table\\(s\\), ${ROWS + 300} rows, all equal$`,
      ),
    );
    expect(lines.slice(1).map((l) => l.replace(/ checksum -?\d+,/, " checksum …,"))).toEqual([
      `  ${schema}.order_lines: equal, 300 rows, checksum …, 4 chunks`,
      `  ${schema}.orders: equal, ${ROWS} rows, checksum …, 13 chunks`,
    ]);
    const [id, gateRecord] = gate(record);
    expect(id).toBe("data-synced-back");
    expect(gateRecord).toMatchObject({ passed: true, check: "database verify" });
    expect(gateRecord.detail).toContain(`2 tables, ${ROWS + 300} rows; all equal`);
    expect(gateRecordProblems("data-synced-back", gateRecord, new Date())).toEqual([]);
    expect(readFileSync(record, "utf8")).not.toContain(services().postgres.password);
  });

  it("prints the report as JSON, the same checksum on both sides", async () => {
    const result = await compare("--json");
    const report = JSON.parse(result.out) as VerifyReport;
    expect(report.equal).toBe(true);
    for (const table of report.tables) {
      expect(table.source.checksum).toMatch(/^-?\d+$/);
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
    expect(result.out).toMatch(
      new RegExp(
        `\n  ${schema}\\.orders: DIFFERENT — source ${ROWS} rows \\(checksum -?\\d+\\), target ${ROWS} rows \\(checksum -?\\d+\\); 1 of 5 chunks differ\n    changed \\(1\\): \\(777\\)\n`,
      ),
    );
    expect(result.out).toContain(`  ${schema}.order_lines: equal, 300 rows`);
    expect(result.out).not.toContain("customer 777"); // where, never what
    const [, gateRecord] = gate(record);
    expect(gateRecord.passed).toBe(false);
    expect(gateRecord.detail).toContain(`1 differ: ${schema}.orders 0 missing, 0 extra, 1 changed`);
    await pg.query(`UPDATE ${schema}.orders SET total = total - 0.01 WHERE id = 777`);
    expect((await compare()).code).toBe(0);
  });

  it("finds rows missing on one side (a PostgreSQL that missed the writes since the cutover)", async () => {
    await citus.query(`INSERT INTO ${schema}.orders VALUES (${ROWS + 1}, 'late', 1, now(), 0)`);
    const result = await compare();
    expect(result.code).toBe(1);
    expect(result.out).toContain(`target ${ROWS} rows`);
    expect(result.out).toContain(`    missing on the target (1): (${ROWS + 1})\n`);
    await citus.query(`DELETE FROM ${schema}.orders WHERE id = ${ROWS + 1}`);
  });

  it("refuses a table on one side only, one whose columns differ, one without a key (exit 2)", async () => {
    await citus.query(`CREATE TABLE ${schema}.coupons (code text PRIMARY KEY)`);
    const onlyOnSource = await compare();
    expect([onlyOnSource.code, onlyOnSource.out]).toEqual([2, ""]);
    expect(onlyOnSource.err).toContain(
      `table ${schema}.coupons does not exist on the target postgres://stepwise:***@`,
    );
    await pg.query(`CREATE TABLE ${schema}.coupons (code text PRIMARY KEY, author text)`);
    const otherColumns = await compare();
    expect(otherColumns.code).toBe(2);
    expect(otherColumns.err).toContain(
      `table ${schema}.coupons: columns differ: source (code text), target (code text, author text)`,
    );
    await Promise.all([citus, pg].map((c) => c.query(`DROP TABLE ${schema}.coupons`)));
    await Promise.all([citus, pg].map((c) => c.query(`CREATE TABLE ${schema}.notes (body text)`)));
    const noKey = await compare();
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain(`table ${schema}.notes on the source`);
    expect(noKey.err).toContain("has no primary key");
    await Promise.all([citus, pg].map((c) => c.query(`DROP TABLE ${schema}.notes`)));
  });

  it("--table limits the comparison; nothing to compare is not a pass", async () => {
    const only = await compare("--table", "order_lines");
    expect([only.code, only.out.split("\n")[0]]).toEqual([
      0,
      expect.stringContaining("1 table(s), 300 rows, all equal"),
    ]);
    const none = await run(
      "database",
      "compare",
      "--source",
      SOURCE,
      "--target",
      TARGET,
      "--schema",
      `${schema}_empty`,
    );
    expect(none.code).toBe(1);
    expect(none.out).toContain("no tables found; check --schema and --table");
  });

  it.each([
    [
      ["--source", "NO_SUCH_VARIABLE_Y", "--target", TARGET],
      "--source NO_SUCH_VARIABLE_Y: the environment variable is not set",
    ],
    [["--source", SOURCE, "--target", TARGET, "--chunk", "0"], '--chunk "0" is not a count'],
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
