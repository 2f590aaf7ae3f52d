import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SpoolFullError } from "../../../tools/events/spool";
import { ReplayLog, type ReplayLogIdentity } from "../../../tools/database/replay-log";
import type { RowChange } from "../../../tools/database/row-change";
import { WriteIntents } from "../../../tools/database/write-intents";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "write-intents-unit-"));
  dirs.push(d);
  return d;
}
const change = (id: number, op: RowChange["op"] = "upsert"): RowChange => ({
  table: "shop.orders",
  op,
  key: [String(id)],
});
const IDENTITY: ReplayLogIdentity = {
  tables: [{ table: "shop.orders", key: ["id"] }],
  source: { system: "postgres", database: "pg:5432/shop" },
  target: { system: "citus", database: "citus:5432/shop" },
};

/** Opens the intents in `at` again, as the next process would, and hands back what was left. */
async function leftoverIn(at: string): Promise<RowChange[]> {
  const next = new WriteIntents(at, 1 << 20);
  const recovered: RowChange[] = [];
  await next.recoverLeftover((changes) => {
    recovered.push(...changes);
    return Promise.resolve();
  });
  await next.close();
  return recovered;
}

describe("write intents", () => {
  it("keeps every intent not passed, whatever order the others were passed in", async () => {
    const at = dir();
    const intents = new WriteIntents(at, 1 << 20);
    const [a, b, c, d] = await Promise.all([
      intents.record([change(1)]),
      intents.record([change(2), change(3)]),
      intents.record([change(4, "delete")]),
      intents.record([change(5)]),
    ]);
    intents.pass(c);
    intents.pass(a); // the cursor passes a; b, still open, holds it before c and d
    intents.pass(d);
    expect(intents.open).toBe(1);
    await intents.close(); // as a crash would leave it, b still open
    expect(await leftoverIn(at)).toEqual([change(2), change(3), change(4, "delete"), change(5)]);
    expect(b.passed).toBe(false);
  });

  it("leaves nothing once every intent is passed", async () => {
    const at = dir();
    const intents = new WriteIntents(at, 1 << 20);
    const all = await Promise.all([1, 2, 3].map((id) => intents.record([change(id)])));
    [...all].reverse().forEach((intent) => intents.pass(intent));
    expect(intents.open).toBe(0);
    await intents.close();
    expect(await leftoverIn(at)).toEqual([]);
  });

  it("refuses an intent that does not fit and holds nothing for it", async () => {
    const at = dir();
    const intents = new WriteIntents(at, 80);
    const first = await intents.record([change(1)]);
    await expect(intents.record([change(2), change(3)])).rejects.toBeInstanceOf(SpoolFullError);
    expect(intents.open).toBe(1);
    intents.pass(first);
    expect(intents.open).toBe(0);
    await intents.close();
    expect(await leftoverIn(at)).toEqual([]);
  });

  it("counts a dead writer's intents as waiting changes, moved into the log before replay", async () => {
    const at = dir();
    const first = ReplayLog.open(at, IDENTITY);
    await first.intents.record([change(7), change(8, "delete")]);
    await first.close(); // the intent was never passed: its writer died
    const log = ReplayLog.open(at, IDENTITY);
    try {
      expect(log.pending).toBe(true);
      expect(log.waiting).toBe(2);
      await expect(log.intents.record([change(9)])).rejects.toThrow(/leftover/);
      await log.recoverIntents();
      expect(log.intents.leftover).toBe(0);
      expect(log.waiting).toBe(2);
      expect(log.peek(10).messages).toEqual([change(7), change(8, "delete")]);
    } finally {
      await log.close();
    }
  });
});
