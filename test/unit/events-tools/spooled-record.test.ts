import { describe, expect, it } from "vitest";
import { encodeRecordTails } from "../../../tools/events/produce/record-batch";
import { spooledRecordCodec } from "../../../tools/events/spooled-record";

describe("the dual publisher's spool lines", () => {
  it("round-trip topic, partition, timestamp and the encoded record, on one ASCII line", () => {
    const [tail] = encodeRecordTails([
      { key: Buffer.from("k"), value: Buffer.from("v\n\u00e9"), headers: [["id", "x"]] },
    ]);
    const record = { topic: "orders.v1", partition: 4, timestamp: 1_700_000_000_123, tail };
    const line = spooledRecordCodec.encode(record);
    expect(line).not.toContain("\n");
    expect(line).toMatch(/^[\x20-\x7e]+$/);
    expect(spooledRecordCodec.decode(line)).toEqual(record);
    const unplaced = { ...record, partition: undefined };
    expect(spooledRecordCodec.decode(spooledRecordCodec.encode(unplaced))).toEqual(unplaced);
  });

  it("still read lines of the first format, so a spool left by an older stepwise is forwarded", () => {
    const first = JSON.stringify({
      topic: "orders",
      key: Buffer.from("k-1").toString("base64"),
      value: Buffer.from("v-1").toString("base64"),
      headers: { origin: "test", "stepwise-message-id": "id-1" },
      timestamp: "1700000000000",
    });
    const decoded = spooledRecordCodec.decode(first);
    const [expected] = encodeRecordTails([
      {
        key: Buffer.from("k-1"),
        value: Buffer.from("v-1"),
        headers: [
          ["origin", "test"],
          ["stepwise-message-id", "id-1"],
        ],
      },
    ]);
    expect(decoded).toEqual({
      topic: "orders",
      partition: undefined, // left to the partitioner, with the key kept for it
      timestamp: 1_700_000_000_000,
      tail: expected,
      key: Buffer.from("k-1"),
    });
  });
});
