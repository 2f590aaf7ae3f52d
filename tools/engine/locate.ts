/**
 * Finding the real Pulumi engine: the `pulumi` CLI plus the Node.js language host beside it or
 * on PATH. No prebuilt CLI can be downloaded where stepwise is developed, so the usual place is
 * the one test/engine/build-engine.sh builds into.
 */
import { accessSync, constants } from "fs";
import { delimiter, dirname, join, resolve } from "path";

export const BUILD_SCRIPT = "test/engine/build-engine.sh";

export interface EngineLocation {
  /** Absolute path of the `pulumi` binary. */
  readonly pulumi: string;
  /** Absolute path of `pulumi-language-nodejs` (beside `pulumi` or on PATH). */
  readonly languageHost: string;
  /** Where the path came from, for messages: "STEPWISE_PULUMI", "build cache" or "PATH". */
  readonly source: string;
  /**
   * Directories of resource provider plugins to put on the engine's PATH: the build cache's
   * (test/engine/build-kubernetes-provider.sh puts the kubernetes provider there) when it
   * exists. Plugins installed with `pulumi plugin install` are found by the engine itself.
   */
  readonly pluginDirs: readonly string[];
}

/** Where the build scripts put provider plugins (the kubernetes provider). */
export function pluginCacheDir(env: LocateInput["env"], repoRoot: string): string {
  return resolve(env.STEPWISE_CACHE ?? join(repoRoot, ".cache"), "pulumi", "plugins");
}

/** The engine is not there; the message says how to get it. */
export class EngineMissingError extends Error {
  override readonly name = "EngineMissingError";
}

export interface LocateInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The repository root (holds .cache/). */
  readonly repoRoot: string;
  /** Whether a file exists and is executable; injectable for tests. */
  readonly isExecutable?: (file: string) => boolean;
}

export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks the engine: $STEPWISE_PULUMI if set (and then only that), else the build cache
 * (.cache/pulumi/bin/pulumi, or $STEPWISE_CACHE/pulumi/bin/pulumi), else `pulumi` on PATH.
 */
export function locateEngine(input: LocateInput): EngineLocation {
  const isExecutable = input.isExecutable ?? isExecutableFile;
  const pathDirs = (input.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "");
  const override = input.env.STEPWISE_PULUMI;
  if (override !== undefined && override !== "") {
    const pulumi = resolve(override);
    if (!isExecutable(pulumi)) {
      throw new EngineMissingError(
        `STEPWISE_PULUMI is set to "${override}", which is not an executable file. ` +
          `Point it at a pulumi binary, or unset it to use the one ${BUILD_SCRIPT} builds.`,
      );
    }
    return withPlugins(withLanguageHost(pulumi, "STEPWISE_PULUMI", pathDirs, isExecutable), input);
  }
  const cache = input.env.STEPWISE_CACHE ?? join(input.repoRoot, ".cache");
  const cached = resolve(cache, "pulumi", "bin", "pulumi");
  if (isExecutable(cached)) {
    return withPlugins(withLanguageHost(cached, "build cache", pathDirs, isExecutable), input);
  }
  const onPath = pathDirs.map((dir) => resolve(dir, "pulumi")).find(isExecutable);
  if (onPath !== undefined) {
    return withPlugins(withLanguageHost(onPath, "PATH", pathDirs, isExecutable), input);
  }
  throw new EngineMissingError(
    `No Pulumi engine found: STEPWISE_PULUMI is not set, ${cached} does not exist and no ` +
      `pulumi is on PATH. Build it with ${BUILD_SCRIPT} (compiles pulumi and ` +
      `pulumi-language-nodejs from the Go module proxy into .cache/pulumi/bin) or set ` +
      `STEPWISE_PULUMI to a pulumi binary.`,
  );
}

function withPlugins(
  found: Omit<EngineLocation, "pluginDirs">,
  input: LocateInput,
): EngineLocation {
  const dir = pluginCacheDir(input.env, input.repoRoot);
  const isExecutable = input.isExecutable ?? isExecutableFile;
  const present = isExecutable(join(dir, "pulumi-resource-kubernetes"));
  return { ...found, pluginDirs: present ? [dir] : [] };
}

function withLanguageHost(
  pulumi: string,
  source: string,
  pathDirs: readonly string[],
  isExecutable: (file: string) => boolean,
): Omit<EngineLocation, "pluginDirs"> {
  const candidates = [dirname(pulumi), ...pathDirs].map((dir) =>
    resolve(dir, "pulumi-language-nodejs"),
  );
  const languageHost = candidates.find(isExecutable);
  if (languageHost === undefined) {
    throw new EngineMissingError(
      `Found pulumi at ${pulumi} (${source}) but no pulumi-language-nodejs beside it or on ` +
        `PATH; the engine needs it to run TypeScript programs. Build both with ${BUILD_SCRIPT}.`,
    );
  }
  return { pulumi, languageHost, source };
}
