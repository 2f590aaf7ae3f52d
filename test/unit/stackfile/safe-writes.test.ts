import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acquireFileLock,
  lockFileOf,
  replaceStackFile,
  StackFileChangedError,
  StackFileLockedError,
  StackFileWriteError,
  withFileLock,
  type WriteChunk,
} from "../../../tools/stackfile";

const ORIGINAL = "config:\n  stepwise:phases:\n    events: redpanda # keep this comment\n";
const UPDATED = "config:\n  stepwise:phases:\n    events: parallel # keep this comment\n";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stepwise-writes-"));
  file = join(dir, "Pulumi.dev.yaml");
  writeFileSync(file, ORIGINAL);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = () => readFileSync(file);
const leftovers = () => readdirSync(dir).filter((name) => name !== "Pulumi.dev.yaml");

/** A disk that fills up after `room` bytes, the way writeSync fails with ENOSPC. */
function diskFullAfter(room: number): WriteChunk {
  let used = 0;
  return (fd, data) => {
    if (used >= room)
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const written = writeSync(fd, data.subarray(0, Math.min(data.length, room - used)));
    used += written;
    return written;
  };
}

/** The pid of a process that has ended (what a crashed command leaves in its lock). */
function endedPid(): number {
  const run = spawnSync("true");
  if (run.pid === undefined) throw new Error("could not start `true`");
  return run.pid;
}

function writeLock(holder: Record<string, unknown>): void {
  writeFileSync(lockFileOf(file), JSON.stringify(holder));
}

describe("replaceStackFile", () => {
  it("replaces the text whole and keeps the file's mode; no temporary file is left", () => {
    chmodSync(file, 0o640);
    replaceStackFile(file, ORIGINAL, UPDATED);
    expect(readFileSync(file, "utf8")).toBe(UPDATED);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(leftovers()).toEqual([]);
  });

  it("a disk that fills up midway: the error says the file is unchanged, and it is, byte for byte", () => {
    const before = bytes();
    const half = Math.floor(UPDATED.length / 2);
    expect(() => replaceStackFile(file, ORIGINAL, UPDATED, diskFullAfter(half))).toThrow(
      StackFileWriteError,
    );
    expect(() => replaceStackFile(file, ORIGINAL, UPDATED, diskFullAfter(half))).toThrow(
      `could not write ${file} (ENOSPC: no space left on device, write); it is unchanged`,
    );
    expect(bytes().equals(before)).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it("a write that makes no progress fails instead of looping; the file is unchanged", () => {
    const before = bytes();
    expect(() => replaceStackFile(file, ORIGINAL, UPDATED, () => 0)).toThrow(StackFileWriteError);
    expect(bytes().equals(before)).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it("refuses when the file changed since it was read, and keeps that change", () => {
    const edited = `${ORIGINAL}# an edit saved meanwhile\n`;
    writeFileSync(file, edited);
    expect(() => replaceStackFile(file, ORIGINAL, UPDATED)).toThrow(StackFileChangedError);
    expect(() => replaceStackFile(file, ORIGINAL, UPDATED)).toThrow(
      `${file} changed while this command ran`,
    );
    expect(readFileSync(file, "utf8")).toBe(edited);
  });

  it("refuses when the file was removed meanwhile, and does not bring it back", () => {
    rmSync(file);
    expect(() => replaceStackFile(file, ORIGINAL, UPDATED)).toThrow(StackFileChangedError);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("the stack file's lock", () => {
  it("is exclusive: a second taker is told who holds it; released, it is gone", () => {
    const release = acquireFileLock(file, "stepwise advance dev events");
    expect(() => acquireFileLock(file, "stepwise rollback dev api")).toThrow(StackFileLockedError);
    expect(() => acquireFileLock(file, "stepwise rollback dev api")).toThrow(
      new RegExp(
        `^${file.replaceAll(".", "\\.")} is being edited by "stepwise advance dev events" \\(pid ${process.pid} on .+\\); nothing was changed`,
      ),
    );
    release();
    expect(leftovers()).toEqual([]);
    acquireFileLock(file, "stepwise rollback dev api")();
    expect(leftovers()).toEqual([]);
  });

  it("is released when the work fails", async () => {
    await expect(
      withFileLock(file, "stepwise advance dev events", () => Promise.reject(new Error("boom"))),
    ).rejects.toThrow("boom");
    expect(leftovers()).toEqual([]);
  });

  it("held by a running process on this host: refused, the lock stays", () => {
    const sleeper = spawn("sleep", ["30"]);
    try {
      writeLock({
        pid: sleeper.pid,
        host: hostname(),
        command: "stepwise advance dev events",
        since: "2026-11-26T12:00:00.000Z",
        token: "t",
      });
      expect(() => acquireFileLock(file, "stepwise advance dev api")).toThrow(
        `(pid ${sleeper.pid} on`,
      );
      expect(leftovers()).toEqual(["Pulumi.dev.yaml.lock"]);
    } finally {
      sleeper.kill();
    }
  });

  it("left by a process that ended (a crash): taken over, and released cleanly", () => {
    writeLock({
      pid: endedPid(),
      host: hostname(),
      command: "stepwise advance dev events",
      since: "2026-11-26T12:00:00.000Z",
      token: "t",
    });
    const release = acquireFileLock(file, "stepwise advance dev api");
    const holder = JSON.parse(readFileSync(lockFileOf(file), "utf8")) as {
      pid: number;
      command: string;
    };
    expect([holder.pid, holder.command]).toEqual([process.pid, "stepwise advance dev api"]);
    release();
    expect(leftovers()).toEqual([]);
  });

  it("taken on another host: never assumed stale, since its process cannot be checked", () => {
    writeLock({
      pid: endedPid(),
      host: "some-other-host",
      command: "stepwise advance dev events",
      since: "2026-11-26T12:00:00.000Z",
      token: "t",
    });
    expect(() => acquireFileLock(file, "stepwise advance dev api")).toThrow(
      `on some-other-host, since 2026-11-26T12:00:00.000Z); nothing was changed. Wait for it to finish and run this again; if no such command is running, remove ${lockFileOf(file)}`,
    );
  });

  it("unreadable (not a lock stepwise wrote): refused with the file to remove", () => {
    writeFileSync(lockFileOf(file), "garbage");
    expect(() => acquireFileLock(file, "stepwise advance dev api")).toThrow(
      `is being edited by another command; nothing was changed. Wait for it to finish and run this again; if no such command is running, remove ${lockFileOf(file)}`,
    );
  });
});
