import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  ComposeImportError,
  importComposeFiles,
  isPinnedImage,
  validateServiceSpecs,
} from "../../../components/spec";

// Compose files written by this project (test/fixtures/compose), each beside
// <name>.expected.yaml: the specs, warnings, to-dos and renames, or the problems of a refusal.
// UPDATE_COMPOSE_CORPUS=1 rewrites the expectations; review the diff before committing.
const ROOT = join(__dirname, "../../fixtures/compose");
const ENV = { USER_NAME: "from-environment" };

function fixtures(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? fixtures(join(dir, entry.name))
      : entry.name.endsWith(".yml") && !entry.name.endsWith(".override.yml")
        ? [join(dir, entry.name)]
        : [],
  );
}

function run(file: string): Record<string, unknown> {
  const source = relative(ROOT, file);
  const dotEnvPath = join(dirname(file), ".env");
  const options = {
    env: ENV,
    dotEnv: existsSync(dotEnvPath) ? readFileSync(dotEnvPath, "utf8") : undefined,
    project: "corpus",
  };
  // <name>.override.yml beside a file is merged over it, as `-f <name>.yml -f <name>.override.yml`.
  const override = file.replace(/\.yml$/, ".override.yml");
  const files = [{ text: readFileSync(file, "utf8"), source }];
  if (existsSync(override)) {
    files.push({ text: readFileSync(override, "utf8"), source: relative(ROOT, override) });
  }
  try {
    return { ...importComposeFiles(files, options) };
  } catch (error) {
    if (!(error instanceof ComposeImportError)) throw error;
    return { problems: error.problems, warnings: error.warnings, todos: error.todos };
  }
}

const files = fixtures(ROOT);

describe("Compose corpus", () => {
  it("holds at least 15 files", () => expect(files.length).toBeGreaterThanOrEqual(15));

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
