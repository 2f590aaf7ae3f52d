/**
 * `-C, --cwd <dir>`: run as if started in that folder, like `git -C` and `make -C`. Every
 * relative path on the command line, and the search for Pulumi.yaml, start there.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "./exit";

export function addWorkingDirectoryOption(program: Command): Command {
  return program
    .option("-C, --cwd <dir>", "run in this folder (the Pulumi project, or a folder inside it)")
    .hook("preAction", (root) => {
      const dir = root.opts<{ cwd?: string }>().cwd;
      if (dir !== undefined) process.chdir(workingDirectory(dir));
    });
}

function workingDirectory(dir: string): string {
  const full = resolve(dir);
  if (!existsSync(full) || !statSync(full).isDirectory()) {
    throw new UsageError(`-C ${dir}: ${full} is not a folder; give the Pulumi project's folder`);
  }
  return full;
}
