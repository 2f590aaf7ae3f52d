import { Command } from "commander";
import type { PathId } from "../../../migrations/path";
import { replaceStackFile, StackFileError, withFileLock, type Direction } from "../../stackfile";
import { EXIT, UsageError } from "../exit";
import { printTransition, type OutputOptions } from "./output";
import {
  addStackOptions,
  nowOf,
  pathArgument,
  planStackTransition,
  readStack,
  stackFile,
  stepStackText,
  type StackOptions,
} from "./stack-context";

interface StepOptions extends StackOptions, OutputOptions {}

/** `advance` and `rollback`: one phase step written to the stack file when no rule blocks it. */
export function phaseStepCommand(direction: Direction): Command {
  const verb = direction === "advance" ? "Advance" : "Roll back";
  const command = new Command(direction)
    .description(
      `${verb} one migration path of a stack by exactly one phase: edits phases, enteredAt and\n` +
        "previousPhases in stacks/Pulumi.<stack>.yaml (comments kept) and prints the plan with verdicts.\n" +
        "When a mandatory rule blocks the transition the file is left unchanged and the exit code is 1.\n" +
        "One command edits a stack at a time (a lock file beside it); the file is replaced whole, and\n" +
        "only if nothing else changed it meanwhile, otherwise it is left as it was (exit 2).",
    )
    .argument("<stack>", "stack name (stacks/Pulumi.<stack>.yaml)")
    .argument("<path>", "migration path: events, platform, database, api or consolidation")
    .option("--markdown", "print the plan as GitHub-flavoured Markdown")
    .option("--json", "print the plan as JSON");
  return addStackOptions(command).action(
    async (stack: string, path: string, options: StepOptions) => {
      process.exitCode = await runPhaseStep(direction, stack, path, options);
    },
  );
}

async function runPhaseStep(
  direction: Direction,
  stack: string,
  pathName: string,
  options: StepOptions,
): Promise<number> {
  const path = pathArgument(pathName);
  const locked = stackFile(stack, options);
  try {
    return await withFileLock(locked, `stepwise ${direction} ${stack} ${path}`, () =>
      stepLocked(direction, stack, path, options),
    );
  } catch (error) {
    // Held lock, file changed meanwhile, failed write: the file is as it was; say what to do.
    if (error instanceof StackFileError) throw new UsageError(error.message);
    throw error;
  }
}

async function stepLocked(
  direction: Direction,
  stack: string,
  path: PathId,
  options: StepOptions,
): Promise<number> {
  const { file, text } = readStack(stack, options);
  const { text: after, change } = await stepStackText(
    stack,
    text,
    file,
    { path, direction, now: nowOf(options) },
    options,
  );
  const transition = await planStackTransition(stack, text, after, options, {
    before: file,
    after: `${file} (${direction} ${path})`,
  });
  const code = printTransition(
    transition,
    `${stack}: ${direction} ${path} (${change.from} → ${change.to})`,
    options,
  );
  if (code !== EXIT.ok) {
    console.error(`stepwise: ${direction} blocked by a mandatory rule; ${file} is unchanged`);
    return code;
  }
  replaceStackFile(file, text, after);
  console.error(`stepwise: ${file}: ${path} ${change.from} → ${change.to}`);
  return EXIT.ok;
}
