import {
  findLedgerResource,
  ledgerOfInputs,
  type Ledger,
  type LedgerMove,
} from "../../migrations/ledger";
import type { PathId } from "../../migrations/path";
import type { PolicySettings } from "../../policies/config";
import type { Environment } from "../../policies/rules";
import { resolvePolicySettings, stackPolicyInput } from "../../policies/config";
import { policySettingChanges, type PolicySettingChange } from "../../policies/policy-change";
import { withholdPlaintextSecrets } from "../../policies/checks/secrets";
import { checkTransition, pathMoves, type Verdict } from "../../policies/transition";
import type { RegisteredResource } from "../evaluate";
import { planOffline, type ProgramFunction } from "./offline-planner";
import type { Plan } from "../../migrations/plan-model";
import type { StackEvaluationConfig } from "./evaluation-config";

/** One path's phase change in a transition: the ledger's move, of a known path. */
export interface PhaseMove extends LedgerMove {
  readonly path: PathId;
}

/** A planned transition with what the rules say about it. */
export interface CheckedTransition {
  readonly stack: string;
  readonly plan: Plan;
  readonly verdicts: readonly Verdict[];
  /** What the change does to the policy settings (shown first in a review). */
  readonly policyChanges: readonly PolicySettingChange[];
  /** Paths whose phase changes, from the ledger each evaluation registered. */
  readonly moves: readonly PhaseMove[];
  readonly before: Ledger;
  readonly after: Ledger;
  readonly timings: { readonly evaluate: number; readonly diff: number; readonly check: number };
}

export interface TransitionRequest {
  readonly program: ProgramFunction;
  readonly stack: string;
  /** The Pulumi project name the program runs under. @default "stepwise" */
  readonly project?: string;
  /** The deployed configuration; undefined for the stack's first deployment. */
  readonly before: StackEvaluationConfig | undefined;
  readonly after: StackEvaluationConfig;
  /** Time the rules compare phase ages and rollback windows with. @default now */
  readonly now?: Date;
}

/** Plans a transition offline and runs every transition check (policies/) on it. */
export async function planAndCheck(request: TransitionRequest): Promise<CheckedTransition> {
  const result = await planOffline(request);
  const t0 = performance.now();
  const after = ledgerOf(result.after) ?? EMPTY_LEDGER;
  const before = request.before ? (ledgerOf(result.before) ?? EMPTY_LEDGER) : claimedBefore(after);
  const { settings, policyChanges } = policyInForce(request);
  const verdicts = checkTransition({
    plan: result.plan,
    before,
    after,
    settings,
    policyChanges,
    now: request.now ?? new Date(),
  });
  const moves = pathMoves(before, after)
    .filter((m) => m.from !== m.to)
    .map((m) => ({ path: m.path.id, from: m.from, to: m.to }));
  return {
    stack: request.stack,
    // Checked as planned, handed on with every plaintext secret withheld: this is what is printed.
    plan: withholdPlaintextSecrets(result.plan),
    verdicts,
    policyChanges,
    moves,
    before,
    after,
    timings: {
      evaluate: result.timings.evaluateBefore + result.timings.evaluateAfter,
      diff: result.timings.diff,
      check: performance.now() - t0,
    },
  };
}

/**
 * The change is judged by the policy of its before side; the after side's settings only have to
 * be valid, within the floor of both sides' environments (so relabelling a prod stack as dev
 * cannot lower its floor), and are reported as changes. A first deployment has no before side:
 * its own settings, within the floor, apply.
 */
export function policyInForce(request: Pick<TransitionRequest, "stack" | "before" | "after">): {
  settings: PolicySettings;
  policyChanges: PolicySettingChange[];
} {
  const resolve = (config: StackEvaluationConfig, alsoFloorOf?: Environment) =>
    resolvePolicySettings(stackPolicyInput(config.config), {
      stack: request.stack,
      ...(alsoFloorOf ? { alsoFloorOf } : {}),
    });
  if (!request.before) return { settings: resolve(request.after), policyChanges: [] };
  const settings = resolve(request.before);
  const proposed = resolve(request.after, settings.environment);
  return { settings, policyChanges: policySettingChanges(settings, proposed) };
}

const EMPTY_LEDGER: Ledger = { phases: {}, gates: {} };

/**
 * For a first deployment there is no deployed ledger: each path is taken to come from the phase
 * the file names as its previous one (as the engine's PhaseLedger records it with nothing
 * deployed), else to stay where it is.
 */
export function claimedBefore(after: Ledger): Ledger {
  const phases = Object.fromEntries(
    Object.entries(after.phases).map(([path, record]) => [
      path,
      record ? { phase: record.previous ?? record.phase, enteredAt: record.enteredAt } : record,
    ]),
  );
  return { phases, gates: after.gates };
}

/** The ledger a program registered (the PhaseLedger resource's `ledger` input), if any. */
function ledgerOf(resources: readonly RegisteredResource[]): Ledger | undefined {
  return ledgerOfInputs(findLedgerResource(resources)?.inputs);
}
