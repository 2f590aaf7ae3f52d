/**
 * A durable, append-only local spool: the dual publisher's write-ahead log for the secondary.
 *
 * append() resolves once its lines are on disk (written and fdatasync'd). Appends that arrive
 * while a write is in flight are written together with one sync (group commit), and the disk
 * work runs off the event loop, so it overlaps the primary's round trip.
 *
 * Replay reads from a cursor (byte offset). The cursor is persisted at most every
 * `cursorPersistMs` and on close: a crash replays the last messages again (at-least-once; the
 * message-id header makes those duplicates recognisable) but never skips one. The file is
 * emptied once everything is replayed and it has grown past `compactAtBytes`, off the event loop
 * too: truncating a file of some MiB stalls the calling thread for milliseconds.
 */
import {
  closeSync,
  existsSync,
  fdatasync,
  fstatSync,
  fsyncSync,
  ftruncate,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  write,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);
const ftruncateAsync = promisify(ftruncate);

/** What a spool holds: anything with a topic (a peek never mixes topics). */
export interface SpoolMessage {
  readonly topic: string;
}

/** How messages become lines of the file and back; one line each, without a newline. */
export interface SpoolCodec<T> {
  encode(message: T): string;
  decode(line: string): T;
}

const jsonCodec: SpoolCodec<never> = {
  encode: (message) => JSON.stringify(message),
  decode: (line) => JSON.parse(line) as never,
};

interface Cursor {
  readonly byteOffset: number;
  readonly replayed: number;
}

/** What a peek returns: the messages and the cursor after them, for commit(). */
export interface Peeked<T> {
  readonly messages: T[];
  readonly next: Cursor;
}

/** A message's share of a peek's byte budget, given its line's bytes. */
export type MessageSize<T> = (message: T, lineBytes: number) => number;
const lineSize = (_message: unknown, lineBytes: number) => lineBytes;

export interface SpoolOptions<T> {
  /** @default JSON, one object per line */
  readonly codec?: SpoolCodec<T>;
  /** Empty the file once fully replayed and at least this big. @default 16 MiB */
  readonly compactAtBytes?: number;
  /** How often replay progress is written to disk. @default 200 */
  readonly cursorPersistMs?: number;
  /**
   * Messages appended by this process kept in memory for replay, so it need not read and parse
   * them back; beyond this, replay reads the file until it has caught up. @default 20_000
   */
  readonly cachedMessages?: number;
  /**
   * Bytes the file may hold; an append that would pass it is refused with SpoolFullError and
   * nothing of it is written. @default unbounded
   */
  readonly maxBytes?: number;
}

/** An append refused because the spool holds `maxBytes` already; nothing of it was written. */
export class SpoolFullError extends Error {
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    super(
      `spool ${dir} is full (${maxBytes} bytes, its maxBytes); the secondary must catch up before more can be spooled`,
    );
  }
}

interface QueuedAppend<T> {
  readonly bytes: Buffer;
  readonly messages: readonly T[];
  readonly lineBytes: readonly number[];
  resolve(): void;
  reject(error: unknown): void;
}

export class Spool<T extends SpoolMessage> {
  private readonly logPath: string;
  private readonly cursorPath: string;
  private readonly fd: number;
  private readonly compactAtBytes: number;
  private readonly cursorPersistMs: number;
  /** Bytes on disk and synced; peek never reads past it. */
  private size: number;
  private cursor: Cursor;
  private cursorPersistedAt = 0;
  private waiting: number;
  private queue: QueuedAppend<T>[] = [];
  private readonly codec: SpoolCodec<T>;
  /** The one writer: appends and compaction, in turn (see flush()). */
  private flushing: Promise<void> | undefined;
  private compactionDue = false;
  /** The file was emptied and the cursor on disk still points past its end. */
  private cursorUnsaved = false;
  private readonly cachedMessages: number;
  private readonly maxBytes: number;
  /** Bytes of appends queued and not yet written, counted against maxBytes. */
  private queuedBytes = 0;
  /**
   * While `cached`, recent[recentHead..] are exactly the lines from the cursor to `size`, each
   * with the byte offset where it ends; peek serves them without touching the file.
   */
  private cached: boolean;
  private recent: Array<{ readonly message: T; readonly end: number }> = [];
  private recentHead = 0;

  constructor(
    readonly dir: string,
    options: SpoolOptions<T> = {},
  ) {
    this.codec = options.codec ?? jsonCodec;
    mkdirSync(dir, { recursive: true });
    this.logPath = join(dir, "spool.jsonl");
    this.cursorPath = join(dir, "spool.cursor.json");
    this.compactAtBytes = options.compactAtBytes ?? 16 * 1024 * 1024;
    this.cursorPersistMs = options.cursorPersistMs ?? 200;
    if (!existsSync(this.logPath)) writeFileSync(this.logPath, "");
    this.fd = openSync(this.logPath, "r+");
    this.size = dropTornTail(this.fd);
    this.cursor = readCursor(this.cursorPath, this.fd, this.size);
    this.waiting = countLines(this.fd, this.cursor.byteOffset, this.size);
    this.cachedMessages = options.cachedMessages ?? 20_000;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.cached = this.cursor.byteOffset === this.size;
  }

  /** How many messages wait for replay. */
  get waitingMessages(): number {
    return this.waiting;
  }

  /** True while anything on disk waits for replay. */
  get pending(): boolean {
    return this.size > this.cursor.byteOffset;
  }

  /** Appends the messages; resolves only once they are on disk. */
  append(messages: readonly T[]): Promise<void> {
    const lines = messages.map((m) => this.codec.encode(m) + "\n");
    const bytes = Buffer.from(lines.join(""), "utf8");
    const lineBytes = lines.map((line) => Buffer.byteLength(line));
    // Replayed lines stay in the file until it is emptied; only unreplayed ones count.
    const held = this.size - this.cursor.byteOffset + this.queuedBytes;
    if (held + bytes.length > this.maxBytes)
      return Promise.reject(new SpoolFullError(this.dir, this.maxBytes));
    this.queuedBytes += bytes.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, messages, lineBytes, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /**
   * The oldest messages not yet replayed: at most `limit`, and at most `maxBytes` as `sizeOf`
   * counts them (their lines' bytes unless told otherwise; but always one), all of the first
   * one's topic (so one produce request keeps their order), with the cursor after them.
   */
  peek(limit: number, maxBytes = Infinity, sizeOf: MessageSize<T> = lineSize): Peeked<T> {
    const messages: T[] = [];
    let size = 0;
    /** Takes the message unless it would break the topic or the byte budget. */
    const take = (message: T, lineBytes: number): boolean => {
      size += sizeOf(message, lineBytes);
      if (messages.length > 0 && (message.topic !== messages[0].topic || size > maxBytes))
        return false;
      messages.push(message);
      return true;
    };
    const byteOffset = this.cached ? this.peekCached(limit, take) : this.peekFile(limit, take);
    return { messages, next: { byteOffset, replayed: this.cursor.replayed + messages.length } };
  }

  /** Reads lines from the cursor while `take` accepts them; returns where the taken ones end. */
  private peekFile(limit: number, take: (message: T, lineBytes: number) => boolean): number {
    let taken = 0;
    let offset = this.cursor.byteOffset;
    let chunk = Buffer.alloc(256 * 1024);
    while (taken < limit && offset < this.size) {
      const length = Math.min(chunk.length, this.size - offset);
      readSync(this.fd, chunk, 0, length, offset);
      const end = chunk.subarray(0, length).lastIndexOf(0x0a);
      if (end < 0) {
        chunk = Buffer.alloc(chunk.length * 2); // one line longer than the buffer
        continue;
      }
      let start = 0;
      let full = false;
      while (start <= end && taken < limit) {
        const newline = chunk.indexOf(0x0a, start);
        if (!take(this.codec.decode(chunk.toString("utf8", start, newline)), newline + 1 - start)) {
          full = true;
          break;
        }
        taken++;
        start = newline + 1;
      }
      offset += start;
      if (full) break;
    }
    return offset;
  }

  private peekCached(limit: number, take: (message: T, lineBytes: number) => boolean): number {
    let byteOffset = this.cursor.byteOffset;
    for (let i = this.recentHead, taken = 0; i < this.recent.length && taken < limit; i++) {
      const { message, end } = this.recent[i];
      if (!take(message, end - byteOffset)) break;
      byteOffset = end;
      taken++;
    }
    return byteOffset;
  }

  /** Records that everything before `next` reached the secondary. */
  commit(next: Cursor): void {
    this.waiting -= next.replayed - this.cursor.replayed;
    this.cursor = next;
    this.dropCachedBefore(next.byteOffset);
    if (next.byteOffset >= this.size && this.size >= this.compactAtBytes) {
      this.compactionDue = true; // the writer empties the file before its next write
      this.flushing ??= this.flush();
    } else if (Date.now() - this.cursorPersistedAt >= this.cursorPersistMs) {
      this.persistCursor(next);
    }
  }

  /** Messages replayed since the spool was created (survives restarts). */
  get replayed(): number {
    return this.cursor.replayed;
  }

  /** Waits for appends in flight, persists the cursor and closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.persistCursor(this.cursor);
    closeSync(this.fd);
  }

  /**
   * Writes everything queued, one write and one sync per round (group commit); empties the file
   * first when a commit found it fully replayed.
   */
  private async flush(): Promise<void> {
    try {
      if (this.compactionDue) await this.compact();
      while (this.queue.length > 0) {
        const round = this.queue.splice(0);
        const bytes = Buffer.concat(round.map((a) => a.bytes));
        this.queuedBytes -= bytes.length;
        try {
          // No new line before the disk knows the file was emptied (see compact()).
          if (this.cursorUnsaved) {
            this.persistCursor(this.cursor);
            this.cursorUnsaved = false;
          }
          for (let written = 0; written < bytes.length;) {
            const { bytesWritten } = await writeAsync(
              this.fd,
              bytes,
              written,
              bytes.length - written,
              this.size + written,
            );
            written += bytesWritten;
          }
          await fdatasyncAsync(this.fd);
        } catch (error) {
          // Cut what may have reached the file, so the lines these callers were refused for
          // are not replayed later.
          try {
            ftruncateSync(this.fd, this.size);
          } catch {
            // the disk is failing; the torn-tail check on the next start handles what is left
          }
          round.forEach((a) => a.reject(error));
          continue;
        }
        this.cacheAppended(round);
        this.size += bytes.length;
        this.waiting += round.reduce((n, a) => n + a.messages.length, 0);
        round.forEach((a) => a.resolve());
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /**
   * Starts over with an empty file, if still nothing waits (appends queued meanwhile are written
   * after it). The new cursor is persisted before the next line is written (flush()), or a stale
   * one could point into the middle of new lines; until then the one on disk points past the
   * end, which readCursor() resets. Never throws: nobody may be waiting for it.
   */
  private async compact(): Promise<void> {
    this.compactionDue = false;
    if (this.cursor.byteOffset < this.size) return;
    try {
      await ftruncateAsync(this.fd, 0);
    } catch {
      return; // a full file is only a bigger file; the next commit tries again
    }
    this.size = 0;
    this.cursor = { byteOffset: 0, replayed: this.cursor.replayed };
    this.cursorUnsaved = true;
  }

  private cacheAppended(round: readonly QueuedAppend<T>[]): void {
    if (!this.cached) return;
    let end = this.size;
    for (const { messages, lineBytes } of round)
      messages.forEach((message, i) => {
        end += lineBytes[i];
        this.recent.push({ message, end });
      });
    if (this.recent.length - this.recentHead > this.cachedMessages) {
      this.cached = false; // replay reads the file until it has caught up
      this.recent = [];
      this.recentHead = 0;
    }
  }

  private dropCachedBefore(byteOffset: number): void {
    if (!this.cached) {
      // Caught up: what is appended from now on starts at the cursor.
      this.cached = byteOffset === this.size;
      return;
    }
    while (this.recentHead < this.recent.length && this.recent[this.recentHead].end <= byteOffset)
      this.recentHead++;
    if (this.recentHead > 1024 || this.recentHead === this.recent.length) {
      this.recent = this.recent.slice(this.recentHead);
      this.recentHead = 0;
    }
  }

  private persistCursor(cursor: Cursor): void {
    const temporary = `${this.cursorPath}.tmp`;
    writeFileSync(temporary, JSON.stringify(cursor));
    const fd = openSync(temporary, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.cursorPath);
    this.cursorPersistedAt = Date.now();
  }
}

/**
 * The persisted cursor, or the start of the file when it is missing, unreadable or does not
 * point at a line start (replaying again is safe; skipping is not).
 */
function readCursor(path: string, fd: number, size: number): Cursor {
  let cursor: Cursor = { byteOffset: 0, replayed: 0 };
  try {
    if (existsSync(path)) cursor = JSON.parse(readFileSync(path, "utf8")) as Cursor;
  } catch {
    return { byteOffset: 0, replayed: 0 };
  }
  if (cursor.byteOffset === 0) return cursor;
  const before = Buffer.alloc(1);
  const atLineStart =
    cursor.byteOffset <= size && readSync(fd, before, 0, 1, cursor.byteOffset - 1) === 1;
  return atLineStart && before[0] === 0x0a ? cursor : { byteOffset: 0, replayed: cursor.replayed };
}

function countLines(fd: number, from: number, to: number): number {
  const chunk = Buffer.alloc(256 * 1024);
  let lines = 0;
  for (let position = from; position < to; position += chunk.length) {
    const length = readSync(fd, chunk, 0, Math.min(chunk.length, to - position), position);
    for (let i = 0; i < length; i++) if (chunk[i] === 0x0a) lines++;
  }
  return lines;
}

/** A crash mid-append can leave half a line; it was never acknowledged, so it is dropped. */
function dropTornTail(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const tail = Buffer.alloc(Math.min(size, 1024 * 1024));
  let position = size;
  while (position > 0) {
    const length = Math.min(tail.length, position);
    readSync(fd, tail, 0, length, position - length);
    const newline = tail.subarray(0, length).lastIndexOf(0x0a);
    if (newline >= 0) {
      const keep = position - length + newline + 1;
      if (keep !== size) ftruncateSync(fd, keep);
      return keep;
    }
    position -= length;
  }
  ftruncateSync(fd, 0);
  return 0;
}
