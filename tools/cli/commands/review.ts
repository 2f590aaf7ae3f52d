import { Command } from "commander";
import type { Ledger } from "../../../migrations/ledger";
import { nameFromUrn, stackFromUrn } from "../../../policies/classify";
import { resolvePolicySettings, stackPolicyInput } from "../../../policies/config";
import { withholdPlaintextSecrets } from "../../../policies/checks/secrets";
import { policySettingChanges, type PolicySettingChange } from "../../../policies/policy-change";
import type { Environment } from "../../../policies/rules";
import { blockingVerdicts, checkTransition, type Verdict } from "../../../policies/transition";
import { parsePreviewDocument } from "../../engine/preview-document";
import type { Plan } from "../../plan/plan";
import { renderMarkdown, renderText } from "../../review";
import { EXIT, UsageError } from "../main";
import { readInputFile, shown } from "./input-files";
import { asUsage, nowOf, stackNameArgument } from "./stack-context";

interface ReviewOptions {
  markdown?: boolean;
  stack?: string;
  at?: string;
}

export function reviewCommand(): Command {
  return new Command("review")
    .description(
      "Render a plan for review: a `pulumi preview --json` document or a `stepwise plan --json` file.\n" +
        "Runs the transition checks on it (ledger before/after from the PhaseLedger step).\n" +
        "Exit 1 when a mandatory rule blocks it.",
    )
    .argument("<preview.json>", "the plan document")
    .option("--markdown", "print GitHub-flavoured Markdown (for a pull-request comment)")
    .option("--stack <name>", "stack the plan is for (default: read from the URNs)")
    .option("--at <iso-time>", "check as of this time instead of now")
    .action((file: string, options: ReviewOptions) => {
      process.exitCode = runReview(file, options);
    });
}

function runReview(file: string, options: ReviewOptions): number {
  const text = readInputFile(file, "plan");
  const plan = asUsage(() => parsePreviewDocument(text, file));
  const stack =
    (options.stack === undefined ? undefined : stackNameArgument(options.stack, "--stack")) ??
    plan.stepwise?.stack ??
    stackOfPlan(plan);
  const { verdicts, policyChanges } = checkPlan(plan, stack, nowOf(options));
  const input = {
    plan: withholdPlaintextSecrets(plan),
    title: `${stack ?? "stack"}: ${file}`,
    verdicts,
    policyChanges,
  };
  console.log(options.markdown ? renderMarkdown(input) : renderText(input));
  return blockingVerdicts(verdicts).length > 0 ? EXIT.blocked : EXIT.ok;
}

function stackOfPlan(plan: Plan): string | undefined {
  const urn = plan.steps[0]?.urn;
  return urn === undefined ? undefined : stackFromUrn(urn);
}

/**
 * Transition checks on a plan of either source: the ledgers are the PhaseLedger step's old and
 * new inputs (the engine's oldState is what is deployed). The policy in force is the one the
 * deployed ledger recorded; only without one (a first deployment, an older ledger) the plan's
 * config gives it.
 */
export function checkPlan(
  plan: Plan,
  stack: string | undefined,
  now: Date,
): { verdicts: Verdict[]; policyChanges: PolicySettingChange[] } {
  const ledgerStep = plan.steps.find((s) => nameFromUrn(s.urn) === "phase-ledger");
  const before = ledgerOf(ledgerStep?.oldState?.inputs, "oldState") ?? EMPTY;
  const after = ledgerOf(ledgerStep?.newState?.inputs, "newState") ?? EMPTY;
  const resolve = (raw: unknown, alsoFloorOf?: Environment) =>
    asUsage(() =>
      resolvePolicySettings(raw, {
        ...(stack === undefined ? {} : { stack }),
        ...(alsoFloorOf ? { alsoFloorOf } : {}),
      }),
    );
  const proposed = after.policy ?? stackPolicyInput(plan.config ?? {});
  const settings = resolve(before.policy ?? proposed);
  const policyChanges =
    before.policy === undefined
      ? []
      : policySettingChanges(settings, resolve(proposed, settings.environment));
  return {
    verdicts: checkTransition({ plan, before, after, settings, policyChanges, now }),
    policyChanges,
  };
}

const EMPTY: Ledger = { phases: {}, gates: {} };

function ledgerOf(
  inputs: Record<string, unknown> | undefined,
  side: "oldState" | "newState",
): Ledger | undefined {
  const ledger = inputs?.ledger;
  if (!isMap(ledger) || !("phases" in ledger)) return undefined;
  const problem = ledgerProblem(ledger);
  if (problem !== undefined) {
    throw new UsageError(
      `the phase-ledger step's ${side}.inputs.ledger.${problem}; give the plan as \`stepwise plan --json\` or \`pulumi preview --json\` printed it`,
    );
  }
  return ledger as unknown as Ledger;
}

/** What the checks would trip over: they read phase records and gate records. */
function ledgerProblem(ledger: Record<string, unknown>): string | undefined {
  const { phases, gates = {} } = ledger;
  if (!isMap(phases)) return `phases is ${shown(phases)}, not a map of path to phase record`;
  for (const [path, record] of Object.entries(phases)) {
    if (!isMap(record) || typeof record.phase !== "string")
      return `phases[${shown(path)}] is ${shown(record)}, not a phase record {phase, enteredAt}`;
  }
  if (!isMap(gates)) return `gates is ${shown(gates)}, not a map of gate to record`;
  for (const [gate, record] of Object.entries(gates)) {
    if (!isMap(record)) return `gates[${shown(gate)}] is ${shown(record)}, not a gate record`;
  }
  return undefined;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
