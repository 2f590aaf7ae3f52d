import { readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { changedSteps, compareChangedSteps } from "../../../tools/engine/plan-difference";
import { parsePreviewDocument } from "../../../tools/engine/preview-document";
import type { Plan, PlanStep } from "../../../migrations/plan-model";

const PREFIX =
  "urn:pulumi:dev::record-pair::stepwise:fixture:RecordPair$pulumi-nodejs:dynamic/fixture:Record::pair-";

function plan(...steps: Array<[PlanStep["op"], string]>): Plan {
  return { steps: steps.map(([op, name]) => ({ op, urn: `${PREFIX}${name}` })), changeSummary: {} };
}

function captured(name: string): Plan {
  const file = join(__dirname, "..", "..", "fixtures", "engine", name);
  return parsePreviewDocument(readFileSync(file, "utf8"), file);
}

describe("changedSteps", () => {
  it("keeps the changing steps of the engine's change preview, sorted", () => {
    expect(changedSteps(captured("record-pair.change.preview.json"))).toEqual([
      `create ${PREFIX}monitor`,
      `delete ${PREFIX}legacy`,
      `replace ${PREFIX}topic`,
      `update ${PREFIX}settings`,
    ]);
  });

  it("has nothing for the engine's no-change preview", () => {
    expect(changedSteps(captured("record-pair.unchanged.preview.json"))).toEqual([]);
  });
});

describe("compareChangedSteps", () => {
  it.each([
    {
      case: "same changes in another order, extra same steps ignored",
      first: plan(["update", "a"], ["create", "b"]),
      second: plan(["same", "z"], ["create", "b"], ["update", "a"]),
      expected: { onlyInFirst: [], onlyInSecond: [] },
    },
    {
      case: "a replace planned as an update",
      first: plan(["replace", "topic"]),
      second: plan(["update", "topic"]),
      expected: {
        onlyInFirst: [`replace ${PREFIX}topic`],
        onlyInSecond: [`update ${PREFIX}topic`],
      },
    },
    {
      case: "a delete only one side saw",
      first: plan(["delete", "legacy"], ["create", "monitor"]),
      second: plan(["create", "monitor"]),
      expected: { onlyInFirst: [`delete ${PREFIX}legacy`], onlyInSecond: [] },
    },
  ])("$case", ({ first, second, expected }) => {
    expect(compareChangedSteps(first, second)).toEqual(expected);
  });

  it("finds the engine's own two runs of the same change in agreement", () => {
    expect(
      compareChangedSteps(
        captured("record-pair.change.preview.json"),
        captured("record-pair.change-with-policy.preview.json"),
      ),
    ).toEqual({ onlyInFirst: [], onlyInSecond: [] });
  });
});
