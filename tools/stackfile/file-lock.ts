/**
 * An exclusive lock beside a stack file (`<file>.lock`, created with O_EXCL), so that two
 * commands editing one stack run one after the other instead of one silently undoing the
 * other's edit. The lock names its holder; one left behind by a process that no longer runs on
 * this host is taken over.
 */
import { randomUUID } from "node:crypto";
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { StackFileError } from "./phase-edit";

/** Who holds a lock, as written into the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The command line that took it, e.g. "stepwise advance dev events". */
  readonly command: string;
  readonly since: string;
  /** Tells this holder's lock from a later one by the same pid. */
  readonly token: string;
}

/** Another command holds the stack file's lock. */
export class StackFileLockedError extends StackFileError {}

export function lockFileOf(file: string): string {
  return `${file}.lock`;
}

/**
 * Takes the lock of `file` for `command` and returns the function that releases it. Throws
 * StackFileLockedError, naming the holder, when a running command holds it.
 */
export function acquireFileLock(file: string, command: string): () => void {
  const lock = lockFileOf(file);
  const mine: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
    token: randomUUID(),
  };
  // A second try only after a stale lock was moved out of the way.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(lock, mine)) return () => release(lock, mine.token);
    const holder = readHolder(lock);
    if (holder === "gone") continue;
    if (holder === "unreadable" || !isStale(holder)) throw lockedError(file, lock, holder);
    takeOverStale(lock, holder);
  }
  throw lockedError(file, lock, readHolder(lock));
}

function tryCreate(lock: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(lock, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new StackFileError(
      `cannot create the lock file ${lock} (${(error as Error).message}); the stack file is unchanged`,
    );
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(lock: string): LockHolder | "gone" | "unreadable" {
  let text: string;
  try {
    text = readFileSync(lock, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "unreadable";
  }
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    return typeof holder.pid === "number" && typeof holder.token === "string"
      ? (holder as LockHolder)
      : "unreadable";
  } catch {
    return "unreadable";
  }
}

/** Stale: taken on this host by a process that has ended. Another host's lock is never stale. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Moves a stale lock aside. The rename is atomic, so of two processes taking over the same stale
 * lock one moves it; if what was moved turns out to be a fresh lock taken meanwhile, it is put
 * back and this process backs off.
 */
function takeOverStale(lock: string, stale: LockHolder): void {
  const aside = `${lock}.stale-${process.pid}-${randomUUID()}`;
  try {
    renameSync(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = readHolder(aside);
  if (moved !== "gone" && moved !== "unreadable" && moved.token === stale.token) {
    rmSync(aside, { force: true });
    return;
  }
  try {
    linkSync(aside, lock);
  } catch {
    // Another process took the lock meanwhile: it is held either way.
  }
  rmSync(aside, { force: true });
  throw lockedError(lock.slice(0, -".lock".length), lock, moved);
}

function release(lock: string, token: string): void {
  const holder = readHolder(lock);
  if (holder !== "gone" && holder !== "unreadable" && holder.token === token) unlinkSync(lock);
}

function lockedError(
  file: string,
  lock: string,
  holder: LockHolder | "gone" | "unreadable",
): StackFileLockedError {
  const who =
    typeof holder === "object"
      ? `${JSON.stringify(holder.command)} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`
      : "another command";
  return new StackFileLockedError(
    `${file} is being edited by ${who}; nothing was changed. Wait for it to finish and run this again; if no such command is running, remove ${lock}`,
  );
}

/** Runs `work` holding `file`'s lock; the lock is released however `work` ends. */
export async function withFileLock<T>(
  file: string,
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  const release = acquireFileLock(file, command);
  try {
    return await work();
  } finally {
    release();
  }
}
