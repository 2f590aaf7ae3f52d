#!/usr/bin/env node
/**
 * The `stepwise` command line. Each area registers its commands from tools/cli/commands/.
 * Exit codes: 0 ok, 1 blocked by a rule (or a failed check), 2 usage or config error.
 */
import { Command, CommanderError } from "commander";
import { registerDatabaseCommands } from "./commands/database";
import { registerEventsCommands } from "./commands/events/register";
import { registerWorkflowCommands } from "./commands/workflow";
import { registerPlatformCommands } from "./commands/platform";
import { registerPolicyCommands } from "./commands/policies";
import { EXIT, UsageError } from "./exit";
import { addWorkingDirectoryOption } from "./working-directory";

export function buildProgram(): Command {
  const program = new Command("stepwise")
    .description("Infrastructure migrations as small, reviewed Pulumi stack transitions")
    .showHelpAfterError()
    .exitOverride();
  addWorkingDirectoryOption(program);
  registerDatabaseCommands(program);
  registerEventsCommands(program);
  registerWorkflowCommands(program);
  registerPlatformCommands(program);
  registerPolicyCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const startedIn = process.cwd(); // -C moves the process; an in-process caller gets it back
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      console.error(`stepwise: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    process.chdir(startedIn);
  }
}

/**
 * Exits once stdout and stderr have been flushed: to a pipe they are written asynchronously, and
 * process.exit right after a large `--json` plan would cut it short.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

if (require.main === module) {
  main(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
    console.error(error);
    exitWhenFlushed(EXIT.usage);
  });
}
