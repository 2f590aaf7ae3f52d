import type { Command } from "commander";
import { advanceCommand } from "./advance";
import { drillCommand } from "./drill";
import { planCommand } from "./plan";
import { reviewCommand } from "./review";
import { rollbackCommand } from "./rollback";
import { statusCommand } from "./status";
import { projectCommand } from "./project";

/** The migration workflow on stack files: status, plan, review, advance, rollback, drill, project. */
export function registerWorkflowCommands(program: Command): void {
  for (const command of [
    statusCommand(),
    planCommand(),
    reviewCommand(),
    advanceCommand(),
    rollbackCommand(),
    drillCommand(),
    projectCommand(),
  ]) {
    // addCommand does not pass on exitOverride and help settings the way .command() does.
    program.addCommand(command.copyInheritedSettings(program));
  }
}
