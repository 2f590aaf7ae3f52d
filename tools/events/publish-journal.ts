/**
 * The dual publisher's durable journal: what each publish() asked of the primary, what the
 * primary answered, and how far the secondary has been sent.
 *
 * Three kinds of line, one JSON object each:
 * - intent `{"i":seq,"t":topic,"p":partition,"r":[[timestamp,messageId,record base64],...]}`,
 *   written and synced while the primary's request is in flight;
 * - ack `{"a":seq,"o":"offset"}` once the primary acknowledged the intent at that base offset;
 * - reject `{"x":seq}` once the primary refused it.
 *
 * Only acknowledged intents are forwarded, in the order of their ack lines (the publisher keeps
 * one primary request in flight per topic, so that is the order the primary assigned offsets).
 * The cursor (`journal.cursor.json`) is the position after the last ack line the secondary
 * acknowledged, persisted after every forward request. An intent with no outcome line after a
 * crash is "in doubt" and is looked up on the primary (see in-doubt.ts) before anything is
 * published.
 *
 * The journal is cut into segment files of about `segmentBytes`; a segment is deleted as soon as
 * every intent in it is forwarded or refused and every ack line in it is forwarded. An append
 * that would take the journal past `maxBytes` is refused with SpoolFullError (nothing written).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
} from "node:fs";
import { readFileSync, readSync, ftruncateSync } from "node:fs";
import { open, rename, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { SpoolFullError } from "./spool";

export interface JournalRecord {
  readonly timestamp: number;
  readonly messageId: string;
  /** The record's key, value and headers, encoded (produce/record-batch.ts). */
  readonly tail: Buffer;
}

/** One publish()'s records for one partition. */
export interface Intent {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly JournalRecord[];
}

/** An acknowledged intent waiting for the secondary, with the primary's base offset. */
export interface Forwardable extends Intent {
  readonly seq: number;
  readonly offset: bigint;
}

export interface JournalOptions {
  /** Segment size at which a new file is started. @default 8 MiB */
  readonly segmentBytes?: number;
  /** Bytes the journal may hold on disk; more is refused with SpoolFullError. @default 1 GiB */
  readonly maxBytes?: number;
}

interface Position {
  readonly segment: number;
  readonly end: number;
}

interface IntentRef {
  readonly seq: number;
  readonly topic: string;
  readonly partition: number;
  readonly count: number;
  readonly segment: number;
  readonly offset: number;
  readonly length: number;
  /** Earliest record timestamp, for the in-doubt lookup. */
  readonly firstTimestamp: number;
  readonly firstId: string;
}

interface AckRef {
  readonly intent: IntentRef;
  readonly offset: bigint;
  readonly at: Position;
}

interface Segment {
  readonly number: number;
  size: number;
  /** Intents in it not yet forwarded or refused, plus ack lines in it not yet forwarded. */
  open: number;
}

interface QueuedLine {
  readonly text: string;
  /** Runs once the line is in the file (a process crash keeps it), with where it is. */
  readonly written?: (at: Position, segment: number, offset: number, length: number) => void;
  /** Runs once the line is synced to disk (a machine crash keeps it). */
  readonly durable: (at: Position) => void;
  readonly failed: (error: unknown) => void;
}

/** Record bytes of waiting intents kept in memory; beyond it they are read back from the file. */
const CACHE_BYTES = 32 * 1024 * 1024;
/** How long a written answer (ack or reject) may wait for a sync shared with an intent. */
const ANSWER_SYNC_DELAY_MS = 5;
const SEGMENT = /^journal-(\d{10})\.log$/;
const segmentName = (n: number) => `journal-${String(n).padStart(10, "0")}.log`;
const before = (a: Position, b: Position) =>
  a.segment < b.segment || (a.segment === b.segment && a.end <= b.end);

export class PublishJournal {
  private readonly segmentBytes: number;
  private readonly maxBytes: number;
  private readonly cursorPath: string;
  private readonly segments = new Map<number, Segment>();
  private active!: Segment;
  private activeFile: FileHandle | undefined;
  private nextSeq = 1;
  /** Intents whose primary outcome is not yet on disk. */
  private readonly unresolved = new Map<number, IntentRef>();
  private readonly acked: AckRef[] = [];
  private ackedMessages = 0;
  private unresolvedMessages = 0;
  private queue: QueuedLine[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private readFd: Map<number, number> = new Map();
  /** Lines written and not yet synced, with where each ends. */
  private unsynced: Array<{ readonly line: QueuedLine; readonly at: Position }> = [];
  private syncDue = false;
  /** Intents of this run waiting for the secondary, so the forwarder need not read them back. */
  private readonly cache = new Map<number, Intent>();
  private cachedBytes = 0;
  private syncTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** In doubt after the last run: intents with neither an ack nor a reject line. */
  readonly inDoubt: readonly IntentRef[];
  /** Called whenever an ack line reached the disk. */
  onForwardable: () => void = () => undefined;

  constructor(
    readonly dir: string,
    options: JournalOptions = {},
  ) {
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
    this.maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
    mkdirSync(dir, { recursive: true });
    refuseEarlierSpool(dir);
    this.cursorPath = join(dir, "journal.cursor.json");
    this.inDoubt = this.load();
  }

  /** Bytes of the journal's segment files. */
  get bytes(): number {
    let total = 0;
    for (const segment of this.segments.values()) total += segment.size;
    return total;
  }

  /** Messages not yet on the secondary: acknowledged and waiting, or awaiting the primary. */
  get waitingMessages(): number {
    return this.ackedMessages + this.unresolvedMessages;
  }

  /** True while an acknowledged intent waits for the secondary or an outcome is not recorded. */
  get pending(): boolean {
    return this.acked.length > 0 || this.unresolved.size > 0 || this.queue.length > 0;
  }

  /** True while an acknowledged intent waits for the secondary. */
  get forwardable(): boolean {
    return this.acked.length > 0;
  }

  /**
   * Appends the intents; returns their sequence numbers at once (or throws SpoolFullError, with
   * nothing written), a promise that resolves once they are in the file (a process that dies
   * then leaves them for the next) and one that resolves once they are synced to disk.
   */
  appendIntents(intents: readonly Intent[]): {
    seqs: number[];
    written: Promise<void>;
    durable: Promise<void>;
  } {
    const lines = intents.map((intent, i) => {
      const seq = this.nextSeq + i;
      return { intent, seq, text: intentLine(seq, intent) };
    });
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l.text) + 1, 0);
    if (this.bytes + this.queuedBytes + bytes > this.maxBytes)
      throw new SpoolFullError(this.dir, this.maxBytes);
    this.nextSeq += lines.length;
    const written: Array<Promise<void>> = [];
    const durable: Array<Promise<void>> = [];
    for (const { intent, seq, text } of lines) {
      let wrote!: () => void;
      let failedWrite!: (error: unknown) => void;
      written.push(
        new Promise<void>((resolve, reject) => ([wrote, failedWrite] = [resolve, reject])),
      );
      durable.push(
        new Promise<void>((resolve, reject) =>
          this.enqueue({
            text,
            written: (_at, segment, offset, length) => {
              const ref = refOf(
                seq,
                intent.topic,
                intent.partition,
                intent.records,
                segment,
                offset,
                length,
              );
              this.unresolved.set(seq, ref);
              this.remember(seq, intent);
              this.unresolvedMessages += ref.count;
              this.segment(segment).open++;
              wrote();
            },
            durable: () => resolve(),
            failed: (error) => {
              failedWrite(error);
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          }),
        ),
      );
    }
    const all = (promises: Array<Promise<void>>) => Promise.all(promises).then(() => undefined);
    const result = { seqs: lines.map((l) => l.seq), written: all(written), durable: all(durable) };
    // Either may go unawaited when the other rejected first.
    result.written.catch(() => undefined);
    result.durable.catch(() => undefined);
    return result;
  }

  /**
   * Records the primary's answer to a durable intent: its base offset, or undefined when it was
   * refused. Not awaited by publish(): an outcome lost in a crash is looked up on the primary.
   */
  recordOutcome(seq: number, offset: bigint | undefined): Promise<void> {
    const text = offset === undefined ? `{"x":${seq}}` : `{"a":${seq},"o":"${offset}"}`;
    return new Promise((resolve, reject) =>
      this.enqueue({
        text,
        durable: (at) => {
          this.resolveIntent(seq, offset, at);
          resolve();
        },
        failed: reject,
      }),
    );
  }

  /** The in-doubt intents' outcomes, found on the primary; written in the primary's order. */
  async settleInDoubt(found: ReadonlyMap<number, bigint>): Promise<void> {
    const byOffset = [...this.inDoubt].sort((a, b) => {
      const x = found.get(a.seq);
      const y = found.get(b.seq);
      if (x === undefined || y === undefined)
        return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    await Promise.all(byOffset.map((ref) => this.recordOutcome(ref.seq, found.get(ref.seq))));
  }

  /**
   * The oldest acknowledged intents, in ack order, all of the first one's topic: at most
   * `maxMessages` messages (but always one intent). Their records are read back from disk.
   */
  peek(maxMessages: number): Forwardable[] {
    const taken: Forwardable[] = [];
    let messages = 0;
    for (const ack of this.acked) {
      if (
        taken.length > 0 &&
        (ack.intent.topic !== taken[0].topic || messages + ack.intent.count > maxMessages)
      )
        break;
      taken.push({ ...this.readIntent(ack.intent), seq: ack.intent.seq, offset: ack.offset });
      messages += ack.intent.count;
    }
    return taken;
  }

  /** Records that the first `count` acknowledged intents reached the secondary. */
  async commitForwarded(count: number): Promise<void> {
    const done = this.acked.splice(0, count);
    if (done.length === 0) return;
    for (const { intent, at } of done) {
      this.forget(intent.seq);
      this.ackedMessages -= intent.count;
      this.segment(intent.segment).open--;
      this.segment(at.segment).open--;
    }
    const at = done[done.length - 1].at;
    // Asynchronous, unlike tools/durable-file.ts: two syncs on the event loop per forward request
    // would hold up the publish() calls running beside the forwarder.
    const temporary = `${this.cursorPath}.tmp`;
    await writeFile(temporary, JSON.stringify(at), { flush: true });
    await rename(temporary, this.cursorPath);
    // The rename itself must survive a power loss too, or more than one request is sent again.
    const folder = await open(this.dir, "r");
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    await this.dropFinishedSegments();
  }

  /** Waits for queued lines to reach the disk and closes the files. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    if (this.unsynced.length > 0) {
      this.syncDue = true;
      await (this.flushing ??= this.flush());
    }
    clearTimeout(this.syncTimer);
    await this.activeFile?.close();
    this.activeFile = undefined;
    for (const fd of this.readFd.values()) closeSync(fd);
    this.readFd.clear();
  }

  private resolveIntent(seq: number, offset: bigint | undefined, at: Position): void {
    const intent = this.unresolved.get(seq);
    if (!intent) return; // an outcome recorded twice (cannot happen) or for an unknown intent
    this.unresolved.delete(seq);
    this.unresolvedMessages -= intent.count;
    if (offset === undefined) {
      this.forget(seq);
      this.segment(intent.segment).open--; // refused: never forwarded
      return;
    }
    this.acked.push({ intent, offset, at });
    this.ackedMessages += intent.count;
    this.segment(at.segment).open++;
    this.onForwardable();
  }

  private segment(n: number): Segment {
    const segment = this.segments.get(n);
    if (!segment) throw new Error(`journal segment ${n} of ${this.dir} is gone while still needed`);
    return segment;
  }

  private enqueue(line: QueuedLine): void {
    if (this.closed) {
      // An answer that arrives after close() is looked up on the primary by the next run.
      line.failed(new Error(`the journal in ${this.dir} is closed`));
      return;
    }
    this.queue.push(line);
    this.queuedBytes += Buffer.byteLength(line.text) + 1;
    this.flushing ??= this.flush();
  }

  /**
   * Writes everything queued, one write per round. A round with an intent is synced at once
   * (group commit: publish() waits for it); one of answers only is synced with the next intent
   * round, or after ANSWER_SYNC_DELAY_MS, so answers cost no sync of their own under load.
   */
  private async flush(): Promise<void> {
    try {
      for (;;) {
        if (this.queue.length > 0) {
          if (this.active.size >= this.segmentBytes) await this.roll();
          const round = this.queue.splice(0);
          if (!(await this.write(round))) continue;
          if (round.some((line) => line.written !== undefined)) await this.sync();
          else this.syncSoon();
        } else if (this.unsynced.length > 0 && this.syncDue) {
          await this.sync();
        } else {
          break;
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Writes a round after the active segment's end; false (callers refused) when it failed. */
  private async write(round: QueuedLine[]): Promise<boolean> {
    const texts = round.map((l) => l.text + "\n");
    const bytes = Buffer.from(texts.join(""), "utf8");
    this.queuedBytes -= bytes.length;
    const start = this.active.size;
    try {
      this.activeFile ??= await open(join(this.dir, segmentName(this.active.number)), "r+");
      for (let written = 0; written < bytes.length;) {
        const { bytesWritten } = await this.activeFile.write(
          bytes,
          written,
          bytes.length - written,
          start + written,
        );
        written += bytesWritten;
      }
    } catch (error) {
      try {
        await this.activeFile?.truncate(start); // so the refused lines are never read back
      } catch {
        // the disk is failing; the torn-tail check on the next start handles what is left
      }
      round.forEach((l) => l.failed(error));
      return false;
    }
    this.active.size += bytes.length;
    let offset = start;
    for (const [n, line] of round.entries()) {
      const length = Buffer.byteLength(texts[n]);
      const at = { segment: this.active.number, end: offset + length };
      line.written?.(at, this.active.number, offset, length);
      this.unsynced.push({ line, at });
      offset += length;
    }
    return true;
  }

  /** Syncs the active segment; the lines written since the last sync are then durable. */
  private async sync(): Promise<void> {
    const lines = this.unsynced.splice(0);
    this.syncDue = false;
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (lines.length === 0) return;
    try {
      await this.activeFile?.datasync();
    } catch (error) {
      // In the file but perhaps not on disk: its callers are refused; a later sync covers it.
      lines.forEach(({ line }) => line.failed(error));
      return;
    }
    lines.forEach(({ line, at }) => line.durable(at));
  }

  private syncSoon(): void {
    this.syncTimer ??= setTimeout(() => {
      this.syncTimer = undefined;
      this.syncDue = true;
      this.flushing ??= this.flush();
    }, ANSWER_SYNC_DELAY_MS);
  }

  /** Starts the next segment file (synced into its folder) and drops finished ones. */
  private async roll(): Promise<void> {
    await this.sync(); // what is written to the old segment, before it is closed
    await this.activeFile?.close();
    this.activeFile = undefined;
    const number = this.active.number + 1;
    closeSync(openSync(join(this.dir, segmentName(number)), "wx"));
    syncFolder(this.dir);
    this.active = { number, size: 0, open: 0 };
    this.segments.set(number, this.active);
    await this.dropFinishedSegments();
  }

  private async dropFinishedSegments(): Promise<void> {
    for (const segment of [...this.segments.values()]) {
      if (segment === this.active || segment.open > 0) continue;
      this.segments.delete(segment.number);
      const fd = this.readFd.get(segment.number);
      if (fd !== undefined) closeSync(fd);
      this.readFd.delete(segment.number);
      await unlink(join(this.dir, segmentName(segment.number))).catch(() => undefined);
    }
  }

  /** Keeps a new intent's records for the forwarder while the cache has room. */
  private remember(seq: number, intent: Intent): void {
    const bytes = intent.records.reduce((n, r) => n + r.tail.length, 0);
    if (this.cachedBytes + bytes > CACHE_BYTES) return; // read back from the file instead
    this.cache.set(seq, intent);
    this.cachedBytes += bytes;
  }

  private forget(seq: number): void {
    const intent = this.cache.get(seq);
    if (!intent) return;
    this.cache.delete(seq);
    this.cachedBytes -= intent.records.reduce((n, r) => n + r.tail.length, 0);
  }

  private readIntent(ref: IntentRef): Intent {
    const cached = this.cache.get(ref.seq);
    if (cached) return cached;
    let fd = this.readFd.get(ref.segment);
    if (fd === undefined) {
      fd = openSync(join(this.dir, segmentName(ref.segment)), "r");
      this.readFd.set(ref.segment, fd);
    }
    const buffer = Buffer.alloc(ref.length);
    readSync(fd, buffer, 0, ref.length, ref.offset);
    return parseIntent(JSON.parse(buffer.toString("utf8", 0, ref.length - 1)) as IntentLine);
  }

  /** Reads every segment: what is open, what is acknowledged and waiting, what is in doubt. */
  private load(): IntentRef[] {
    const numbers = readdirSync(this.dir)
      .map((name) => SEGMENT.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const cursor = readCursor(this.cursorPath);
    const intents = new Map<number, IntentRef>();
    for (const [index, number] of numbers.entries()) {
      const path = join(this.dir, segmentName(number));
      const segment: Segment = { number, size: 0, open: 0 };
      this.segments.set(number, segment);
      const text = readFileSync(path);
      let start = 0;
      for (let newline = text.indexOf(0x0a); newline >= 0; newline = text.indexOf(0x0a, start)) {
        const line = JSON.parse(text.toString("utf8", start, newline)) as Line;
        const at = { segment: number, end: newline + 1 };
        if ("i" in line) {
          const parsed = parseIntent(line);
          const ref = refOf(
            line.i,
            parsed.topic,
            parsed.partition,
            parsed.records,
            number,
            start,
            newline + 1 - start,
          );
          intents.set(line.i, ref);
          segment.open++;
          this.nextSeq = Math.max(this.nextSeq, line.i + 1);
        } else {
          const seq = "a" in line ? line.a : line.x;
          const ref = intents.get(seq);
          intents.delete(seq);
          if (ref && "a" in line && !(cursor && before(at, cursor))) {
            this.acked.push({ intent: ref, offset: BigInt(line.o), at });
            this.ackedMessages += ref.count;
            segment.open++;
          } else if (ref) {
            this.segments.get(ref.segment)!.open--; // refused, or acknowledged and forwarded
          }
        }
        start = newline + 1;
      }
      // A crash mid-write can leave half a line in the last segment; it was never acknowledged.
      if (start !== text.length && index === numbers.length - 1) {
        const fd = openSync(path, "r+");
        ftruncateSync(fd, start);
        closeSync(fd);
      }
      segment.size = start;
    }
    const last = numbers.length > 0 ? numbers[numbers.length - 1] : 0;
    if (numbers.length === 0) {
      closeSync(openSync(join(this.dir, segmentName(last)), "w"));
      syncFolder(this.dir);
      this.segments.set(last, { number: last, size: 0, open: 0 });
    }
    this.active = this.segments.get(last)!;
    // In doubt: neither acknowledged nor refused on disk. Open until their outcome is written.
    const inDoubt = [...intents.values()];
    for (const ref of inDoubt) {
      this.unresolved.set(ref.seq, ref);
      this.unresolvedMessages += ref.count;
    }
    return inDoubt;
  }
}

type IntentLine = { i: number; t: string; p: number; r: Array<[number, string, string]> };
type Line = IntentLine | { a: number; o: string } | { x: number };

function intentLine(seq: number, { topic, partition, records }: Intent): string {
  const r = records.map(
    (m) => `[${m.timestamp},${JSON.stringify(m.messageId)},"${m.tail.toString("base64")}"]`,
  );
  return `{"i":${seq},"t":${JSON.stringify(topic)},"p":${partition},"r":[${r.join(",")}]}`;
}

function parseIntent(line: IntentLine): Intent {
  return {
    topic: line.t,
    partition: line.p,
    records: line.r.map(([timestamp, messageId, tail]) => ({
      timestamp,
      messageId,
      tail: Buffer.from(tail, "base64"),
    })),
  };
}

function refOf(
  seq: number,
  topic: string,
  partition: number,
  records: readonly JournalRecord[],
  segment: number,
  offset: number,
  length: number,
): IntentRef {
  return {
    seq,
    topic,
    partition,
    count: records.length,
    segment,
    offset,
    length,
    firstTimestamp: Math.min(...records.map((r) => r.timestamp)),
    firstId: records[0]?.messageId ?? "",
  };
}

function readCursor(path: string): Position | undefined {
  if (!existsSync(path)) return undefined;
  const cursor = JSON.parse(readFileSync(path, "utf8")) as Position;
  return cursor;
}

function syncFolder(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The spool of stepwise before the journal (`spool.jsonl`) is not read: say so, never ignore it. */
function refuseEarlierSpool(dir: string): void {
  const old = join(dir, "spool.jsonl");
  if (existsSync(old) && statSync(old).size > 0)
    throw new Error(
      `${old} is a spool of an earlier stepwise that this version does not read; forward it with ` +
        "the version that wrote it (close() drains it), or give this publisher another spoolDir",
    );
}
