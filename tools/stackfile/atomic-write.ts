/**
 * Replacing a stack file all or nothing: the new text goes to a temporary file in the same
 * folder, is flushed to disk, and is renamed over the file, so a full disk or a crash midway
 * leaves the old file as it was; and only if the file still holds the text the command read,
 * so an edit made meanwhile is never overwritten.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { StackFileError } from "./phase-edit";

/** Writes some of `data` at the file's position, returns how many bytes (fs.writeSync's shape). */
export type WriteChunk = (fd: number, data: Uint8Array) => number;

/** The file changed between the command reading it and writing it. */
export class StackFileChangedError extends StackFileError {}

/** The new text could not be written; the file is unchanged. */
export class StackFileWriteError extends StackFileError {}

/**
 * Replaces `file`'s text with `updated` if it still is `expected`. Throws
 * StackFileChangedError (nothing written) when it is not, StackFileWriteError when writing fails.
 * `write` is the low-level write, a parameter so that a failing disk can be simulated.
 */
export function replaceStackFile(
  file: string,
  expected: string,
  updated: string,
  write: WriteChunk = writeSync,
): void {
  if (textOf(file) !== expected) {
    throw new StackFileChangedError(
      `${file} changed while this command ran (another edit or command wrote it); nothing was written. Look at the file and run the command again`,
    );
  }
  writeFileAtomically(file, updated, write);
}

function textOf(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export function writeFileAtomically(
  file: string,
  text: string,
  write: WriteChunk = writeSync,
): void {
  // Through a symlink to the file itself, so the link stays a link.
  const target = realpathSync(file);
  const folder = dirname(target);
  const temporary = join(folder, `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "wx");
    fchmodSync(fd, statSync(target).mode & 0o7777);
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
    throw new StackFileWriteError(
      `could not write ${file} (${(error as Error).message}); it is unchanged. Free some space or fix the folder's permissions and run the command again`,
    );
  }
  syncFolder(folder);
}

/** Makes the rename itself durable; not every file system lets a folder be synced. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // The file is written and renamed; only its durability across a power cut is not assured.
  }
}
