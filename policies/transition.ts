/**
 * Transition checks: every rule applied to a plan (before and after) and the ledgers on either
 * side. `stepwise plan`, `review` and `drill` call checkTransition; a failed mandatory verdict
 * blocks the update.
 */
import type { Ledger } from "../migrations/ledger";
import { gateChanged } from "../migrations/gate-evidence";
import type { GateId, MigrationPath } from "../migrations/path";
import { MIGRATION_PATHS } from "../migrations/paths";
import type { Plan } from "../migrations/plan-model";
import type { PolicySettings } from "./config";
import type { PolicySettingChange } from "./policy-change";
import { RULES, type Level, type RuleId } from "./rules";
import { engineMoveFindings, enginesMoved } from "./checks/engines";
import { entryTimeFindings, gateEvidenceFindings } from "./checks/evidence";
import { monitoringFindings } from "./checks/monitoring";
import { onePathFindings } from "./checks/one-path";
import { changedResources, policyChangeFindings } from "./checks/policy";
import {
  drillFindings,
  gateFindings,
  minimumTimeFindings,
  phaseStepFindings,
  rollbackWindowFindings,
  type Finding,
  type PathMove,
} from "./checks/phases";
import {
  createAndDeleteFindings,
  deleteAloneFindings,
  deletedStateful,
  platformMoveFindings,
  replacedStatefulFindings,
  weightStepFindings,
} from "./checks/plan-rules";
import { resourcesAfter } from "./checks/plan-view";
import { plaintextSecretFindings, stackConfigSecretFindings } from "./checks/secrets";
import { k3sWorkloadFindings } from "./checks/workloads";

export interface Verdict {
  readonly ruleId: RuleId;
  readonly level: Level;
  readonly passed: boolean;
  /** What was found and what to do instead (or, when passed, what was checked). */
  readonly message: string;
  readonly urn?: string;
}

export interface TransitionInput {
  readonly plan: Plan;
  readonly before: Ledger;
  readonly after: Ledger;
  /** The policy in force: the before side's (base or deployed), never the change's own. */
  readonly settings: PolicySettings;
  /** What the change does to the policy settings; it takes effect from the next update. */
  readonly policyChanges?: readonly PolicySettingChange[];
  readonly now: Date;
  /** The rules to run. @default every rule */
  readonly rules?: readonly RuleId[];
}

/** Everything the rules read, worked out once. */
interface Transition extends TransitionInput {
  /** Every path present in either ledger; a path missing on one side is at its baseline. */
  readonly moves: readonly PathMove[];
}

const PATHS: MigrationPath[] = Object.values(MIGRATION_PATHS);

export function pathMoves(before: Ledger, after: Ledger): PathMove[] {
  return PATHS.filter((p) => before.phases[p.id] ?? after.phases[p.id]).map((path) => {
    const baseline = path.phases[0]?.id ?? "";
    return {
      path,
      from: before.phases[path.id]?.phase ?? baseline,
      to: after.phases[path.id]?.phase ?? baseline,
    };
  });
}

const moving = (t: Transition): PathMove[] => t.moves.filter((m) => m.from !== m.to);

/** Gates whose record the change writes or edits. */
const gatesWritten = (before: Ledger, after: Ledger): GateId[] =>
  (Object.keys(after.gates) as GateId[]).filter((gate) =>
    gateChanged(before.gates[gate], after.gates[gate]),
  );

/** One function per rule; each returns what it found wrong. */
const TRANSITION_CHECKS: Readonly<Record<RuleId, (t: Transition) => Finding[]>> = {
  "policy-change-alone": (t) =>
    policyChangeFindings(t.policyChanges ?? [], moving(t), changedResources(t.plan)),
  "one-phase-step": (t) => t.moves.flatMap(phaseStepFindings),
  "one-path-per-update": (t) => onePathFindings(moving(t), t.settings),
  "one-service-platform-move": (t) => platformMoveFindings(t.plan),
  "engine-stays-put": (t) => engineMoveFindings(enginesMoved(t.before, t.after)),
  "traffic-weight-step": (t) => weightStepFindings(t.plan, t.settings.weightStep),
  "no-create-and-delete-systems": (t) => createAndDeleteFindings(t.plan, moving(t), PATHS),
  "stateful-never-replaced": (t) => replacedStatefulFindings(t.plan, t.settings),
  "stateful-delete-after-window": (t) => {
    const retiring = moving(t).filter(
      (m) => m.path.phases.find((p) => p.id === m.to)?.retirement && m.to !== m.from,
    );
    const windowFindings = retiring.flatMap((m) =>
      rollbackWindowFindings(m, t.before.phases[m.path.id]?.enteredAt, t.settings, t.now),
    );
    if (retiring.length > 0) return windowFindings;
    return deletedStateful(t.plan, moving(t), t.settings).map((r) => ({
      message: `${r.name} (${r.type}) is deleted but no path enters a retirement phase in this update`,
      urn: r.urn,
    }));
  },
  "stateful-delete-alone": (t) => deleteAloneFindings(t.plan, moving(t), t.settings),
  "phase-gates": (t) =>
    moving(t).flatMap((m) => gateFindings(m, t.after, t.before.phases[m.path.id]?.enteredAt)),
  "recorded-evidence": (t) => [
    ...gateEvidenceFindings(gatesWritten(t.before, t.after), t.after, moving(t), t.now),
    ...entryTimeFindings(t.before, t.after, moving(t), t.now),
  ],
  "rollback-drill-recent": (t) =>
    moving(t).flatMap((m) => drillFindings(m, t.after, t.settings, t.now)),
  "minimum-phase-time": (t) =>
    moving(t).flatMap((m) => minimumTimeFindings(m, t.before.phases[m.path.id], t.settings, t.now)),
  "both-systems-monitored": (t) => monitoringFindings(resourcesAfter(t.plan), t.after),
  "no-plaintext-secrets": (t) => [
    ...resourcesAfter(t.plan).flatMap((r) => plaintextSecretFindings(r, true)),
    ...stackConfigSecretFindings(t.plan.config ?? {}),
  ],
  "k3s-prod-workloads": (t) => resourcesAfter(t.plan).flatMap(k3sWorkloadFindings),
};

/** Turns a rule's findings into verdicts: one passed verdict, or one failed per finding. */
export function verdictsFor(ruleId: RuleId, level: Level, findings: readonly Finding[]): Verdict[] {
  const rule = RULES.find((r) => r.id === ruleId);
  if (findings.length === 0) {
    return [{ ruleId, level, passed: true, message: `${rule?.title ?? ruleId}: passed` }];
  }
  return findings.map((f) => ({
    ruleId,
    level,
    passed: false,
    message: `${f.message}. To pass: ${rule?.satisfy ?? ""}`,
    ...(f.urn === undefined ? {} : { urn: f.urn }),
  }));
}

/**
 * Every rule on one transition, in rule order. Disabled rules still run and report what they
 * found, with level "disabled", so a review shows what was waived.
 */
export function checkTransition(input: TransitionInput): Verdict[] {
  const transition: Transition = { ...input, moves: pathMoves(input.before, input.after) };
  const selected = RULES.filter((rule) => input.rules?.includes(rule.id) ?? true);
  return selected.flatMap((rule) =>
    verdictsFor(rule.id, input.settings.levels[rule.id], TRANSITION_CHECKS[rule.id](transition)),
  );
}

/** Verdicts that stop the update: failed and mandatory. */
export function blockingVerdicts(verdicts: readonly Verdict[]): Verdict[] {
  return verdicts.filter((v) => !v.passed && v.level === "mandatory");
}
