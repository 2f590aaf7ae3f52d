/**
 * The folder a throwaway stack lives in: a working copy of the project (its node_modules
 * linked, not copied) and a PULUMI_HOME with the built plugins installed.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "fs";
import { basename, dirname, join } from "path";

export function makeDir(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Neither part of a program nor small: never copied into a working copy. */
const NOT_COPIED = new Set(["node_modules", ".git", ".cache", "dist"]);

/** Copies the project (without node_modules) and links the node_modules it resolves from. */
export function copyProject(projectDir: string, tempRoot: string): string {
  const workDir = join(tempRoot, "project");
  // Entry by entry: a kept root may live under the project's .cache, and cpSync refuses to copy
  // a folder into itself even when a filter would leave that part out.
  for (const entry of readdirSync(projectDir)) {
    if (NOT_COPIED.has(entry)) continue;
    cpSync(join(projectDir, entry), join(workDir, entry), {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(basename(source)),
    });
  }
  symlinkSync(findNodeModules(projectDir), join(workDir, "node_modules"), "dir");
  return workDir;
}

function findNodeModules(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules");
    if (existsSync(join(candidate, "@pulumi", "pulumi"))) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(`no node_modules with @pulumi/pulumi above ${from}: run npm ci first`);
    }
  }
}

/**
 * Installs the resource plugins the build scripts made (`pulumi-resource-<name>` beside a
 * `pulumi-resource-<name>.version` file) into a PULUMI_HOME the way `pulumi plugin install`
 * lays them out, with a link to the binary instead of a copy of it.
 */
export function installPlugins(pulumiHome: string, pluginDirs: readonly string[]): void {
  for (const dir of pluginDirs) {
    for (const file of readdirSync(dir)) {
      const name = /^pulumi-resource-([a-z0-9-]+)$/.exec(file)?.[1];
      const versionFile = join(dir, `${file}.version`);
      if (name === undefined || !existsSync(versionFile)) continue;
      const version = readFileSync(versionFile, "utf8").trim();
      const target = join(pulumiHome, "plugins", `resource-${name}-v${version}`);
      mkdirSync(target, { recursive: true });
      rmSync(join(target, file), { force: true }); // a kept home has it linked already
      symlinkSync(join(dir, file), join(target, file));
    }
  }
}
