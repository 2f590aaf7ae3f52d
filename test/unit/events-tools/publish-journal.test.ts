import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PublishJournal, type Intent } from "../../../tools/events/publish-journal";
import { SpoolFullError } from "../../../tools/events/spool";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "journal-unit-"));
  dirs.push(d);
  return d;
}

let counter = 0;
/** One publish()'s share of a partition: `count` records of about 100 bytes each. */
const intent = (partition: number, count = 5): Intent => ({
  topic: "orders",
  partition,
  records: Array.from({ length: count }, () => ({
    timestamp: 1_700_000_000_000 + counter,
    messageId: `id-${counter++}`,
    tail: Buffer.alloc(64, counter),
  })),
});
const idsOf = (intents: readonly { records: readonly { messageId: string }[] }[]) =>
  intents.flatMap((i) => i.records.map((r) => r.messageId));

/** Appends, acknowledges at consecutive offsets per partition; returns the seqs. */
async function published(journal: PublishJournal, intents: Intent[], offsets: Map<number, bigint>) {
  const { seqs, durable } = journal.appendIntents(intents);
  await durable;
  await Promise.all(
    intents.map((it, i) => {
      const offset = offsets.get(it.partition) ?? 0n;
      offsets.set(it.partition, offset + BigInt(it.records.length));
      return journal.recordOutcome(seqs[i], offset);
    }),
  );
  return seqs;
}

describe("PublishJournal", () => {
  it("forwards only acknowledged intents, in the order of their acknowledgements", async () => {
    const journal = new PublishJournal(dir());
    const [a, b, c] = [intent(0), intent(1), intent(0)];
    const { seqs, durable } = journal.appendIntents([a, b, c]);
    await durable;
    // The primary answers c before a (the order it assigned offsets), and refuses b.
    await journal.recordOutcome(seqs[2], 10n);
    await journal.recordOutcome(seqs[1], undefined);
    await journal.recordOutcome(seqs[0], 15n);
    const peeked = journal.peek(1000);
    expect(idsOf(peeked)).toEqual(idsOf([c, a]));
    expect(peeked.map((p) => p.offset)).toEqual([10n, 15n]);
    await journal.commitForwarded(2);
    expect(journal.pending).toBe(false);
    await journal.close();
  });

  it("compacts while running: finished segments are deleted, so steady load keeps it bounded", async () => {
    const folder = dir();
    const journal = new PublishJournal(folder, { segmentBytes: 4 * 1024 });
    const offsets = new Map<number, bigint>();
    let largest = 0;
    let written = 0;
    for (let round = 0; round < 150; round++) {
      const before = journal.bytes;
      await published(journal, [intent(round % 3), intent((round + 1) % 3)], offsets);
      written += journal.bytes - before;
      // The secondary keeps up, a little behind: forward all but the newest two.
      const waiting = journal.peek(1000).length;
      if (waiting > 2) await journal.commitForwarded(waiting - 2);
      largest = Math.max(largest, journal.bytes);
    }
    expect(written).toBeGreaterThan(20 * 4 * 1024); // without compaction it would be this big
    expect(largest).toBeLessThanOrEqual(3 * 4 * 1024);
    expect(readdirSync(folder).filter((f) => f.endsWith(".log")).length).toBeLessThanOrEqual(3);
    await journal.close();
  });

  it("refuses an append past maxBytes with nothing written, and takes appends again once forwarded", async () => {
    const folder = dir();
    const journal = new PublishJournal(folder, { segmentBytes: 4 * 1024, maxBytes: 16 * 1024 });
    const offsets = new Map<number, bigint>();
    let refused: unknown;
    for (let i = 0; i < 1000 && !refused; i++)
      try {
        await published(journal, [intent(0)], offsets);
      } catch (error) {
        refused = error;
      }
    expect(refused).toBeInstanceOf(SpoolFullError);
    expect(String(refused)).toContain(`spool ${folder} is full (16384 bytes, its maxBytes)`);
    expect(journal.bytes).toBeLessThanOrEqual(16 * 1024);
    const held = journal.waitingMessages;
    await journal.commitForwarded(journal.peek(1_000_000).length);
    expect(journal.bytes).toBeLessThan(8 * 1024);
    await published(journal, [intent(0)], offsets); // room again
    expect(journal.waitingMessages).toBe(5);
    expect(held).toBeGreaterThan(5);
    await journal.close();
  });

  it("after a crash: forwarded intents stay forwarded, unanswered ones are in doubt, a torn line is dropped", async () => {
    const folder = dir();
    const first = new PublishJournal(folder);
    const offsets = new Map<number, bigint>();
    const forwarded = [intent(0), intent(1)];
    const waiting = [intent(2)];
    const unanswered = [intent(0, 3)];
    await published(first, forwarded, offsets);
    await first.commitForwarded(2); // the cursor is on disk after every forward
    await published(first, waiting, offsets);
    const { durable } = first.appendIntents(unanswered); // the primary never answered
    await durable;
    await first.close();
    appendFileSync(
      join(
        folder,
        readdirSync(folder).find((f) => f.endsWith(".log"))!,
      ),
      '{"i":99,"t":"or',
    );

    const second = new PublishJournal(folder);
    expect(idsOf(second.peek(1000))).toEqual(idsOf(waiting));
    expect(second.inDoubt.map((d) => d.firstId)).toEqual([unanswered[0].records[0].messageId]);
    expect(second.waitingMessages).toBe(5 + 3);
    // Found on the primary at offset 7: forwarded after what was acknowledged before.
    await second.settleInDoubt(new Map([[second.inDoubt[0].seq, 7n]]));
    expect(idsOf(second.peek(1000))).toEqual(idsOf([...waiting, ...unanswered]));
    // New intents continue the numbering past everything on disk.
    const { seqs } = second.appendIntents([intent(1)]);
    expect(seqs[0]).toBeGreaterThan(second.inDoubt[0].seq);
    await second.close();
  });

  it("drops in-doubt intents the primary does not hold", async () => {
    const folder = dir();
    const first = new PublishJournal(folder);
    await first.appendIntents([intent(0)]).durable;
    await first.close();
    const second = new PublishJournal(folder);
    expect(second.inDoubt).toHaveLength(1);
    await second.settleInDoubt(new Map());
    expect(second.pending).toBe(false);
    expect(second.peek(1000)).toEqual([]);
    await second.close();
  });
});
