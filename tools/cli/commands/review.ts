import { Command } from "commander";
import { ENVIRONMENTS, type Environment } from "../../../policies/rules";
import { renderMarkdown, renderText, reviewDocument } from "../../review";
import { EXIT, UsageError } from "../exit";
import { readInputFile } from "./input-files";
import { asUsage, nowOf, stackNameArgument } from "./stack-context";

interface ReviewOptions {
  markdown?: boolean;
  json?: boolean;
  stack?: string;
  environment?: string;
  at?: string;
}

export function reviewCommand(): Command {
  return new Command("review")
    .description(
      "Render a plan for review: a `pulumi preview --json` document (of any Pulumi program) or a `stepwise plan --json` file.\n" +
        "Runs the rules that apply: path rules where the plan carries stepwise's phase ledger, the rest on any program;\n" +
        "rules whose level depends on the environment only once it is known (--environment, stepwise:policy.environment or the stack name).\n" +
        "Exit 1 when the preview failed (engine error, policy violation, maybeCorrupt) or a mandatory rule blocks it; exit 2 when the file cannot be read.",
    )
    .argument("<preview.json>", "the plan document")
    .option("--markdown", "print GitHub-flavoured Markdown (for a pull-request comment)")
    .option(
      "--json",
      "print the whole review (every step and changed value, verdicts, rules) as JSON",
    )
    .option("--stack <name>", "stack the plan is for (default: read from the URNs)")
    .option("--environment <env>", `judge by this environment's rules (${ENVIRONMENTS.join(", ")})`)
    .option("--at <iso-time>", "check as of this time instead of now")
    .action((file: string, options: ReviewOptions) => {
      process.exitCode = runReview(file, options);
    });
}

function runReview(file: string, options: ReviewOptions): number {
  if (options.markdown && options.json) {
    throw new UsageError("--markdown and --json: give one of them");
  }
  const environment = environmentOption(options.environment);
  const stack =
    options.stack === undefined ? undefined : stackNameArgument(options.stack, "--stack");
  const text = readInputFile(file, "plan");
  const { input, review, exitCode } = asUsage(() =>
    reviewDocument(text, file, {
      now: nowOf(options),
      ...(stack === undefined ? {} : { stack }),
      ...(environment === undefined ? {} : { environment }),
    }),
  );
  if (options.json) console.log(JSON.stringify(review, null, 2));
  else console.log(options.markdown ? renderMarkdown(input) : renderText(input));
  return exitCode === 1 ? EXIT.blocked : EXIT.ok;
}

function environmentOption(value: string | undefined): Environment | undefined {
  if (value === undefined) return undefined;
  if (!(ENVIRONMENTS as readonly string[]).includes(value)) {
    throw new UsageError(
      `--environment ${JSON.stringify(value)}: not an environment; give one of ${ENVIRONMENTS.join(", ")}`,
    );
  }
  return value as Environment;
}
