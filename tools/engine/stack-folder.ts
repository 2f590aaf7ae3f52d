/**
 * The folder a throwaway stack lives in: a working copy of the project (its node_modules
 * linked, not copied) and a PULUMI_HOME with the built plugins installed.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "fs";
import { basename, dirname, join, relative } from "path";

export function makeDir(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Neither part of a program nor small: never copied into a working copy. */
const NOT_COPIED = new Set(["node_modules", ".git", ".cache", "dist"]);

/**
 * Where the working copy of a project is, in a stack folder: the copy is of the folder whose
 * node_modules the project resolves from (the project's own, or a workspace's root holding it),
 * so what the program imports from beside its own folder comes along.
 */
export function workingCopyDir(projectDir: string, tempRoot: string): string {
  const copied = dirname(findNodeModules(projectDir));
  return join(tempRoot, "project", relative(copied, projectDir));
}

/**
 * Copies the project (without node_modules), from the folder its node_modules is in, and links
 * that node_modules; returns the project's folder in the copy.
 */
export function copyProject(projectDir: string, tempRoot: string): string {
  const nodeModules = findNodeModules(projectDir);
  const from = dirname(nodeModules);
  const copy = join(tempRoot, "project");
  // Entry by entry: a kept root may live under the project's .cache, and cpSync refuses to copy
  // a folder into itself even when a filter would leave that part out.
  for (const entry of readdirSync(from)) {
    if (NOT_COPIED.has(entry)) continue;
    cpSync(join(from, entry), join(copy, entry), {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(basename(source)),
    });
  }
  symlinkSync(nodeModules, join(copy, "node_modules"), "dir");
  return join(copy, relative(from, projectDir));
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
