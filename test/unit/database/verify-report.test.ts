import { describe, expect, it } from "vitest";
import { gateRecordProblems } from "../../../migrations/gate-evidence";
import type { TableShape } from "../../../tools/database/table-shape";
import {
  renderVerifyText,
  verifyGateRecord,
  type TableVerification,
  type VerifyReport,
} from "../../../tools/database/verify-report";
import { keyAtSql, rangeChecksumSql, rowFingerprintsSql } from "../../../tools/database/verify-sql";

const lines: TableShape = {
  table: "shop.order_lines",
  columns: [
    { name: "order_id", type: "bigint" },
    { name: "line", type: "integer" },
    { name: "sku", type: "text" },
  ],
  key: ["order_id", "line"],
};

describe("verification statements", () => {
  it.each([
    ["the whole table", {}, "", []],
    [
      "a closed range (keys cast back to their column types)",
      { after: ["7", "2"], through: ["9", "0"] },
      " WHERE ROW(t.order_id, t.line) > ROW($1::bigint, $2::integer) AND ROW(t.order_id, t.line) <= ROW($3::bigint, $4::integer)",
      ["7", "2", "9", "0"],
    ],
    [
      "the last range, open above",
      { after: ["7", "2"] },
      " WHERE ROW(t.order_id, t.line) > ROW($1::bigint, $2::integer)",
      ["7", "2"],
    ],
  ])("sum %s on the server", (_, range, where, values) => {
    expect(rangeChecksumSql(lines, range)).toEqual({
      text: `SELECT count(*) AS rows, coalesce(sum(hashtextextended((t.*)::text, 0)), 0)::text AS checksum FROM shop.order_lines t${where}`,
      values,
    });
  });

  it("reads a boundary from the key order and the rows of a range by key and fingerprint", () => {
    expect(keyAtSql(lines, { through: ["9", "0"] }, 9999)).toEqual({
      text: "SELECT t.order_id::text AS key_0, t.line::text AS key_1 FROM shop.order_lines t WHERE ROW(t.order_id, t.line) <= ROW($1::bigint, $2::integer) ORDER BY t.order_id, t.line OFFSET $3 LIMIT 1",
      values: ["9", "0", 9999],
    });
    expect(rowFingerprintsSql(lines, {}).text).toBe(
      "SELECT ROW(t.order_id, t.line)::text AS key, hashtextextended((t.*)::text, 0)::text AS fingerprint FROM shop.order_lines t ORDER BY t.order_id, t.line",
    );
  });
});

const keys = (count: number, listed: string[] = []) => ({ count, keys: listed });

function table(name: string, differences = 0): TableVerification {
  return {
    table: name,
    key: ["id"],
    equal: differences === 0,
    source: { rows: 100, checksum: "-42" },
    target: { rows: 100 - differences, checksum: differences ? "17" : "-42" },
    chunks: 1,
    differingChunks: differences ? 1 : 0,
    missing: keys(differences, differences ? ["(1)", "(2)"] : []),
    extra: keys(0),
    changed: keys(0),
  };
}

function report(tables: TableVerification[]): VerifyReport {
  return {
    checkedAt: "2026-12-07T12:00:00.000Z",
    seconds: 1.5,
    source: "postgres://app:***@pg/shop",
    target: "postgres://app:***@citus/shop",
    schemas: ["public"],
    chunkRows: 10000,
    equal: tables.length > 0 && tables.every((t) => t.equal),
    tables,
  };
}

describe("verification report", () => {
  it("lists the first keys of a kind and counts the rest", () => {
    expect(renderVerifyText(report([table("public.orders", 5)]))).toBe(
      [
        "verify postgres://app:***@pg/shop -> postgres://app:***@citus/shop (schemas public): 1 of 1 table(s) differ",
        "  public.orders: DIFFERENT — source 100 rows (checksum -42), target 95 rows (checksum 17); 1 of 1 chunk differ",
        "    missing on the target (5): (1) (2) … and 3 more",
        "",
      ].join("\n"),
    );
  });

  it("records the gate with every table's rows and checksum up to ten, sealed", () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      table(`public.t${String(i).padStart(2, "0")}`),
    );
    const record = verifyGateRecord(report(many), "forward");
    expect(record).toMatchObject({
      passed: true,
      recordedAt: "2026-12-07T12:00:00.000Z",
      check: "database verify",
      endpoints: ["postgres://app:***@pg/shop", "postgres://app:***@citus/shop"],
    });
    expect(record.detail).toBe(
      "verify postgres://app:***@pg/shop -> postgres://app:***@citus/shop: 12 tables, 1200 rows; all equal (row counts and checksums per key range): " +
        Array.from({ length: 10 }, (_, i) => `public.t0${i} 100 rows, checksum -42`).join("; ") +
        ", and 2 more",
    );
    expect(gateRecordProblems("data-verified", record)).toEqual([]);
  });

  it("records a failed gate naming the differing tables, and nothing compared as a failure", () => {
    const failed = verifyGateRecord(report([table("public.a"), table("public.b", 3)]), "rollback");
    expect([failed.passed, failed.detail]).toEqual([
      false,
      "verify postgres://app:***@pg/shop -> postgres://app:***@citus/shop: 2 tables, 200 rows; 1 differ: public.b 3 missing, 0 extra, 0 changed",
    ]);
    const none = verifyGateRecord(report([]), "forward");
    expect([none.passed, none.detail]).toEqual([
      false,
      "verify postgres://app:***@pg/shop -> postgres://app:***@citus/shop: 0 tables, 0 rows; no tables compared",
    ]);
  });
});
