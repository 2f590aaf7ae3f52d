import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  OFFSET_MAPPING_TYPE,
  OffsetMapping,
  offsetMappingArgs,
} from "../../../components/events/OffsetMapping";
import {
  offsetMappingProvider,
  validateOffsetMapping,
} from "../../../components/events/offset-mapping-provider";
import type { OffsetMappingDocument } from "../../../tools/events/offsets/offset-mapping";
import { evaluateProgram } from "../../../tools/evaluate";

const document: OffsetMappingDocument = {
  kind: "stepwise-offset-mapping",
  version: 1,
  direction: "forward",
  source: "redpanda:9092",
  target: "kafka:9092",
  createdAt: "2026-11-26T23:00:00.000Z",
  entries: [
    {
      group: "billing",
      topic: "orders",
      partition: 0,
      sourceOffset: "105",
      targetOffset: "100",
      method: "message-id",
      targetCommittedBefore: null,
      action: "committed",
    },
    {
      group: "billing",
      topic: "orders",
      partition: 1,
      sourceOffset: "77",
      targetOffset: "72",
      method: "message-id-after-last",
      targetCommittedBefore: "80",
      action: "kept-target-ahead",
    },
  ],
};
const inputs = { ...offsetMappingArgs(document) } as unknown as Record<string, unknown>;

describe("OffsetMapping resource under Pulumi's mocks", () => {
  it("registers one dynamic resource carrying the translation (not run-specific actions) and a serialized provider", async () => {
    const { resources } = await evaluateProgram(() => {
      new OffsetMapping("orders-offsets", offsetMappingArgs(document));
    });
    expect(resources.map((r) => [r.type, r.name, r.custom])).toEqual([
      [OFFSET_MAPPING_TYPE, "orders-offsets", true],
    ]);
    const [mapping] = resources;
    expect(OFFSET_MAPPING_TYPE).toBe("pulumi-nodejs:dynamic/stepwise:OffsetMapping");
    expect(mapping.inputs.direction).toBe("forward");
    expect(mapping.inputs.source).toBe("redpanda:9092");
    expect(mapping.inputs.entries).toEqual([
      {
        group: "billing",
        topic: "orders",
        partition: 0,
        sourceOffset: "105",
        targetOffset: "100",
        method: "message-id",
      },
      {
        group: "billing",
        topic: "orders",
        partition: 1,
        sourceOffset: "77",
        targetOffset: "72",
        method: "message-id-after-last",
      },
    ]);
    // The provider's code travels in state as a serialized closure.
    expect(typeof mapping.inputs.__provider).toBe("string");
    expect(mapping.inputs.__provider as string).toContain("offsetMappingOutputs");
  });

  it("serializes the provider into code that runs on its own, as the engine's plugin runs it", async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => offsetMappingProvider);
    const dir = mkdtempSync(join(tmpdir(), "offset-mapping-serialized-"));
    try {
      const file = join(dir, "provider.js");
      writeFileSync(file, serialized.text);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(file) as Record<string, () => typeof offsetMappingProvider>;
      const standalone = loaded[serialized.exportName]();
      const created = await standalone.create(inputs);
      expect(created).toEqual(await offsetMappingProvider.create(inputs));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("offsetMappingProvider", () => {
  it("creates a record whose id and digest follow the entries", async () => {
    const created = await offsetMappingProvider.create(inputs);
    expect(created.outs).toMatchObject({
      entryCount: 2,
      groups: ["billing"],
      direction: "forward",
    });
    expect(created.id).toBe(`forward-${created.outs!.digest}`);
    const again = await offsetMappingProvider.create(inputs);
    expect(again.id).toBe(created.id);
  });

  it("diffs: the same mapping is no change, a moved offset is an in-place update, never a replace", async () => {
    const outs = (await offsetMappingProvider.create(inputs)).outs!;
    expect(await offsetMappingProvider.diff!("id", outs, inputs)).toMatchObject({
      changes: false,
      replaces: [],
    });
    const moved = {
      ...inputs,
      entries: [
        { ...(inputs.entries as object[])[0], targetOffset: "101" },
        (inputs.entries as object[])[1],
      ],
    };
    expect(await offsetMappingProvider.diff!("id", outs, moved)).toMatchObject({
      changes: true,
      replaces: [],
    });
  });

  it.each([
    [
      { direction: "sideways" },
      "direction",
      /direction is "sideways"; use "forward" or "rollback"/,
    ],
    [{ entries: [] }, "entries", /entries is empty/],
    [
      { entries: [{ ...(inputs.entries as object[])[0], targetOffset: "-3" }] },
      "entries[0].targetOffset",
      /entries\[0\]\.targetOffset is "-3"; use a non-negative offset/,
    ],
    [
      { entries: [(inputs.entries as object[])[0], (inputs.entries as object[])[0]] },
      "entries[1]",
      /entries\[1\] repeats billing\/orders\/0/,
    ],
  ])("check refuses %j, naming %s", async (override, property, reason) => {
    const result = await offsetMappingProvider.check!({}, { ...inputs, ...override });
    expect(result.failures).toHaveLength(1);
    expect(result.failures![0].property).toBe(property);
    expect(result.failures![0].reason).toMatch(reason);
    expect(() => validateOffsetMapping({ ...inputs, ...override })).toThrow(reason);
  });
});
