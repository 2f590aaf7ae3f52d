/**
 * A throwaway git repository holding a copy of the bundled stacks, for attacks that come as a
 * pull request: the committed files are the base, edits to the working tree are the change.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { main } from "../../../tools/cli/main";
import { SEED_PLATFORM_DIR, SEED_STACKS_DIR } from "../../support/seed-platform";

export interface StackRepo {
  readonly dir: string;
  readonly stacksDir: string;
  /** Rewrites a stack file in the working tree (the change under review). */
  edit(stack: string, change: (text: string) => string): void;
  /** Commits the working tree (the change merged: it becomes the base). */
  commit(message: string): void;
  /** Drops the change: the working tree is the base again. */
  reset(): void;
  remove(): void;
}

export function stackRepo(): StackRepo {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-attack-"));
  const stacksDir = join(dir, "stacks");
  cpSync(SEED_STACKS_DIR, stacksDir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: dir,
      stdio: "pipe",
    });
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "base");
  return {
    dir,
    stacksDir,
    edit(stack, change) {
      const file = join(stacksDir, `Pulumi.${stack}.yaml`);
      const before = readFileSync(file, "utf8");
      const after = change(before);
      if (after === before) throw new Error(`the edit of ${stack} changed nothing`);
      writeFileSync(file, after);
    },
    commit(message) {
      git("add", ".");
      git("commit", "-q", "-m", message);
    },
    reset() {
      git("checkout", "-q", "--", ".");
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs the CLI in-process; what it printed, and its exit code. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi
    .spyOn(console, "log")
    .mockImplementation((...parts: unknown[]) => void out.push(parts.join(" ")));
  const error = vi
    .spyOn(console, "error")
    .mockImplementation((...parts: unknown[]) => void err.push(parts.join(" ")));
  try {
    const code = await main(["-C", SEED_PLATFORM_DIR, ...args]);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}
