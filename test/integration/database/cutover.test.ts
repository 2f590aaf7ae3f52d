import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gateRecordProblems } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import {
  reopenSource,
  StillFrozenError,
  switchSourceOfTruth,
  type SwitchReport,
} from "../../../tools/database/cutover";
import type { WriteFreeze } from "../../../tools/database/write-freeze";
import { DualWriter } from "../../../tools/database/dual-writer";
import { runCli } from "../support/cli";
import { postgres, postgresUrl, services, uniqueName } from "../support/services";
import { TcpProxy } from "../support/tcp-proxy";

// Cutover and rollback on the real test PostgreSQL, with services writing through dual writers
// the whole time: stepwise_legacy stands in for PostgreSQL, stepwise_target for Citus. Every
// write a writer acknowledged must be on both databases at the end; writes refused while a side
// was frozen were never acknowledged, so they are not expected anywhere.
const schema = uniqueName("cutover").replaceAll("-", "_");
const ORDERS = `${schema}.orders`;
const LINES = `${schema}.order_lines`;
const role = `${schema}_app`;
const password = "app-password-for-tests";
const env = {
  legacyAdmin: "STEPWISE_TEST_CUTOVER_LEGACY",
  targetAdmin: "STEPWISE_TEST_CUTOVER_TARGET",
};
const dir = mkdtempSync(join(tmpdir(), "stepwise-cutover-"));
let legacy: Client;
let target: Client;

const appUrl = (database: "legacy" | "target") => postgresUrl(database, { user: role, password });

/** What the writers acknowledged: per order id its note, null once deleted. */
const acknowledged = new Map<number, string | null>();
const outcomes = { ok: 0, refused: 0 };

/** One service instance's writes, sequential, on its own ids, until `stop` says so. */
async function writeLoop(writer: DualWriter, ids: readonly number[], stop: () => boolean) {
  for (let i = 0; !stop(); i++) {
    const id = ids[i % ids.length] ?? 0;
    const note = `v${Date.now()}-${i}`;
    try {
      if (i % 7 === 6) {
        await writer.delete(ORDERS, { id });
        acknowledged.set(id, null);
      } else {
        await writer.transaction(async (tx) => {
          await tx.upsert(ORDERS, { id, note, n: i });
          await tx.upsert(LINES, { order_id: id, line: i % 3, qty: i });
        });
        acknowledged.set(id, note);
      }
      outcomes.ok++;
    } catch {
      outcomes.refused++; // the source was frozen: the caller saw the failure
    }
    await sleep(3);
  }
}

async function openWriter(primary: "legacy" | "target", logDir: string): Promise<DualWriter> {
  const secondary = primary === "legacy" ? "target" : "legacy";
  const writer = new DualWriter({
    primary: appUrl(primary),
    secondary: appUrl(secondary),
    systems: {
      primary: primary === "legacy" ? "postgres" : "citus",
      secondary: secondary === "legacy" ? "postgres" : "citus",
    },
    tables: [ORDERS, LINES],
    replayLogDir: logDir,
    replayIntervalMs: 50,
  });
  await writer.open();
  return writer;
}

/** Runs `work` while a writer keeps writing; returns what the CLI gave. */
async function whileWriting<T>(writer: DualWriter, ids: number[], work: () => Promise<T>) {
  let done = false;
  const loop = writeLoop(writer, ids, () => done);
  await sleep(100);
  try {
    return await work();
  } finally {
    await sleep(100);
    done = true;
    await loop;
  }
}

async function until(what: string, condition: () => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

async function notesOn(client: Client): Promise<Map<number, string>> {
  const { rows } = await client.query<{ id: string; note: string }>(
    `SELECT id, note FROM ${ORDERS} ORDER BY id`,
  );
  return new Map(rows.map((r) => [Number(r.id), r.note]));
}

/** The whole-database freeze and its reopen end every other session, this one included. */
async function legacyClient(): Promise<Client> {
  const client = await postgres("legacy");
  client.on("error", () => undefined);
  return client;
}

const switchCli = (command: "cutover" | "rollback", ...extra: string[]) => {
  const [source, other] =
    command === "cutover" ? [env.legacyAdmin, env.targetAdmin] : [env.targetAdmin, env.legacyAdmin];
  return runCli(
    "db",
    command,
    "--source",
    source,
    "--target",
    other,
    "--role",
    role,
    "--table",
    ORDERS,
    LINES,
    "--drain-timeout",
    "2",
    "--state",
    join(dir, `${command}-freeze.json`),
    ...extra,
  );
};
const reopen = (command: "cutover" | "rollback") => {
  const source = command === "cutover" ? env.legacyAdmin : env.targetAdmin;
  return runCli(
    "db",
    command,
    "--reopen",
    "--source",
    source,
    "--state",
    join(dir, `${command}-freeze.json`),
  );
};

beforeAll(async () => {
  process.env[env.legacyAdmin] = postgresUrl("legacy");
  process.env[env.targetAdmin] = postgresUrl("target");
  legacy = await legacyClient();
  target = await postgres("target");
  await legacy.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  for (const client of [legacy, target]) {
    await client.query(`
      CREATE SCHEMA ${schema};
      CREATE TABLE ${ORDERS} (id bigint PRIMARY KEY, note text, n int);
      CREATE TABLE ${LINES} (order_id bigint, line int, qty int, PRIMARY KEY (order_id, line));
      GRANT USAGE ON SCHEMA ${schema} TO ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ${ORDERS}, ${LINES} TO ${role};`);
  }
  // Rows from before dual writing, copied over as a backfill would.
  for (const client of [legacy, target]) {
    await client.query(
      `INSERT INTO ${ORDERS} SELECT i, 'seed ' || i, i FROM generate_series(1000, 1999) i`,
    );
  }
});

afterAll(async () => {
  for (const client of [legacy, target]) {
    await client.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
  }
  await legacy.query(`DROP ROLE ${role}`).catch(() => undefined);
  await Promise.all([legacy.end(), target.end()]);
});

describe("db cutover, then db rollback, with writes during both", () => {
  it("loses nothing on either side and records both gates", async () => {
    // dual-write: PostgreSQL is the truth. One instance's mirrors fail for a while (Citus refuses
    // its writes), so its replay log holds changes when it stops for the cutover.
    const stoppedLog = join(dir, "stopped-instance");
    const stopped = await openWriter("legacy", stoppedLog);
    await target.query(`REVOKE INSERT, UPDATE, DELETE ON ${ORDERS}, ${LINES} FROM ${role}`);
    await whileWriting(stopped, [1, 2, 3, 4, 5], () => sleep(300));
    expect(stopped.state.waiting).toBeGreaterThan(0);
    await stopped.close(0);
    await target.query(`GRANT INSERT, UPDATE, DELETE ON ${ORDERS}, ${LINES} TO ${role}`);

    const running = await openWriter("legacy", join(dir, "running-1"));
    const forward = await whileWriting(running, [10, 11, 12, 13], () =>
      switchCli(
        "cutover",
        "--log",
        stoppedLog,
        "--record",
        join(dir, "data-verified.json"),
        "--json",
      ),
    );
    expect(forward.err).toBe("");
    expect(forward.code).toBe(0);
    const cutover = JSON.parse(forward.out) as SwitchReport;
    expect(cutover.switched).toBe(true);
    expect(cutover.replays[0]?.replayed).toBeGreaterThan(0);
    expect(cutover.verification?.equal).toBe(true);
    const verified = JSON.parse(readFileSync(join(dir, "data-verified.json"), "utf8")) as Record<
      string,
      GateRecord
    >;
    expect(gateRecordProblems("data-verified", verified["data-verified"])).toEqual([]);
    expect(outcomes.refused).toBeGreaterThan(0); // PostgreSQL refused writes once frozen
    await running.close();

    // citus-primary: Citus is the truth; PostgreSQL is still frozen, so the mirrors wait in the
    // log until --reopen, then catch up.
    const swapped = await openWriter("target", join(dir, "running-2"));
    await whileWriting(swapped, [20, 21, 22, 10], async () => {
      await until("a mirror to the frozen PostgreSQL is logged", () => swapped.state.waiting > 0);
      const reopened = await reopen("cutover");
      expect(reopened.code).toBe(0);
      expect(reopened.out).toMatch(new RegExp(`writable again \\(given back: role ${role}: `));
    });
    await until("the log is replayed", () => swapped.state.waiting === 0);

    const back = await whileWriting(swapped, [20, 21, 30], () =>
      switchCli("rollback", "--record", join(dir, "data-synced-back.json"), "--json"),
    );
    expect(back.code).toBe(0);
    expect((JSON.parse(back.out) as SwitchReport).switched).toBe(true);
    const synced = JSON.parse(readFileSync(join(dir, "data-synced-back.json"), "utf8")) as Record<
      string,
      GateRecord
    >;
    expect(gateRecordProblems("data-synced-back", synced["data-synced-back"])).toEqual([]);
    await swapped.close();

    // verified again: PostgreSQL is the truth, Citus catches up after its reopen.
    const restored = await openWriter("legacy", join(dir, "running-3"));
    await whileWriting(restored, [40, 41, 10], async () => {
      expect((await reopen("rollback")).code).toBe(0);
    });
    await until("the log is replayed", () => restored.state.waiting === 0);
    await restored.close();

    const onLegacy = await notesOn(legacy);
    const onTarget = await notesOn(target);
    expect(onTarget).toEqual(onLegacy);
    for (const [id, note] of acknowledged) {
      if (note === null) expect(onLegacy.has(id)).toBe(false);
      else expect(onLegacy.get(id)).toBe(note);
    }
    expect(onLegacy.get(1500)).toBe("seed 1500");
    expect(outcomes.ok).toBeGreaterThan(10); // writes went on throughout (how many depends on the machine)
  });

  it("undoes the freeze when Citus misses a row, and says why", async () => {
    await legacy.query(`INSERT INTO ${ORDERS} VALUES (999999, 'only on PostgreSQL', 0)`);
    try {
      const run = await switchCli("cutover");
      expect(run.code).toBe(1);
      expect(run.out).toMatch(/NOT switched, writes given back/);
      expect(run.out).toMatch(/missing on the target \(1\): \(999999\)/);
      const { rows } = await legacy.query<{ ok: boolean }>(
        `SELECT has_table_privilege($1, $2, 'INSERT') AS ok`,
        [role, ORDERS],
      );
      expect(rows[0]?.ok).toBe(true);
    } finally {
      await legacy.query(`DELETE FROM ${ORDERS} WHERE id = 999999`);
    }
  });

  it("refuses missing settings and a second freeze with clear messages", async () => {
    const noRole = await runCli(
      "db",
      "cutover",
      "--source",
      env.legacyAdmin,
      "--target",
      env.targetAdmin,
    );
    expect(noRole.code).toBe(2);
    expect(noRole.err).toMatch(/--role is missing/);
    const superuser = await runCli(
      "db",
      "cutover",
      "--source",
      env.legacyAdmin,
      "--target",
      env.targetAdmin,
      "--role",
      services().postgres.user,
      "--table",
      ORDERS,
      "--state",
      join(dir, "superuser.json"),
    );
    expect(superuser.code).toBe(2);
    expect(superuser.err).toMatch(/is a superuser/);
  });

  it("freezes the whole database for an application writing as a superuser, and reopens it", async () => {
    const run = await runCli(
      "db",
      "cutover",
      "--source",
      env.legacyAdmin,
      "--target",
      env.targetAdmin,
      "--whole-database",
      "--table",
      ORDERS,
      LINES,
      "--drain-timeout",
      "1",
      "--state",
      join(dir, "whole-freeze.json"),
    );
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/database stepwise_legacy read-only for every session/);
    // The freeze ended this test's own session too; a new one, even a superuser's, is read-only.
    await legacy.end().catch(() => undefined);
    legacy = await legacyClient();
    await expect(legacy.query(`INSERT INTO ${ORDERS} VALUES (777777, 'late', 0)`)).rejects.toThrow(
      /read-only transaction/,
    );
    const reopened = await runCli(
      "db",
      "cutover",
      "--reopen",
      "--source",
      env.legacyAdmin,
      "--state",
      join(dir, "whole-freeze.json"),
    );
    expect(reopened.code).toBe(0);
    await legacy.end().catch(() => undefined);
    legacy = await legacyClient();
    await legacy.query(`INSERT INTO ${ORDERS} VALUES (777777, 'after reopen', 0)`);
    const { rows } = await legacy.query(
      `SELECT count(*)::int AS n FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows[0]).toEqual({ n: 0 }); // the database's settings are as they were
  });

  it("says the writes are still frozen when it cannot give them back, and --reopen later can", async () => {
    const pg = services().postgres;
    const proxy = await TcpProxy.start(pg.host, pg.port);
    const admin = process.env[env.legacyAdmin] ?? "";
    let frozen: WriteFreeze | undefined;
    try {
      const attempt = switchSourceOfTruth({
        direction: "forward",
        source: proxy.route(admin),
        target: process.env[env.targetAdmin] ?? "",
        role,
        tables: [ORDERS, LINES],
        logs: [],
        drainMs: 0,
        timeouts: { connectMs: 2000, statementMs: 2000 },
        // PostgreSQL becomes unreachable right after the freeze, before the verification.
        onFrozen: (freeze) => {
          frozen = freeze;
          void proxy.cut("refuse");
        },
      });
      await expect(attempt).rejects.toThrow(StillFrozenError);
      await expect(attempt).rejects.toThrow(/STILL FROZEN: giving them back failed/);
      const { rows } = await legacy.query<{ ok: boolean }>(
        `SELECT has_table_privilege($1, $2, 'INSERT') AS ok`,
        [role, ORDERS],
      );
      expect(rows[0]?.ok).toBe(false);
      await reopenSource(admin, frozen!, { connectMs: 2000, statementMs: 2000 });
      const { rows: after } = await legacy.query<{ ok: boolean }>(
        `SELECT has_table_privilege($1, $2, 'INSERT') AS ok`,
        [role, ORDERS],
      );
      expect(after[0]?.ok).toBe(true);
    } finally {
      await proxy.stop();
    }
  });
});
