import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { isPinnedImage, validateServiceSpecs } from "../../../components/spec";
import { ROOT, corpusFiles, importFixture } from "./compose-corpus-support";

// Compose files written by this project (test/fixtures/compose), each beside
// <name>.expected.yaml: the specs, warnings, to-dos and renames, or the problems of a refusal.
// UPDATE_COMPOSE_CORPUS=1 rewrites the expectations; review the diff before committing.
const files = corpusFiles();
const run = (file: string) => importFixture(file) as Record<string, unknown>;

describe("Compose corpus", () => {
  it("holds at least 40 files", () => expect(files.length).toBeGreaterThanOrEqual(40));

  it.each(files.map((f) => [relative(ROOT, f), f]))("%s", (_name, file) => {
    const actual = run(file);
    const expectedPath = file.replace(/\.yml$/, ".expected.yaml");
    if (process.env.UPDATE_COMPOSE_CORPUS === "1") {
      writeFileSync(expectedPath, stringify(actual, { lineWidth: 0 }));
    }
    expect(actual).toEqual(parse(readFileSync(expectedPath, "utf8")));
    if (actual.services) {
      // What imports is a valid spec once its images are pinned; deploys refuse it until then.
      const services = actual.services as { image: string }[];
      const pinned = services.map((s) => ({ ...s, image: "registry.example/app:1.0.0" }));
      expect(() => validateServiceSpecs(pinned)).not.toThrow();
      if (services.some((s) => !isPinnedImage(s.image))) {
        expect(() => validateServiceSpecs(services)).toThrow("must pin a tag or digest");
        expect(actual.todos).not.toEqual([]);
      }
    }
  });
});
