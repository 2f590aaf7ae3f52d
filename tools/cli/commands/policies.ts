/**
 * `stepwise policies list` (each rule, its level for a stack, where it is checked) and
 * `stepwise policies pack-config` (the stack's --policy-pack-config for the CrossGuard pack).
 */
import type { Command } from "commander";
import { loadStackConfig, parseStackFile } from "../../../migrations/config/stack-file-reader";
import {
  PolicyConfigError,
  resolvePolicySettings,
  stackPolicyInput,
  type PolicySettings,
} from "../../../policies/config";
import { packConfigFor } from "../../../policies/pack-config";
import { RULES } from "../../../policies/rules";
import { UsageError } from "../exit";
import { STACKS_DIR_HELP, stackFile, stackTextAt } from "./stack-context";

interface PolicyCommandOptions {
  stack: string;
  stacksDir?: string;
  base?: string;
}

/** A stack's policy settings: `stepwise:policy`, its environment from `stepwise:environment` or the name. */
export function stackPolicySettings(
  stack: string,
  stacksDir: string | undefined,
  base?: string,
): { settings: PolicySettings; raw: Record<string, unknown> } {
  const file = stackFile(stack, stacksDir === undefined ? {} : { stacksDir }, "--stack");
  let loaded;
  try {
    // The policy in force is the base side's; a stack file new at the base brings its own.
    const baseText = base === undefined ? undefined : stackTextAt(base, file);
    loaded =
      baseText === undefined
        ? loadStackConfig(file)
        : parseStackFile(baseText, `${file} at ${base}`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
  const input = stackPolicyInput(loaded.config);
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new UsageError(`${file}: stepwise:policy = ${JSON.stringify(input)}: must be a map`);
  }
  const raw = input as Record<string, unknown>;
  try {
    return {
      settings: resolvePolicySettings(raw, { stack, field: `${file}: stepwise:policy` }),
      raw,
    };
  } catch (error) {
    if (error instanceof PolicyConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** One line per rule: id, level for this stack, where it is checked, title. */
export function renderRuleList(settings: PolicySettings): string {
  const width = Math.max(...RULES.map((r) => r.id.length));
  return [
    `rules for environment ${settings.environment}:`,
    ...RULES.map(
      (r) =>
        `  ${r.id.padEnd(width)}  ${settings.levels[r.id].padEnd(9)}  ${r.coverage.pack ? "pack+plan" : "plan     "}  ${r.title}`,
    ),
  ].join("\n");
}

export function registerPolicyCommands(program: Command): void {
  const policies = program
    .command("policies")
    .description("the no-big-bang rules: list them, configure the CrossGuard pack");
  policies
    .command("list")
    .description("each rule with its level for a stack and where it is checked")
    .requiredOption("--stack <name>", "stack whose settings apply (stacks/Pulumi.<name>.yaml)")
    .option("--stacks-dir <dir>", STACKS_DIR_HELP)
    .action((options: PolicyCommandOptions) => {
      console.log(renderRuleList(stackPolicySettings(options.stack, options.stacksDir).settings));
    });
  policies
    .command("pack-config")
    .description(
      "print the stack's --policy-pack-config JSON for `pulumi preview --policy-pack policies`",
    )
    .requiredOption("--stack <name>", "stack whose settings apply (stacks/Pulumi.<name>.yaml)")
    .option("--stacks-dir <dir>", STACKS_DIR_HELP)
    .option(
      "--base <git-ref>",
      "take the settings from the stack file at this git ref (the policy in force), not from the change under review",
    )
    .action((options: PolicyCommandOptions) => {
      const { settings, raw } = stackPolicySettings(options.stack, options.stacksDir, options.base);
      console.log(JSON.stringify(packConfigFor(settings, raw), null, 2));
    });
}
