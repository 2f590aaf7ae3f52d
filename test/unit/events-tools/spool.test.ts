import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Spool } from "../../../tools/events/spool";

/** The spool stores any message with a topic; these tests use plain JSON objects. */
interface TestMessage {
  readonly topic: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "spool-unit-"));
  dirs.push(d);
  return d;
}
const message = (topic: string, n: number): TestMessage => ({
  topic,
  key: Buffer.from(`k${n}`).toString("base64"),
  value: Buffer.from(`v${n}`).toString("base64"),
  headers: { "stepwise-message-id": `id-${n}` },
  timestamp: String(1_700_000_000_000 + n),
});
const ids = (messages: readonly TestMessage[]) =>
  messages.map((m) => m.headers["stepwise-message-id"]);

describe("Spool", () => {
  it("gives messages back in append order, at most the limit, and forgets them once committed", async () => {
    const spool = new Spool<TestMessage>(dir());
    expect(spool.pending).toBe(false);
    await spool.append([message("t", 1), message("t", 2)]);
    await spool.append([message("t", 3)]);
    expect(spool.pending).toBe(true);
    expect(spool.waitingMessages).toBe(3);
    const first = spool.peek(2);
    expect(ids(first.messages)).toEqual(["id-1", "id-2"]);
    spool.commit(first.next);
    expect(spool.waitingMessages).toBe(1);
    const second = spool.peek(10);
    expect(ids(second.messages)).toEqual(["id-3"]);
    spool.commit(second.next);
    expect(spool.pending).toBe(false);
    expect(spool.replayed).toBe(3);
    await spool.close();
  });

  it("stops a peek where the topic changes, so one request keeps the order", async () => {
    const spool = new Spool<TestMessage>(dir());
    await spool.append([message("a", 1), message("a", 2), message("b", 3), message("a", 4)]);
    expect(ids(spool.peek(10).messages)).toEqual(["id-1", "id-2"]);
    await spool.close();
  });

  it("survives a restart: what was appended and not committed is still waiting, in order", async () => {
    const d = dir();
    const before = new Spool<TestMessage>(d);
    await before.append([message("t", 1), message("t", 2), message("t", 3)]);
    before.commit(before.peek(1).next);
    await before.close();
    const after = new Spool<TestMessage>(d);
    expect(after.waitingMessages).toBe(2);
    expect(ids(after.peek(10).messages)).toEqual(["id-2", "id-3"]);
    await after.close();
  });

  it("drops a torn last line left by a crash mid-append (it was never acknowledged)", async () => {
    const d = dir();
    const before = new Spool<TestMessage>(d);
    await before.append([message("t", 1)]);
    await before.close();
    appendFileSync(join(d, "spool.jsonl"), '{"topic":"t","key":');
    const after = new Spool<TestMessage>(d);
    expect(after.waitingMessages).toBe(1);
    expect(ids(after.peek(10).messages)).toEqual(["id-1"]);
    expect(readFileSync(join(d, "spool.jsonl"), "utf8").endsWith("\n")).toBe(true);
    await after.close();
  });

  it("empties the file once everything is replayed and it is past the compaction size", async () => {
    const d = dir();
    const spool = new Spool<TestMessage>(d, { compactAtBytes: 1 });
    await spool.append([message("t", 1)]);
    spool.commit(spool.peek(10).next);
    // Appended while the file is being emptied: written after that, and nothing else is left.
    await spool.append([message("t", 2)]);
    expect(readFileSync(join(d, "spool.jsonl"), "utf8")).toBe(
      JSON.stringify(message("t", 2)) + "\n",
    );
    expect(ids(spool.peek(10).messages)).toEqual(["id-2"]);
    spool.commit(spool.peek(10).next);
    await spool.close();
    expect(readFileSync(join(d, "spool.jsonl"), "utf8")).toBe("");
    const reopened = new Spool<TestMessage>(d);
    expect(reopened.waitingMessages).toBe(0);
    expect(reopened.replayed).toBe(2);
    await reopened.close();
  });

  it("writes no line after emptying the file until the disk has the cursor that says so", async () => {
    const d = dir();
    const spool = new Spool<TestMessage>(d, { compactAtBytes: 1 });
    await spool.append([message("t", 1)]);
    // The cursor cannot be written: its temporary file's name is taken by a folder.
    mkdirSync(join(d, "spool.cursor.json.tmp"));
    spool.commit(spool.peek(10).next); // empties the file; its cursor waits for the next write
    await expect(spool.append([message("t", 2)])).rejects.toThrow(/EISDIR/);
    rmSync(join(d, "spool.cursor.json.tmp"), { recursive: true });
    await spool.append([message("t", 3)]);
    await spool.close();
    const reopened = new Spool<TestMessage>(d);
    expect(ids(reopened.peek(10).messages)).toEqual(["id-3"]);
    await reopened.close();
  });

  it("reads lines longer than its read buffer", async () => {
    const spool = new Spool<TestMessage>(dir());
    const big = { ...message("t", 1), value: "x".repeat(600 * 1024) };
    await spool.append([big, message("t", 2)]);
    const { messages } = spool.peek(10);
    expect(messages.map((m) => m.value?.length)).toEqual([
      600 * 1024,
      message("t", 2).value!.length,
    ]);
    await spool.close();
  });

  it("writes concurrent appends together and keeps their order", async () => {
    const spool = new Spool<TestMessage>(dir());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        spool.append([message("t", 2 * i), message("t", 2 * i + 1)]),
      ),
    );
    expect(spool.waitingMessages).toBe(40);
    expect(ids(spool.peek(100).messages)).toEqual(Array.from({ length: 40 }, (_, i) => `id-${i}`));
    await spool.close();
  });

  it("after a crash replays what it cannot prove was replayed, never skips", async () => {
    const d = dir();
    const before = new Spool<TestMessage>(d, { cursorPersistMs: 60_000 });
    await before.append([message("t", 1), message("t", 2), message("t", 3)]);
    before.commit(before.peek(1).next); // persisted: the first commit
    before.commit(before.peek(1).next); // in memory only
    // A crash: the process ends without close(); the file stays as it is.
    const after = new Spool<TestMessage>(d);
    expect(ids(after.peek(10).messages)).toEqual(["id-2", "id-3"]);
    await after.close();
  });

  it("starts from the beginning when the cursor does not point at a line start", async () => {
    const d = dir();
    const spool = new Spool<TestMessage>(d);
    await spool.append([message("t", 1), message("t", 2)]);
    await spool.close();
    writeFileSync(join(d, "spool.cursor.json"), JSON.stringify({ byteOffset: 5, replayed: 0 }));
    const after = new Spool<TestMessage>(d);
    expect(ids(after.peek(10).messages)).toEqual(["id-1", "id-2"]);
    await after.close();
  });

  it("replays from the file once more is waiting than it keeps in memory, then from memory again", async () => {
    const spool = new Spool<TestMessage>(dir(), { cachedMessages: 2 });
    await spool.append([message("t", 1), message("t", 2), message("t", 3)]); // more than 2
    const fromFile = spool.peek(2);
    expect(ids(fromFile.messages)).toEqual(["id-1", "id-2"]);
    spool.commit(fromFile.next);
    await spool.append([message("t", 4)]);
    const rest = spool.peek(10);
    expect(ids(rest.messages)).toEqual(["id-3", "id-4"]);
    spool.commit(rest.next); // caught up: later appends are served from memory
    await spool.append([message("u", 5), message("t", 6)]);
    expect(ids(spool.peek(10).messages)).toEqual(["id-5"]);
    expect(spool.waitingMessages).toBe(2);
    await spool.close();
  });

  it("caps a peek by bytes of lines, but always gives one message, from memory and from the file", async () => {
    const lineBytes = (m: TestMessage) => Buffer.byteLength(JSON.stringify(m)) + 1;
    const three = [message("t", 1), message("t", 2), message("t", 3)];
    const firstTwo = lineBytes(three[0]) + lineBytes(three[1]);
    for (const cachedMessages of [20_000, 2]) {
      const spool = new Spool<TestMessage>(dir(), { cachedMessages });
      await spool.append(three);
      expect(ids(spool.peek(10, firstTwo).messages), `cached ${cachedMessages}`).toEqual([
        "id-1",
        "id-2",
      ]);
      expect(ids(spool.peek(10, firstTwo - 1).messages)).toEqual(["id-1"]);
      expect(ids(spool.peek(10, 1).messages)).toEqual(["id-1"]);
      const { next } = spool.peek(10, firstTwo);
      spool.commit(next);
      expect(ids(spool.peek(10, 1).messages)).toEqual(["id-3"]);
      await spool.close();
    }
  });

  it("counts a peek's byte budget as the caller says, from memory and from the file", async () => {
    // What the forwarder does: a message's size in a batch, not its line's.
    const valueBytes = (m: TestMessage) => Buffer.from(m.value ?? "", "base64").length * 10;
    const three = [message("t", 1), message("t", 2), message("t", 3)];
    for (const cachedMessages of [20_000, 2]) {
      const spool = new Spool<TestMessage>(dir(), { cachedMessages });
      await spool.append(three);
      expect(ids(spool.peek(10, 40, valueBytes).messages), `cached ${cachedMessages}`).toEqual([
        "id-1",
        "id-2",
      ]);
      expect(ids(spool.peek(10, 39, valueBytes).messages)).toEqual(["id-1"]);
      await spool.close();
    }
  });
});
