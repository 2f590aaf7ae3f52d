import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SpoolFullError } from "../../../tools/events/spool";
import {
  identityMismatch,
  logEndpoint,
  ReplayLog,
  ReplayLogBusyError,
  ReplayLogMismatchError,
  type ReplayLogIdentity,
} from "../../../tools/database/replay-log";
import type { RowChange } from "../../../tools/database/row-change";

const dirs: string[] = [];
const logs: ReplayLog[] = [];
afterEach(async () => {
  await Promise.allSettled(logs.splice(0).map((l) => l.close()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "replay-log-unit-"));
  dirs.push(d);
  return d;
}
function open(at: string, identity: ReplayLogIdentity = IDENTITY, maxBytes?: number): ReplayLog {
  const log = ReplayLog.open(at, identity, maxBytes === undefined ? {} : { maxBytes });
  logs.push(log);
  return log;
}

const IDENTITY: ReplayLogIdentity = {
  tables: [
    { table: "shop.orders", key: ["id"] },
    { table: "shop.lines", key: ["order_id", "line"] },
  ],
  source: { system: "postgres", database: "pg.internal:5432/shop" },
  target: { system: "citus", database: "citus.internal:5432/shop" },
};
const change = (n: number, op: RowChange["op"] = "upsert"): RowChange => ({
  table: "shop.orders",
  op,
  key: [String(n)],
});

describe("logEndpoint", () => {
  it("keeps host, port and database, never the user or password", () => {
    expect(
      logEndpoint("postgres://app:s3cret@db.example:6432/shop?sslmode=require", "citus"),
    ).toEqual({
      system: "citus",
      database: "db.example:6432/shop",
    });
    expect(logEndpoint("postgresql://app@db.example/shop")).toEqual({
      database: "db.example:5432/shop",
    });
  });
});

describe("identityMismatch", () => {
  it("accepts the same tables in any order and another address of the same database", () => {
    expect(
      identityMismatch(IDENTITY, {
        ...IDENTITY,
        tables: [...IDENTITY.tables].reverse(),
        target: { database: "127.0.0.1:15432/shop" },
      }),
    ).toBeUndefined();
  });

  it("names another table set, another key, another database and swapped systems", () => {
    expect(identityMismatch(IDENTITY, { ...IDENTITY, tables: [IDENTITY.tables[0]] })).toBe(
      "it holds changes of shop.lines(order_id, line), shop.orders(id), not of shop.orders(id)",
    );
    expect(
      identityMismatch(IDENTITY, {
        ...IDENTITY,
        tables: [IDENTITY.tables[0], { table: "shop.lines", key: ["order_id"] }],
      }),
    ).toMatch(/not of shop.lines\(order_id\), shop.orders\(id\)/);
    expect(
      identityMismatch(IDENTITY, {
        ...IDENTITY,
        target: { database: "citus.internal:5432/other" },
      }),
    ).toBe(
      "it was written with citus citus.internal:5432/shop as the target, not citus.internal:5432/other",
    );
    expect(
      identityMismatch(IDENTITY, { ...IDENTITY, source: { ...IDENTITY.source, system: "citus" } }),
    ).toMatch(/as the source, not citus/);
  });
});

describe("ReplayLog", () => {
  it("keeps changes across a restart and resumes after the last committed batch", async () => {
    const at = dir();
    const first = open(at);
    await first.append([change(1), change(2), change(3, "delete")]);
    const peeked = first.peek(2);
    expect(peeked.messages).toEqual([change(1), change(2)]);
    first.commit(peeked.next);
    await first.close();
    const second = open(at);
    expect(second.waiting).toBe(1);
    expect(second.replayed).toBe(2);
    expect(second.peek(10).messages).toEqual([change(3, "delete")]);
  });

  it("is owned by one process at a time; a dead owner's lock is taken over", async () => {
    const at = dir();
    const log = open(at);
    expect(() => ReplayLog.open(at, IDENTITY)).toThrow(ReplayLogBusyError);
    await log.close();
    // A lock left by a process that no longer runs (pid 2^22 + 1 is beyond Linux's pid range).
    writeFileSync(join(at, "replay-log.lock"), JSON.stringify({ pid: 4194305, host: hostname() }));
    expect(() => open(at)).not.toThrow();
  });

  it("refuses a non-empty log written for other tables; an empty one is taken over", async () => {
    const at = dir();
    const log = open(at);
    await log.append([change(1)]);
    await log.close();
    const other = { ...IDENTITY, tables: [{ table: "shop.customers", key: ["id"] }] };
    expect(() => ReplayLog.open(at, other)).toThrow(ReplayLogMismatchError);
    const drained = open(at);
    drained.commit(drained.peek(10).next);
    await drained.close();
    expect(open(at, other).identity).toEqual(other);
    expect(ReplayLog.manifest(at)?.tables).toEqual(other.tables);
  });

  it("refuses an append past its bound, writing nothing of it, and records the overflow", async () => {
    const at = dir();
    const log = open(at, IDENTITY, 100);
    await log.append([change(1)]); // 45 bytes
    await log.append([change(2)]);
    await expect(log.append([change(3)])).rejects.toThrow(SpoolFullError);
    expect(log.waiting).toBe(2);
    log.commit(log.peek(1).next); // replayed lines free their room
    await log.append([change(3)]);
    log.recordOverflow("shop.orders", new Date("2026-12-07T10:00:00Z"));
    log.recordOverflow("shop.lines");
    await log.close();
    const reopened = open(at, IDENTITY, 100);
    expect(reopened.overflow).toEqual({
      since: "2026-12-07T10:00:00.000Z",
      tables: ["shop.lines", "shop.orders"],
    });
    reopened.clearOverflow();
    expect(reopened.overflow).toBeUndefined();
  });
});
