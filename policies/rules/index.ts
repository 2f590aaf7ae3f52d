/**
 * Every "no big bang" rule, one file each (rules/<rule id>.ts: its definition, transition check
 * and pack check). The CrossGuard pack (pack/), the transition checks (transition.ts), the policy
 * settings and the generated docs all read this list, in this order.
 */
import type { Rule } from "../rule-definition";
import { bothSystemsMonitored } from "./both-systems-monitored";
import { engineStaysPut } from "./engine-stays-put";
import { k3sProdWorkloads } from "./k3s-prod-workloads";
import { minimumPhaseTime } from "./minimum-phase-time";
import { noCreateAndDeleteSystems } from "./no-create-and-delete-systems";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { onePathPerUpdate } from "./one-path-per-update";
import { onePhaseStep } from "./one-phase-step";
import { oneServicePlatformMove } from "./one-service-platform-move";
import { phaseGates } from "./phase-gates";
import { policyChangeAlone } from "./policy-change-alone";
import { recordedEvidence } from "./recorded-evidence";
import { rollbackDrillRecent } from "./rollback-drill-recent";
import { statefulDeleteAfterWindow } from "./stateful-delete-after-window";
import { statefulDeleteAlone } from "./stateful-delete-alone";
import { statefulNeverReplaced } from "./stateful-never-replaced";
import { trafficWeightStep } from "./traffic-weight-step";

export {
  ENVIRONMENTS,
  LEVELS,
  levelInEveryEnvironment,
  type Environment,
  type Level,
  type Rule,
  type RuleDefinition,
} from "../rule-definition";

export const RULES = [
  policyChangeAlone,
  onePhaseStep,
  onePathPerUpdate,
  oneServicePlatformMove,
  engineStaysPut,
  trafficWeightStep,
  noCreateAndDeleteSystems,
  statefulNeverReplaced,
  statefulDeleteAfterWindow,
  statefulDeleteAlone,
  phaseGates,
  recordedEvidence,
  rollbackDrillRecent,
  minimumPhaseTime,
  bothSystemsMonitored,
  noPlaintextSecrets,
  k3sProdWorkloads,
] as const satisfies readonly Rule[];

export type RuleId = (typeof RULES)[number]["id"];
export const RULE_IDS: readonly RuleId[] = RULES.map((rule) => rule.id);
