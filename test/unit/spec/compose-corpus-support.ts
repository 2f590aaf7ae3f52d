import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { ComposeImportError, importComposeFiles, type ServiceSpec } from "../../../components/spec";

/** The corpus: Compose files written by this project. */
export const ROOT = join(__dirname, "../../fixtures/compose");
const ENV = { USER_NAME: "from-environment" };

/** Every corpus file; `<name>.override.yml` is merged over `<name>.yml`, not read alone. */
export function corpusFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? corpusFiles(join(dir, entry.name))
        : entry.name.endsWith(".yml") && !entry.name.endsWith(".override.yml")
          ? [join(dir, entry.name)]
          : [],
    )
    .sort();
}

export type FixtureResult =
  | { services: ServiceSpec[]; warnings: string[]; todos: string[]; renames: unknown[] }
  | { problems: readonly string[]; warnings: readonly string[]; todos: readonly string[] };

/** Imports one corpus file (with its override and the .env beside it) as the CLI would. */
export function importFixture(file: string): FixtureResult {
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
