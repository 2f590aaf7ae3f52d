/**
 * Replacing a small file all or nothing, durable once the call returns: the new text goes to a
 * temporary file in the same folder, is flushed to disk, and is renamed over the file, then the
 * folder is flushed, so a full disk, a crash or a power cut midway leaves the old file (or no
 * file) as it was. Stack files, checkpoints, replay-log state and offset mappings all use it.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** Writes some of `data` at the file's position, returns how many bytes (fs.writeSync's shape). */
export type WriteChunk = (fd: number, data: Uint8Array) => number;

export interface DurableWriteOptions {
  /** Permissions of a file that does not exist yet; an existing file keeps its own. @default 0o600 */
  readonly mode?: number;
  /** The low-level write, a parameter so that a failing disk can be simulated. */
  readonly write?: WriteChunk;
}

/** The path written through: a link to the file stays a link. */
function targetOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

function modeOf(path: string, fallback: number): number {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return fallback;
  }
}

/** Replaces `file` with `text`; throws the underlying error with the file left as it was. */
export function writeFileDurably(
  file: string,
  text: string,
  options: DurableWriteOptions = {},
): void {
  const target = targetOf(file);
  const folder = dirname(target);
  const temporary = join(folder, `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  const write = options.write ?? writeSync;
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "wx");
    fchmodSync(fd, modeOf(target, options.mode ?? 0o600));
    const data = Buffer.from(text, "utf8");
    for (let offset = 0; offset < data.length;) {
      const written = write(fd, data.subarray(offset));
      if (written <= 0) throw new Error(`wrote ${written} bytes at offset ${offset}`);
      offset += written;
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, target);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(folder);
}

/** Makes a rename durable; not every file system lets a folder be synced. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Written and renamed; only its survival of a power cut is not assured.
  }
}
