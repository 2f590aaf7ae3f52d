import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { parsePreviewDocument } from "../../../tools/engine/preview-document";

// The preview documents test/engine/capture-fixtures.ts took from the real engine. Other
// areas (review rendering, planner comparison) read them without the engine; this proves they
// are well-formed preview documents with their secret still hidden.
const DIR = join(__dirname, "..", "..", "fixtures", "engine");
const SETTINGS_URN =
  "urn:pulumi:dev::record-pair::stepwise:fixture:RecordPair$pulumi-nodejs:dynamic/fixture:Record::pair-settings";

function load(name: string) {
  return parsePreviewDocument(readFileSync(join(DIR, name), "utf8"), name);
}

describe("captured engine preview documents", () => {
  const previews = readdirSync(DIR).filter((name) => name.endsWith(".preview.json"));

  it("are all there", () => {
    expect(previews.sort()).toEqual([
      "record-pair.change-with-policy.preview.json",
      "record-pair.change.preview.json",
      "record-pair.initial.preview.json",
      "record-pair.unchanged.preview.json",
    ]);
  });

  it.each(previews)("%s parses and never holds the credential in plain text", (name) => {
    const text = readFileSync(join(DIR, name), "utf8");
    expect(load(name).steps.length).toBeGreaterThan(0);
    expect(text).not.toContain("fixture-credential");
    expect(text).not.toMatch(/"\/tmp\//);
  });

  it.each([
    { name: "record-pair.initial.preview.json", summary: { create: 6 } },
    { name: "record-pair.unchanged.preview.json", summary: { same: 6 } },
    {
      name: "record-pair.change.preview.json",
      summary: { same: 3, create: 1, update: 1, replace: 1, delete: 1 },
    },
  ])("$name summarises $summary", ({ name, summary }) => {
    expect(load(name).changeSummary).toEqual(summary);
  });

  it('shows the secret as "[secret]" on both sides of the update', () => {
    const settings = load("record-pair.change.preview.json").steps.find(
      (step) => step.urn === SETTINGS_URN,
    );
    expect(settings?.op).toBe("update");
    expect(settings?.oldState?.inputs?.credential).toBe("[secret]");
    expect(settings?.newState?.inputs?.credential).toBe("[secret]");
  });
});
