/**
 * A durable, append-only local spool for messages the secondary cluster did not take.
 *
 * Each append is one write of whole JSON lines followed by fsync, so a message is on disk before
 * publish() returns. Replay reads from a cursor (byte offset) that is itself replaced atomically
 * (write, fsync, rename) after the secondary acknowledged; a crash between the two replays a
 * batch twice — at-least-once, and the message-id header makes the duplicates recognisable.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/** One spooled message, in the form it is sent again. */
export interface SpooledMessage {
  readonly topic: string;
  readonly partition?: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

interface Cursor {
  readonly byteOffset: number;
  readonly replayed: number;
}

export class Spool {
  private readonly logPath: string;
  private readonly cursorPath: string;
  private readonly fd: number;
  private size: number;
  private cursor: Cursor;
  private waiting: number;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.logPath = join(dir, "spool.jsonl");
    this.cursorPath = join(dir, "spool.cursor.json");
    this.fd = openSync(this.logPath, "a+");
    this.size = dropTornTail(this.fd);
    this.cursor = existsSync(this.cursorPath)
      ? (JSON.parse(readFileSync(this.cursorPath, "utf8")) as Cursor)
      : { byteOffset: 0, replayed: 0 };
    if (this.cursor.byteOffset > this.size) this.writeCursor({ byteOffset: 0, replayed: 0 });
    this.waiting = countLines(this.fd, this.cursor.byteOffset, this.size);
  }

  /** How many messages wait for replay. */
  get waitingMessages(): number {
    return this.waiting;
  }

  /** True while anything waits for replay; later messages must then queue behind it. */
  get pending(): boolean {
    return this.size > this.cursor.byteOffset;
  }

  /** Appends the messages and returns only once they are on disk. */
  append(messages: readonly SpooledMessage[]): void {
    const text = messages.map((m) => JSON.stringify(m) + "\n").join("");
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    while (written < bytes.length)
      written += writeSync(this.fd, bytes, written, bytes.length - written);
    fsyncSync(this.fd);
    this.size += bytes.length;
    this.waiting += messages.length;
  }

  /**
   * The oldest messages not yet replayed: at most `limit`, all of the first one's topic (so one
   * produce request keeps their order), with the cursor after them.
   */
  peek(limit: number): { messages: SpooledMessage[]; next: Cursor } {
    const messages: SpooledMessage[] = [];
    let offset = this.cursor.byteOffset;
    let chunk = Buffer.alloc(256 * 1024);
    while (messages.length < limit && offset < this.size) {
      const length = Math.min(chunk.length, this.size - offset);
      readSync(this.fd, chunk, 0, length, offset);
      const end = chunk.subarray(0, length).lastIndexOf(0x0a);
      if (end < 0) {
        chunk = Buffer.alloc(chunk.length * 2); // one line longer than the buffer
        continue;
      }
      let start = 0;
      let sameTopic = true;
      while (start <= end && messages.length < limit) {
        const newline = chunk.indexOf(0x0a, start);
        const message = JSON.parse(chunk.toString("utf8", start, newline)) as SpooledMessage;
        if (messages.length > 0 && message.topic !== messages[0].topic) {
          sameTopic = false;
          break;
        }
        messages.push(message);
        start = newline + 1;
      }
      offset += start;
      if (!sameTopic) break;
    }
    return {
      messages,
      next: { byteOffset: offset, replayed: this.cursor.replayed + messages.length },
    };
  }

  /** Records that everything before `next` reached the secondary; empties the spool when done. */
  commit(next: Cursor): void {
    this.waiting -= next.replayed - this.cursor.replayed;
    if (next.byteOffset >= this.size) {
      // Fully replayed: start over with an empty file (appends are synchronous, so none is lost).
      ftruncateSync(this.fd, 0);
      fsyncSync(this.fd);
      this.size = 0;
      this.writeCursor({ byteOffset: 0, replayed: next.replayed });
    } else {
      this.writeCursor(next);
    }
  }

  /** Messages replayed since the spool was created (survives restarts). */
  get replayed(): number {
    return this.cursor.replayed;
  }

  close(): void {
    closeSync(this.fd);
  }

  private writeCursor(cursor: Cursor): void {
    const temporary = `${this.cursorPath}.tmp`;
    writeFileSync(temporary, JSON.stringify(cursor));
    const fd = openSync(temporary, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.cursorPath);
    this.cursor = cursor;
  }
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
