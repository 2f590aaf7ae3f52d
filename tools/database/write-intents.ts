/**
 * The dual writer's write-ahead intents: the keys a write is about to change on the source of
 * truth, on disk (fsync'd, group commit) before that write commits, and passed once the change
 * reached the other database or the replay log. A process that dies between the source's commit
 * and the end of the mirror leaves its intents behind; the next owner of the log folder moves
 * them into the replay log (replay-log.ts), whose replay copies the source's current rows for
 * those keys: the change when it committed, a no-op copy when it did not.
 *
 * Intents are passed out of order (calls finish in any order) while the file's cursor only moves
 * forward: it moves past the oldest intents once every one before it is passed too. A call that
 * hangs holds the cursor back, never anything else.
 *
 * Files (in the log's intents/ folder): the spool's spool.jsonl and spool.cursor.json.
 */
import { Spool } from "../events/spool";
import { ROW_CHANGE_TOPIC, rowChangeCodec, type LoggedChange, type RowChange } from "./row-change";

/** One call's recorded intent; pass it once its changes are mirrored or logged. */
export interface WriteIntent {
  /** Lines it holds in the file (0 when its append was refused: nothing to pass). */
  count: number;
  passed: boolean;
}

/** Where recovered intents go: the replay log's durable append. */
export type LeftoverSink = (changes: readonly RowChange[]) => Promise<void>;

export class WriteIntents {
  private readonly spool: Spool<LoggedChange>;
  /** Intents a process before this one left in the file, ahead of this process's own. */
  private leftoverCount: number;
  /** This process's intents in file order (the order append() was called in). */
  private inFlight: WriteIntent[] = [];

  constructor(dir: string, maxBytes: number) {
    this.spool = new Spool<LoggedChange>(dir, {
      codec: rowChangeCodec,
      maxBytes,
      // A stale cursor after a crash only replays intents already passed: no-op copies.
      cursorPersistMs: 1000,
      compactAtBytes: 4 * 1024 * 1024,
    });
    this.leftoverCount = this.spool.waitingMessages;
  }

  /** Intents left by a process that stopped before passing them. */
  get leftover(): number {
    return this.leftoverCount;
  }

  /**
   * Hands the leftover intents to `sink` (the replay log) and passes them once it resolved; must
   * run before this process records any intent of its own.
   */
  async recoverLeftover(sink: LeftoverSink): Promise<void> {
    while (this.leftoverCount > 0) {
      const { messages, next } = this.spool.peek(Math.min(this.leftoverCount, 5000));
      await sink(messages.map(({ table, op, key }) => ({ table, op, key })));
      this.spool.commit(next);
      this.leftoverCount -= messages.length;
    }
  }

  /**
   * Records the changes a write is about to make; resolves once they are on disk. Rejects when
   * they do not fit (SpoolFullError) or the disk fails; nothing is then held for them.
   */
  async record(changes: readonly RowChange[]): Promise<WriteIntent> {
    if (this.leftoverCount > 0)
      throw new Error("write intents: recover the leftover intents before recording new ones");
    const intent: WriteIntent = { count: changes.length, passed: false };
    this.inFlight.push(intent);
    try {
      await this.spool.append(changes.map((c) => ({ ...c, topic: ROW_CHANGE_TOPIC })));
    } catch (error) {
      intent.count = 0;
      this.pass(intent);
      throw error;
    }
    return intent;
  }

  /** The intent's changes are safe elsewhere (mirrored, logged, or never committed). */
  pass(intent: WriteIntent): void {
    intent.passed = true;
    let lines = 0;
    let settled = 0;
    while (settled < this.inFlight.length && this.inFlight[settled].passed)
      lines += this.inFlight[settled++].count;
    if (settled === 0) return;
    this.inFlight = this.inFlight.slice(settled);
    if (lines > 0) this.spool.commit(this.spool.peek(lines).next);
  }

  /** Intents of this process not yet passed. */
  get open(): number {
    return this.inFlight.filter((intent) => !intent.passed).length;
  }

  /** Persists the cursor and closes the file; intents still open stay for the next owner. */
  close(): Promise<void> {
    return this.spool.close();
  }
}
