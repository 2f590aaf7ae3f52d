import { describe, expect, it } from "vitest";
import {
  deleteStatement,
  dualWriteEnv,
  DualWriteUsageError,
  upsertStatement,
} from "../../../tools/database/dual-writer";
import type { TableShape } from "../../../tools/database/table-shape";

const LINES: TableShape = {
  table: "shop.order_lines",
  columns: [
    { name: "order_id", type: "bigint" },
    { name: "line", type: "integer" },
    { name: "Sku", type: "text" },
  ],
  key: ["order_id", "line"],
};

describe("dualWriteEnv", () => {
  const PG = "postgres://app:pw@pg:5432/shop";
  const CITUS = "postgres://app:pw@citus:5432/shop";

  it("reads the roles the program gives a service, in either direction", () => {
    expect(
      dualWriteEnv({
        DATABASE_URL: PG,
        DATABASE_DUAL_WRITE_URL: CITUS,
        DATABASE_READ_FROM: "postgres",
        DATABASE_WRITE_TO: "postgres,citus",
      }),
    ).toEqual({
      primary: PG,
      secondary: CITUS,
      systems: { primary: "postgres", secondary: "citus" },
    });
    expect(
      dualWriteEnv({
        DATABASE_URL: CITUS,
        DATABASE_DUAL_WRITE_URL: PG,
        DATABASE_READ_FROM: "citus",
        DATABASE_WRITE_TO: "citus,postgres",
      }),
    ).toEqual({
      primary: CITUS,
      secondary: PG,
      systems: { primary: "citus", secondary: "postgres" },
    });
  });

  it("writes to one database when no second is configured", () => {
    expect(
      dualWriteEnv({
        DATABASE_URL: PG,
        DATABASE_READ_FROM: "postgres",
        DATABASE_WRITE_TO: "postgres",
      }),
    ).toEqual({ primary: PG, systems: { primary: "postgres" } });
  });

  it("refuses a missing DATABASE_URL and roles that disagree with the URLs, without passwords", () => {
    expect(() => dualWriteEnv({})).toThrow(/DATABASE_URL is not set/);
    expect(() =>
      dualWriteEnv({
        DATABASE_URL: PG,
        DATABASE_READ_FROM: "postgres",
        DATABASE_WRITE_TO: "postgres,citus",
      }),
    ).toThrow(/DATABASE_DUAL_WRITE_URL is not set; writes to citus would be skipped/);
    const extra = () =>
      dualWriteEnv({
        DATABASE_URL: PG,
        DATABASE_DUAL_WRITE_URL: CITUS,
        DATABASE_READ_FROM: "postgres",
        DATABASE_WRITE_TO: "postgres",
      });
    expect(extra).toThrow(/names no second system/);
    expect(extra).not.toThrow(/pw/);
  });
});

describe("row statements", () => {
  it("upsert by the key, updating only the columns given", () => {
    const { sql, params } = upsertStatement(LINES, { order_id: 1, line: 2, Sku: "a" });
    expect(sql.replace(/\s+/g, " ")).toBe(
      'INSERT INTO shop.order_lines (order_id, line, "Sku") VALUES ($1, $2, $3) ON CONFLICT (order_id, line) DO UPDATE SET "Sku" = EXCLUDED."Sku" RETURNING *',
    );
    expect(params).toEqual([1, 2, "a"]);
    expect(upsertStatement(LINES, { order_id: 1, line: 2 }).sql).toContain("DO NOTHING");
  });

  it("refuse a row without its key or with an unknown column, before anything is written", () => {
    expect(() => upsertStatement(LINES, { order_id: 1, Sku: "a" })).toThrow(
      new DualWriteUsageError("upsert into shop.order_lines: the row needs its key column(s) line"),
    );
    expect(() => upsertStatement(LINES, { order_id: 1, line: 1, sku: "a" })).toThrow(
      /no column sku; its columns are order_id, line, Sku/,
    );
    expect(() => deleteStatement(LINES, { order_id: 1 })).toThrow(/the key needs line/);
  });

  it("delete by the whole key", () => {
    const { sql, params } = deleteStatement(LINES, { line: 3, order_id: 9 });
    expect(sql).toBe("DELETE FROM shop.order_lines WHERE order_id = $1 AND line = $2 RETURNING *");
    expect(params).toEqual([9, 3]);
  });
});
