/**
 * `stepwise project`: the Pulumi project stepwise found and what it reads from it — the folder,
 * name, program and stacks — so a script (the plan action) and a puzzled user see the same.
 */
import { Command } from "commander";
import {
  addStackOptions,
  currentProject,
  stackNames,
  stacksDir,
  type StackOptions,
} from "./stack-context";

export interface ProjectSummary {
  readonly dir: string;
  readonly name: string;
  readonly program: string;
  readonly stacksDir: string;
  readonly stacks: readonly string[];
}

export function projectCommand(): Command {
  return addStackOptions(
    new Command("project")
      .description(
        "Show the Pulumi project stepwise runs in: its folder, name, program (Pulumi.yaml main) and stacks",
      )
      .option("--json", "print it as JSON"),
  ).action((options: StackOptions & { json?: boolean }) => {
    const project = currentProject();
    const summary: ProjectSummary = {
      dir: project.dir,
      name: project.name,
      program: options.program ?? project.programFile,
      stacksDir: stacksDir(options),
      stacks: stackNames(options),
    };
    if (options.json) {
      console.log(JSON.stringify(summary, null, 2));
      return;
    }
    console.log(
      [
        `project  ${summary.name} (${summary.dir})`,
        `program  ${summary.program}`,
        `stacks   ${summary.stacks.join(", ") || "(none)"} in ${summary.stacksDir}`,
      ].join("\n"),
    );
  });
}
