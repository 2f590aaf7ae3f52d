/**
 * stepwise installed as a team installs it: `npm pack` of this repository, the tarball
 * installed into a temp copy of test/fixtures/user-project (a Pulumi TypeScript project of its
 * own: services ledger-api and ledger-worker, topic ledger-entries). Shared by the packaging
 * test (offline: typecheck, the installed `stepwise plan`) and the engine layer's
 * user-project-preview test (the real `pulumi preview` of that project). Free of vitest.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = join(__dirname, "..", "..");
export const FIXTURE = join(REPO, "test", "fixtures", "user-project");
/** The project's name in its Pulumi.yaml (and its package.json). */
export const PROJECT_NAME = "ledger-infra";
/** The passphrase of the fixture stacks' demo secrets (their header comments name it). */
export const FIXTURE_PASSPHRASE = "stepwise-demo";

export interface InstalledProject {
  /** The temp folder holding the tarball and the project; the caller removes it. */
  readonly scratch: string;
  /** The packed stepwise-iac-<version>.tgz. */
  readonly tarball: string;
  /** The user project, stepwise-iac installed in its node_modules. */
  readonly project: string;
}

export function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: process.env, timeout: 240_000 });
}

/** The command's stdout; a failure throws with its exit code and both outputs. */
export function ok(result: SpawnSyncReturns<string>): string {
  if (result.status !== 0) {
    throw new Error(`exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** The version this repository develops against, so the install comes from npm's cache. */
export function installedVersion(name: string): string {
  const file = join(REPO, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/**
 * `npm install` offline-first; --ignore-scripts: the providers' install scripts would download
 * plugins, which the offline plan does not need (the engine test links the built ones).
 */
export function npmInstall(dir: string): void {
  ok(
    run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], dir),
  );
}

/** Everything `npm pack` builds the tarball from (its prepack compiles the first five). */
const PACKED_FROM = [
  "api",
  "components",
  "migrations",
  "policies",
  "tools",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "README.md",
  "LICENSE",
  "CHANGELOG.md",
];

/** A digest of those files as they are in the working tree, committed or not. */
function sourcesDigest(): string {
  const listed = ok(
    run(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...PACKED_FROM],
      REPO,
    ),
  );
  const hash = createHash("sha256");
  for (const file of [...new Set(listed.split("\0").filter((f) => f !== ""))].sort()) {
    const path = join(REPO, file);
    hash.update(`${file}\0`).update(existsSync(path) ? readFileSync(path) : "(deleted)");
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * `npm pack` of the repository, once per state of its sources: the packaging and engine
 * tests of one run share the tarball, kept in .cache/package/<digest>/ (the build alone is
 * half a minute on two cores). Returns the tarball's copy in `scratch`.
 */
function packOnce(scratch: string): string {
  const cache = join(process.env.STEPWISE_CACHE ?? join(REPO, ".cache"), "package");
  const digest = sourcesDigest();
  const dir = join(cache, digest);
  const cached = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith(".tgz")) : undefined;
  const name =
    cached ??
    ok(run("npm", ["pack", "--silent", "--pack-destination", scratch], REPO))
      .trim()
      .split("\n")
      .pop()!;
  if (cached !== undefined) {
    copyFileSync(join(dir, cached), join(scratch, cached));
  } else if (sourcesDigest() === digest) {
    // Kept only when no source changed while it was built, and only the current state is kept;
    // the rename makes a half-copied tarball impossible to find.
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(scratch, name), join(dir, `${name}.partial`));
    renameSync(join(dir, `${name}.partial`), join(dir, name));
  }
  return join(scratch, name);
}

/**
 * Packs the repository (its prepack builds dist/; see packOnce) and installs the tarball into a
 * fresh copy of the fixture project under a new temp folder, with the Pulumi SDK and providers
 * it peers on and TypeScript, as `pulumi new typescript` leaves a project.
 */
export function packAndInstall(prefix: string): InstalledProject {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  try {
    const tarball = packOnce(scratch);
    const project = join(scratch, PROJECT_NAME);
    cpSync(FIXTURE, project, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify(projectPackage(tarball), null, 2));
    npmInstall(project);
    return { scratch, tarball, project };
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}

/** The project's package.json: stepwise from the tarball, the versions this repository uses. */
function projectPackage(tarball: string): Record<string, unknown> {
  const peers = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/docker", "@pulumi/postgresql"];
  return {
    name: PROJECT_NAME,
    private: true,
    main: "index.ts",
    dependencies: {
      "stepwise-iac": `file:${tarball}`,
      ...Object.fromEntries(peers.map((name) => [name, installedVersion(name)])),
    },
    devDependencies: Object.fromEntries(
      ["@types/node", "typescript"].map((name) => [name, installedVersion(name)]),
    ),
  };
}
