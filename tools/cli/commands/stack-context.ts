/**
 * What the migration commands share: where the stacks and the program are, reading a stack
 * file (now or at a git ref), planning a transition, and turning library errors into exit-2
 * usage errors that name what to fix.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { PATH_IDS, isPathId } from "../../../migrations/path-queries";
import type { PathId } from "../../../migrations/path";
import { StackConfigError } from "../../../migrations/config/stack-config";
import { PolicyConfigError } from "../../../policies/config";
import { ProgramEvaluationError, type ProgramFunction } from "../../plan/offline-planner";
import { stackEvaluationConfig, type StackEvaluationConfig } from "../../plan/evaluation-config";
import { planAndCheck, type CheckedTransition } from "../../plan/plan-and-check";
import { loadProgramModule } from "../../project/load-program";
import { findPulumiProject, ProjectError, type PulumiProject } from "../../project/pulumi-project";
import { evaluateProgram } from "../../evaluate";
import { applyPhaseStep, StackFileError, type Direction, type PhaseChange } from "../../stackfile";
import { UsageError } from "../exit";
import { readInputFile, shown } from "./input-files";

/** Options every stack command takes. */
export interface StackOptions {
  /** Folder of Pulumi.<stack>.yaml files; default: the project's stackConfigDir. */
  stacksDir?: string;
  /** Module whose export (or default export) is the program; default: the project's `main`. */
  program?: string;
  /** ISO time used as "now" (entry times, rollback windows); default: the clock. */
  at?: string;
}

/** Help of --stacks-dir, wherever a command takes it. */
export const STACKS_DIR_HELP =
  "folder holding Pulumi.<stack>.yaml (default: stackConfigDir of the Pulumi.yaml in the working folder or above)";

export function addStackOptions(command: Command): Command {
  return command
    .option("--stacks-dir <dir>", STACKS_DIR_HELP)
    .option(
      "--program <module>",
      "module that exports the Pulumi program function (default: Pulumi.yaml's main)",
    )
    .option("--at <iso-time>", "evaluate as of this time instead of now (for reproducible output)");
}

export function nowOf(options: StackOptions): Date {
  if (options.at === undefined) return new Date();
  const time = new Date(options.at);
  if (Number.isNaN(time.getTime())) {
    throw new UsageError(
      `--at "${options.at}" is not a time; write ISO 8601, e.g. 2026-11-26T12:00:00Z`,
    );
  }
  return time;
}

/** The Pulumi project of the working folder (or the nearest above); a usage error when none. */
export function currentProject(): PulumiProject {
  return asUsage(() => findPulumiProject(process.cwd()));
}

export function stacksDir(options: StackOptions): string {
  const dir = resolve(options.stacksDir ?? currentProject().stacksDir);
  const kind = existsSync(dir) ? (statSync(dir).isDirectory() ? "folder" : "file") : "missing";
  if (kind !== "folder") {
    throw new UsageError(
      `--stacks-dir ${shown(dir)} ${kind === "file" ? "is a file" : "does not exist"}; give the folder holding Pulumi.<stack>.yaml`,
    );
  }
  return dir;
}

/**
 * What a stack name may be. It becomes part of a file path and an argument to `pulumi`, so
 * nothing that could leave the stacks folder (`/`, `..`) or pass for an option (`-`).
 */
export const STACK_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** A stack name from the command line, checked against STACK_NAME; `label` names the input. */
export function stackNameArgument(name: string, label = "stack"): string {
  if (!STACK_NAME.test(name)) {
    throw new UsageError(
      `${label} ${shown(name)} is not a stack name; use lowercase letters, digits and "-", starting with a letter or digit (e.g. dev, prod-eu)`,
    );
  }
  return name;
}

export function stackNames(options: StackOptions): string[] {
  return readdirSync(stacksDir(options))
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined && STACK_NAME.test(name))
    .sort();
}

export function stackFile(stack: string, options: StackOptions, label = "stack"): string {
  const file = join(stacksDir(options), `Pulumi.${stackNameArgument(stack, label)}.yaml`);
  if (!existsSync(file)) {
    const known = stackNames(options);
    throw new UsageError(
      `unknown stack "${stack}": there is no ${file}; stacks are ${known.join(", ") || "(none)"}`,
    );
  }
  return file;
}

export function readStack(stack: string, options: StackOptions): { file: string; text: string } {
  const file = stackFile(stack, options);
  return { file, text: readInputFile(file, "stack file") };
}

/**
 * The stack file's text at a git ref (`git show REF:path`), from the repository holding it;
 * undefined when the ref exists but the file did not yet (the stack is new in this change).
 * The ref is resolved to a commit first and only the commit id is passed on, so no ref can
 * reach git as an option.
 */
export function stackTextAt(ref: string, file: string): string | undefined {
  if (ref.startsWith("-") || ref.trim() === "") {
    throw new UsageError(
      `--base ${shown(ref)} is not a git ref; give a commit, branch or tag (e.g. --base origin/main)`,
    );
  }
  const dir = resolve(file, "..");
  try {
    const top = execFileSync("git", ["rev-parse", "--show-toplevel"], {
      cwd: dir,
      encoding: "utf8",
    }).trim();
    const inRepo = relative(top, file).split("\\").join("/");
    const git = (args: string[]) =>
      execFileSync("git", args, { cwd: top, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const commit = git([
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${ref}^{commit}`,
    ]).trim();
    const listed = git(["ls-tree", "--name-only", commit, "--", inRepo]).trim();
    if (listed === "") return undefined;
    return git(["show", `${commit}:${inRepo}`]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UsageError(
      `--base ${shown(ref)}: cannot read ${file} at that ref (${stderr || (error as Error).message}); give a commit, branch or tag where the file exists`,
    );
  }
}

export function pathArgument(value: string): PathId {
  if (!isPathId(value)) {
    throw new UsageError(`unknown path "${value}"; valid paths are ${PATH_IDS.join(", ")}`);
  }
  return value;
}

/** The program to evaluate: the function --program exports, or the project's `main` does. */
export async function loadProgram(options: StackOptions): Promise<ProgramFunction> {
  if (options.program !== undefined) {
    return loadProgramModule(resolve(options.program), "--program").catch(usage);
  }
  return loadProgramModule(currentProject().programFile, "Pulumi.yaml main").catch(usage);
}

/** The Pulumi project name the program runs under: that of the project, else "stepwise". */
function projectName(options: StackOptions): string {
  try {
    return findPulumiProject(options.stacksDir ? resolve(options.stacksDir) : process.cwd()).name;
  } catch (error) {
    if (error instanceof ProjectError) return "stepwise";
    throw error;
  }
}

export function evaluationConfig(text: string, source: string): StackEvaluationConfig {
  return asUsage(() => stackEvaluationConfig(text, source));
}

/**
 * Plans and checks a transition; config and program errors become exit-2 usage errors.
 * `beforeText` undefined plans the stack's first deployment.
 */
export async function planStackTransition(
  stack: string,
  beforeText: string | undefined,
  afterText: string,
  options: StackOptions,
  sources: { before: string; after: string },
): Promise<CheckedTransition> {
  const program = await loadProgram(options);
  try {
    return await planAndCheck({
      program,
      project: projectName(options),
      stack,
      before: beforeText === undefined ? undefined : evaluationConfig(beforeText, sources.before),
      after: evaluationConfig(afterText, sources.after),
      now: nowOf(options),
    });
  } catch (error) {
    throw toUsage(error);
  }
}

/** One phase step asked of a stack file's text. */
export interface PhaseStepRequest {
  readonly path: PathId;
  readonly direction: Direction;
  readonly now: Date;
}

/**
 * The stack file's text after one phase step. The consolidation path's monolith weights name the
 * services the monolith absorbs, which only the program knows: for that path the program is
 * evaluated once, with the stack's current config, for its `absorbedServices` output.
 */
export async function stepStackText(
  stack: string,
  text: string,
  file: string,
  step: PhaseStepRequest,
  options: StackOptions,
): Promise<{ text: string; change: PhaseChange }> {
  const absorbed =
    step.path === "consolidation" ? await absorbedServicesOf(stack, text, file, options) : [];
  return asUsage(() => applyPhaseStep(text, step.path, step.direction, step.now, file, absorbed));
}

async function absorbedServicesOf(
  stack: string,
  text: string,
  file: string,
  options: StackOptions,
): Promise<string[]> {
  const program = await loadProgram(options);
  const input = evaluationConfig(text, file);
  let result: unknown;
  try {
    ({ result } = await evaluateProgram(program, {
      project: projectName(options),
      stack,
      config: input.config,
      secretConfigKeys: input.secretKeys,
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`stack ${stack}: ${message}`);
  }
  const names = (result as { absorbedServices?: unknown } | undefined)?.absorbedServices;
  if (!Array.isArray(names) || !names.every((name) => typeof name === "string")) {
    throw new UsageError(
      `the program's outputs have no absorbedServices list, which the consolidation path's monolithWeights are written from; build the program with stepwise-iac's stepwiseProgram`,
    );
  }
  return names;
}

/**
 * Runs a parse step; whatever it rejects is the user's input to fix (exit 2). `field`, when
 * given, names the input the message is about.
 */
export function asUsage<T>(run: () => T, field?: string): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw new UsageError(field === undefined ? error.message : `${field}: ${error.message}`);
  }
}

function usage(error: unknown): never {
  throw toUsage(error);
}

function toUsage(error: unknown): unknown {
  const fixable =
    error instanceof ProgramEvaluationError ||
    error instanceof StackConfigError ||
    error instanceof StackFileError ||
    error instanceof PolicyConfigError ||
    error instanceof ProjectError;
  return fixable ? new UsageError(error.message) : error;
}
