import { Command, Option } from "commander";
import type { Direction } from "../../stackfile";
import { runEnginePlan } from "./engine-plan";
import { printTransition, type OutputOptions } from "./output";
import {
  addStackOptions,
  nowOf,
  pathArgument,
  planStackTransition,
  readStack,
  stackTextAt,
  stepStackText,
  type StackOptions,
} from "./stack-context";

interface PlanOptions extends StackOptions, OutputOptions {
  advance?: string;
  rollback?: string;
  base?: string;
  initial?: boolean;
  engine?: boolean;
}

export function planCommand(): Command {
  const command = new Command("plan")
    .description(
      "Plan a transition of a stack offline (desired-state diff under Pulumi's mocks) and check it.\n" +
        "Compares the stack file at --base (default HEAD) with the working tree, or the stack with one\n" +
        "path advanced or rolled back by one phase, or (--initial, or a stack file new since --base)\n" +
        "the stack's first deployment. Exit 1 when a mandatory rule blocks it.",
    )
    .argument("<stack>", "stack name (stacks/Pulumi.<stack>.yaml)")
    .addOption(
      new Option("--advance <path>", "plan moving <path> one phase forward").conflicts([
        "rollback",
        "base",
      ]),
    )
    .addOption(
      new Option("--rollback <path>", "plan rolling <path> back one phase").conflicts([
        "base",
        "initial",
      ]),
    )
    .addOption(
      new Option(
        "--initial",
        "plan the stack's first deployment: everything is created from nothing",
      ).conflicts(["advance", "base"]),
    )
    .option("--base <git-ref>", "compare with the stack file at this git ref", "HEAD")
    .option("--markdown", "print GitHub-flavoured Markdown (for a pull-request comment)")
    .option("--json", "print the plan as JSON in the shape of `pulumi preview --json`")
    .option(
      "--engine",
      "run the real `pulumi preview` of the stack file against the stack's deployed state (the backend of PULUMI_BACKEND_URL or `pulumi login`); with --initial, of a first deployment on a throwaway backend",
    );
  return addStackOptions(command).action(async (stack: string, options: PlanOptions) => {
    process.exitCode = await runPlan(stack, options);
  });
}

async function runPlan(stack: string, options: PlanOptions): Promise<number> {
  if (options.engine) return runEnginePlan(stack, options);
  const { file, text } = readStack(stack, options);
  const step = stepOf(options);
  if (step) {
    const { text: after, change } = await stepStackText(
      stack,
      text,
      file,
      { ...step, now: nowOf(options) },
      options,
    );
    const transition = await planStackTransition(stack, text, after, options, {
      before: file,
      after: `${file} (${step.direction} ${step.path})`,
    });
    return printTransition(
      transition,
      `${stack}: ${step.direction} ${step.path} (${change.from} → ${change.to})`,
      options,
    );
  }
  if (options.initial) {
    const transition = await planStackTransition(stack, undefined, text, options, {
      before: "nothing deployed",
      after: file,
    });
    return printTransition(transition, `${stack}: first deployment`, options);
  }
  const ref = options.base ?? "HEAD";
  const baseText = stackTextAt(ref, file);
  const transition = await planStackTransition(stack, baseText, text, options, {
    before: `${file} at ${ref}`,
    after: file,
  });
  const title =
    baseText === undefined
      ? `${stack}: first deployment (no stack file at ${ref})`
      : `${stack}: ${ref} → working tree`;
  return printTransition(transition, title, options);
}

function stepOf(
  options: PlanOptions,
): { path: ReturnType<typeof pathArgument>; direction: Direction } | undefined {
  // --advance and --rollback conflict: commander refuses the pair before this runs.
  if (options.advance !== undefined)
    return { path: pathArgument(options.advance), direction: "advance" };
  if (options.rollback !== undefined)
    return { path: pathArgument(options.rollback), direction: "rollback" };
  return undefined;
}
