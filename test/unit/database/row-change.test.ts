import { describe, expect, it } from "vitest";
import { textArrayLiteral } from "../../../tools/database/mirror-apply";
import {
  distinctRows,
  ROW_CHANGE_TOPIC,
  rowChangeCodec,
  rowLockId,
  rowLockIds,
  type RowChange,
} from "../../../tools/database/row-change";

const change = (
  key: string[],
  op: RowChange["op"] = "upsert",
  table = "shop.lines",
): RowChange => ({
  table,
  op,
  key,
});

describe("row changes", () => {
  it("round-trip through a log line and refuse a line that is not one", () => {
    const original = { ...change(["7", 'it\'s "quoted"\n'], "delete"), topic: ROW_CHANGE_TOPIC };
    const line = rowChangeCodec.encode(original);
    expect(line).not.toContain("\n");
    expect(rowChangeCodec.decode(line)).toEqual(original);
    expect(() => rowChangeCodec.decode('{"table":"t","op":"update","key":["1"]}')).toThrow(
      /not a row change/,
    );
    expect(() => rowChangeCodec.decode('{"table":"t","op":"upsert","key":[1]}')).toThrow(
      /not a row change/,
    );
  });

  it("keep one change per row, the last, and tell composite keys apart", () => {
    const rows = distinctRows([
      change(["1", "2"]),
      change(["1,2"]),
      change(["1", "2"], "delete"),
      change(["1", "2"], "upsert", "shop.orders"),
    ]);
    expect(rows).toEqual([
      change(["1,2"]),
      change(["1", "2"], "delete"),
      change(["1", "2"], "upsert", "shop.orders"),
    ]);
  });

  it("lock each row by a stable id, distinct and ascending for a batch", () => {
    expect(rowLockId("shop.lines", ["1", "2"])).toBe(rowLockId("shop.lines", ["1", "2"]));
    expect(rowLockId("shop.lines", ["1", "2"])).not.toBe(rowLockId("shop.lines", ["12"]));
    expect(rowLockId("shop.lines", ["1"])).not.toBe(rowLockId("shop.orders", ["1"]));
    const ids = rowLockIds([change(["3"]), change(["1"]), change(["3"], "delete"), change(["2"])]);
    expect(ids).toHaveLength(3);
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    for (const id of ids) expect(id >= -(2n ** 63n) && id < 2n ** 63n).toBe(true);
  });
});

describe("textArrayLiteral", () => {
  it("quotes each text as a literal (standard strings: only single quotes double)", () => {
    expect(textArrayLiteral([])).toBe("'{}'");
    expect(textArrayLiteral(["it's", null, "back\\slash $1"])).toBe(
      "ARRAY['it''s', NULL, 'back\\slash $1']",
    );
  });
});
