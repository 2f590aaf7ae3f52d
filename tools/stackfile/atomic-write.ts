/**
 * Replacing a stack file all or nothing: the new text goes to a temporary file in the same
 * folder, is flushed to disk, and is renamed over the file, so a full disk or a crash midway
 * leaves the old file as it was; and only if the file still holds the text the command read,
 * so an edit made meanwhile is never overwritten.
 */
import { readFileSync, writeSync } from "node:fs";
import { writeFileDurably, type WriteChunk } from "../durable-file";
import { StackFileError } from "./phase-edit";

export type { WriteChunk };

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

function writeFileAtomically(file: string, text: string, write: WriteChunk): void {
  try {
    writeFileDurably(file, text, { write });
  } catch (error) {
    throw new StackFileWriteError(
      `could not write ${file} (${(error as Error).message}); it is unchanged. Free some space or fix the folder's permissions and run the command again`,
    );
  }
}
