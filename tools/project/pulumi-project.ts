/**
 * The Pulumi project a command runs in, read from its Pulumi.yaml the way `pulumi` reads it:
 * found in the working folder or the nearest one above it; `main` names the program (a file,
 * or a folder whose package.json `main` or index.ts/index.js is the program); `stackConfigDir`
 * holds the Pulumi.<stack>.yaml files (default: the project folder).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";

export interface PulumiProject {
  /** The folder holding Pulumi.yaml. */
  readonly dir: string;
  /** Pulumi.yaml's `name`. */
  readonly name: string;
  /** The folder of Pulumi.<stack>.yaml files. */
  readonly stacksDir: string;
  /** The program's entry module. */
  readonly programFile: string;
}

/** Pulumi.yaml is missing or says something stepwise cannot use; the message says what to fix. */
export class ProjectError extends Error {}

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml"];

/** The project whose Pulumi.yaml is in `start` or the nearest folder above it. */
export function findPulumiProject(start: string): PulumiProject {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const file = PROJECT_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
    if (file !== undefined) return readPulumiProject(file);
    if (dirname(dir) === dir) break;
  }
  throw new ProjectError(
    `no Pulumi.yaml in ${resolve(start)} or any folder above it; run stepwise inside a Pulumi project, or point at one with -C <dir>`,
  );
}

/** Reads one Pulumi.yaml; every field stepwise relies on is checked and named when wrong. */
export function readPulumiProject(file: string): PulumiProject {
  const dir = dirname(file);
  let document: unknown;
  try {
    document = parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ProjectError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new ProjectError(`${file} must be a mapping with at least "name" and "runtime"`);
  }
  const fields = document as Record<string, unknown>;
  const name = fields["name"];
  if (typeof name !== "string" || name.trim() === "") {
    throw new ProjectError(`${file}: name = ${JSON.stringify(name)}; give the project a name`);
  }
  return {
    dir,
    name,
    stacksDir: resolve(dir, optionalPath(fields, "stackConfigDir", file) ?? "."),
    programFile: programEntry(resolve(dir, optionalPath(fields, "main", file) ?? "."), file),
  };
}

function optionalPath(
  fields: Record<string, unknown>,
  key: string,
  file: string,
): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new ProjectError(
      `${file}: ${key} = ${JSON.stringify(value)}; give a path relative to the project folder`,
    );
  }
  return value;
}

/** A `main` that is a folder resolves as Node does: package.json `main`, else index.ts or .js. */
function programEntry(main: string, file: string): string {
  if (!existsSync(main)) {
    throw new ProjectError(`${file}: main ${main} does not exist; point "main" at the program`);
  }
  if (!statSync(main).isDirectory()) return main;
  const packageFile = join(main, "package.json");
  if (existsSync(packageFile)) {
    const entry = (JSON.parse(readFileSync(packageFile, "utf8")) as { main?: unknown }).main;
    if (typeof entry === "string" && existsSync(resolve(main, entry))) return resolve(main, entry);
  }
  const index = ["index.ts", "index.js"].map((name) => join(main, name)).find(existsSync);
  if (index === undefined) {
    throw new ProjectError(
      `${file}: no program in ${main} (no package.json "main", index.ts or index.js); set "main" in Pulumi.yaml`,
    );
  }
  return index;
}
