import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Spool, type SpooledMessage } from "../../../tools/events/spool";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "spool-unit-"));
  dirs.push(d);
  return d;
}
const message = (topic: string, n: number): SpooledMessage => ({
  topic,
  key: Buffer.from(`k${n}`).toString("base64"),
  value: Buffer.from(`v${n}`).toString("base64"),
  headers: { "stepwise-message-id": `id-${n}` },
  timestamp: String(1_700_000_000_000 + n),
});
const ids = (messages: readonly SpooledMessage[]) =>
  messages.map((m) => m.headers["stepwise-message-id"]);

describe("Spool", () => {
  it("gives messages back in append order, at most the limit, and forgets them once committed", () => {
    const spool = new Spool(dir());
    expect(spool.pending).toBe(false);
    spool.append([message("t", 1), message("t", 2)]);
    spool.append([message("t", 3)]);
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
    spool.close();
  });

  it("stops a peek where the topic changes, so one request keeps the order", () => {
    const spool = new Spool(dir());
    spool.append([message("a", 1), message("a", 2), message("b", 3), message("a", 4)]);
    expect(ids(spool.peek(10).messages)).toEqual(["id-1", "id-2"]);
    spool.close();
  });

  it("survives a restart: what was appended and not committed is still waiting, in order", () => {
    const d = dir();
    const before = new Spool(d);
    before.append([message("t", 1), message("t", 2), message("t", 3)]);
    before.commit(before.peek(1).next);
    before.close();
    const after = new Spool(d);
    expect(after.waitingMessages).toBe(2);
    expect(ids(after.peek(10).messages)).toEqual(["id-2", "id-3"]);
    after.close();
  });

  it("drops a torn last line left by a crash mid-append (it was never acknowledged)", () => {
    const d = dir();
    const before = new Spool(d);
    before.append([message("t", 1)]);
    before.close();
    appendFileSync(join(d, "spool.jsonl"), '{"topic":"t","key":');
    const after = new Spool(d);
    expect(after.waitingMessages).toBe(1);
    expect(ids(after.peek(10).messages)).toEqual(["id-1"]);
    expect(readFileSync(join(d, "spool.jsonl"), "utf8").endsWith("\n")).toBe(true);
    after.close();
  });

  it("empties the file once everything is replayed", () => {
    const d = dir();
    const spool = new Spool(d);
    spool.append([message("t", 1)]);
    spool.commit(spool.peek(10).next);
    expect(readFileSync(join(d, "spool.jsonl"), "utf8")).toBe("");
    spool.append([message("t", 2)]);
    expect(ids(spool.peek(10).messages)).toEqual(["id-2"]);
    spool.close();
  });

  it("reads lines longer than its read buffer", () => {
    const spool = new Spool(dir());
    const big = { ...message("t", 1), value: "x".repeat(600 * 1024) };
    spool.append([big, message("t", 2)]);
    const { messages } = spool.peek(10);
    expect(messages.map((m) => m.value?.length)).toEqual([
      600 * 1024,
      message("t", 2).value!.length,
    ]);
    spool.close();
  });
});
