import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DualWriter } from "../../../tools/database/dual-writer";
import { ReplayLog, type ReplayLogIdentity } from "../../../tools/database/replay-log";
import { runCli } from "../support/cli";
import { postgres, postgresUrl, uniqueName } from "../support/services";

// A service process that really dies (SIGKILL) between the source's commit and the mirror: the
// write-ahead intent it left in the log folder brings the change to the other database, through
// `stepwise db replay` or the next writer on the folder. stepwise_legacy is the source of truth,
// stepwise_target the Citus stand-in.
const repo = resolve(__dirname, "..", "..", "..");
const schema = uniqueName("dualcrash").replaceAll("-", "_");
const ACCOUNTS = `${schema}.accounts`;
const CODES = `${schema}.codes`;
const SOURCE_ENV = "STEPWISE_TEST_CRASH_SOURCE";
const TARGET_ENV = "STEPWISE_TEST_CRASH_TARGET";
let legacy: Client;
let target: Client;
let legacyUrl: string;
let targetUrl: string;

/** Runs the child writer; resolves with the signal that ended it (SIGKILL expected). */
function crashingWrite(
  call: "write" | "transaction" | "delete",
  id: number,
  replayLogDir: string,
): Promise<{ signal: string | null; code: number | null; stderr: string }> {
  const settings = {
    primary: legacyUrl,
    secondary: targetUrl,
    tables: [ACCOUNTS],
    replayLogDir,
    call,
    table: ACCOUNTS,
    id,
  };
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/integration/support/dual-write-crash-child.ts"],
    {
      cwd: repo,
      env: { ...process.env, STEPWISE_CRASH_CHILD: JSON.stringify(settings) },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  return new Promise((done) => child.on("exit", (code, signal) => done({ signal, code, stderr })));
}

const namesOf = async (client: Client, ids: number[]) =>
  (
    await client.query<{ id: string; name: string }>(
      `SELECT id, name FROM ${ACCOUNTS} WHERE id = ANY($1) ORDER BY id`,
      [ids],
    )
  ).rows;

beforeAll(async () => {
  legacyUrl = postgresUrl("legacy");
  targetUrl = postgresUrl("target");
  process.env[SOURCE_ENV] = legacyUrl;
  process.env[TARGET_ENV] = targetUrl;
  legacy = await postgres("legacy");
  target = await postgres("target");
  for (const client of [legacy, target])
    await client.query(
      `CREATE SCHEMA ${schema}; CREATE TABLE ${ACCOUNTS} (id bigint PRIMARY KEY, name text);
       CREATE TABLE ${CODES} (id bigint PRIMARY KEY, code text UNIQUE DEFERRABLE INITIALLY DEFERRED)`,
    );
});

afterAll(async () => {
  delete process.env[SOURCE_ENV];
  delete process.env[TARGET_ENV];
  for (const client of [legacy, target])
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await Promise.all([legacy.end(), target.end()]);
});

describe("a writer killed between the source's commit and the mirror", () => {
  it("leaves an intent that db replay turns into the target's row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stepwise-crash-log-"));
    const died = await crashingWrite("write", 1, dir);
    expect(died).toMatchObject({ signal: "SIGKILL", code: null });
    // Committed on the source, never mirrored.
    expect(await namesOf(legacy, [1])).toEqual([{ id: "1", name: "written" }]);
    expect(await namesOf(target, [1])).toEqual([]);

    const run = await runCli(
      "db",
      "replay",
      "--log",
      dir,
      "--source",
      SOURCE_ENV,
      "--target",
      TARGET_ENV,
      "--json",
    );
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ waiting: 0, inStep: true });
    expect(await namesOf(target, [1])).toEqual([{ id: "1", name: "written" }]);
  });

  it("leaves intents of a transaction and of a delete that the next writer replays", async () => {
    await legacy.query(`INSERT INTO ${ACCOUNTS} VALUES (30, 'to delete')`);
    await target.query(`INSERT INTO ${ACCOUNTS} VALUES (30, 'to delete')`);
    const dir = mkdtempSync(join(tmpdir(), "stepwise-crash-log-"));
    expect(await crashingWrite("transaction", 20, dir)).toMatchObject({ signal: "SIGKILL" });
    expect(await crashingWrite("delete", 30, dir)).toMatchObject({ signal: "SIGKILL" });
    expect(await namesOf(target, [20, 21, 30])).toEqual([{ id: "30", name: "to delete" }]);

    const writer = new DualWriter({
      primary: legacyUrl,
      secondary: targetUrl,
      tables: [ACCOUNTS],
      replayLogDir: dir,
    });
    await writer.open();
    try {
      expect(await writer.drain(30_000)).toBe(true);
      expect(writer.state).toMatchObject({ waiting: 0, lost: 0, secondaryHealthy: true });
    } finally {
      await writer.close();
    }
    const expected = [
      { id: "20", name: "in a transaction" },
      { id: "21", name: "in a transaction" },
    ];
    expect(await namesOf(legacy, [20, 21, 30])).toEqual(expected);
    expect(await namesOf(target, [20, 21, 30])).toEqual(expected);
  });

  it("passes the intent of a write the source refused at COMMIT, logging nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stepwise-crash-log-"));
    const writer = new DualWriter({
      primary: legacyUrl,
      secondary: targetUrl,
      tables: [CODES],
      replayLogDir: dir,
    });
    await writer.open();
    try {
      await writer.write(CODES, `INSERT INTO ${CODES} VALUES (1, 'a') RETURNING *`);
      // The deferred unique check fails at COMMIT, after the intent was on disk.
      await expect(
        writer.write(CODES, `INSERT INTO ${CODES} VALUES (2, 'a') RETURNING *`),
      ).rejects.toThrow(/duplicate key/);
      expect(writer.state).toMatchObject({
        primaryFailures: 1,
        mirrored: 1,
        spooled: 0,
        waiting: 0,
        secondaryHealthy: true,
      });
    } finally {
      await writer.close();
    }
    const identity = ReplayLog.manifest(dir);
    expect(identity).toBeDefined();
    const log = ReplayLog.open(dir, identity as ReplayLogIdentity);
    try {
      expect(log.waiting).toBe(0); // no intent left behind
    } finally {
      await log.close();
    }
  });
});
