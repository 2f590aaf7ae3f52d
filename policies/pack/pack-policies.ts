/**
 * The CrossGuard policies, built from the rule table without constructing the PolicyPack (its
 * constructor starts a gRPC server), so tests call their validate functions directly.
 *
 * A policy sees only new inputs: no previous state, no operation, no deleted resource. Rules
 * that need those run as transition checks only (RuleDefinition.coverage.pack = false). The
 * phase rules read the move from the PhaseLedger's `previous` → `phase`.
 */
import type {
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { MigrationPath } from "../../migrations/path";
import { MIGRATION_PATHS } from "../../migrations/paths";
import { stackFromUrn, type ResourceView } from "../classify";
import { asLedger, findLedgerResource, type Ledger } from "../../migrations/ledger";
import { PolicyConfigError, resolvePolicySettings, type PolicySettings } from "../config";
import { RULES, type RuleDefinition, type RuleId } from "../rules";
import type { GateId } from "../../migrations/path";
import { engineMoveFindings } from "../checks/engines";
import { enteredBeforeLeftFindings, gateEvidenceFindings } from "../checks/evidence";
import { monitoringFindings } from "../checks/monitoring";
import { onePathFindings } from "../checks/one-path";
import { policyChangeFindings } from "../checks/policy";
import { policySettingChanges } from "../policy-change";
import {
  drillFindings,
  gateFindings,
  phaseStepFindings,
  rollbackWindowFindings,
  type Finding,
  type PathMove,
} from "../checks/phases";
import { plaintextSecretFindings } from "../checks/secrets";
import { phaseTrafficFindings } from "../checks/traffic";
import { k3sWorkloadFindings } from "../checks/workloads";

/** The pack's per-policy config, written by `stepwise policies pack-config`. */
export interface PackPolicyConfig {
  /** The stack's `stepwise:policy` settings (with `environment`). */
  readonly settings?: unknown;
}

/** What a pack check needs besides the resources. */
interface PackContext {
  readonly settings: PolicySettings;
  readonly now: Date;
}

/**
 * The settings a check obeys: the policy in force in the stack's ledger (the deployed one when
 * this update changes it, so a change cannot relax its own rules), else the pack config's; the
 * environment falls back to the PhaseLedger's, then the stack name.
 */
export function packSettings(
  config: PackPolicyConfig,
  urn: string,
  ledgerEnvironment?: string,
  ledgerPolicy?: Readonly<Record<string, unknown>>,
): PolicySettings {
  const given = (ledgerPolicy ?? config.settings ?? {}) as Record<string, unknown>;
  const withEnvironment =
    given.environment === undefined && ledgerEnvironment !== undefined
      ? { ...given, environment: ledgerEnvironment }
      : given;
  const stack = stackFromUrn(urn);
  return resolvePolicySettings(withEnvironment, stack === undefined ? {} : { stack });
}

/**
 * The ledger and environment carried by the stack's PhaseLedger resource, if it has one. Unlike
 * asLedger alone, a ledger object without a `phases` map is read as one with no paths rather
 * than as no ledger: the pack's checks run whenever a PhaseLedger is there, so a ledger written
 * without phases cannot switch them off.
 */
export function ledgerInStack(
  resources: readonly Pick<PolicyResource, "type" | "props" | "urn">[],
): { ledger: Ledger; environment?: string; urn: string } | undefined {
  const resource = findLedgerResource(resources);
  const given: unknown = resource?.props.ledger;
  if (!resource || typeof given !== "object" || given === null) return undefined;
  const phases: unknown = (given as { phases?: unknown }).phases;
  const ledger = asLedger({ ...given, phases: typeof phases === "object" && phases ? phases : {} });
  if (!ledger) return undefined;
  const environment: unknown = resource.props.environment;
  return {
    ledger,
    ...(typeof environment === "string" ? { environment } : {}),
    urn: resource.urn,
  };
}

/** The paths this update moves against the deployed ledger (the PhaseLedger's check records them). */
function thisUpdatesMoves(ledger: Ledger): PathMove[] {
  return (ledger.moves ?? []).flatMap((m) => {
    const path = (MIGRATION_PATHS as Record<string, MigrationPath | undefined>)[m.path];
    return path ? [{ path, from: m.from, to: m.to }] : [];
  });
}

/** Each path's move as the ledger records it: from `previous` to the current phase. */
export function ledgerMoves(ledger: Ledger): PathMove[] {
  const paths: MigrationPath[] = Object.values(MIGRATION_PATHS);
  return paths.flatMap((path) => {
    const record = ledger.phases[path.id];
    if (!record) return [];
    return [{ path, from: record.previous ?? record.phase, to: record.phase }];
  });
}

type StackCheck = (
  ledger: Ledger,
  resources: readonly ResourceView[],
  context: PackContext,
) => Finding[];
type ResourceCheck = (resource: ResourceView, context: PackContext) => Finding[];

/** Rules the pack checks on the whole stack (they need the ledger). */
export const PACK_STACK_CHECKS: Partial<Record<RuleId, StackCheck>> = {
  "policy-change-alone": (ledger, _resources, c) => {
    if (ledger.policyInForce === undefined || ledger.policy === undefined) return [];
    let proposed: PolicySettings;
    try {
      proposed = resolvePolicySettings(ledger.policy, { alsoFloorOf: c.settings.environment });
    } catch (error) {
      if (!(error instanceof PolicyConfigError)) throw error;
      return [{ message: `the new policy cannot apply: ${error.message}` }];
    }
    const moved = thisUpdatesMoves(ledger);
    const engines = (ledger.engineMoves ?? []).map(
      (m) => `engine ${m.engine} moves ${m.from} → ${m.to}`,
    );
    return policyChangeFindings(policySettingChanges(c.settings, proposed), moved, engines);
  },
  // Clock-free, like the other stack checks: the gates and moves this update brings against
  // the deployed ledger, and entry times against the deployed ones.
  "recorded-evidence": (ledger) => {
    const moved = thisUpdatesMoves(ledger);
    const written = (ledger.gatesChanged ?? []) as GateId[];
    return [
      ...gateEvidenceFindings(written, ledger, moved),
      ...moved.flatMap((m) => {
        const record = ledger.phases[m.path.id];
        return record
          ? enteredBeforeLeftFindings(m.path.id, record.enteredAt, record.previousEnteredAt)
          : [];
      }),
    ];
  },
  "one-path-per-update": (ledger, _resources, c) =>
    onePathFindings(thisUpdatesMoves(ledger), c.settings),
  "one-phase-step": (ledger) => ledgerMoves(ledger).flatMap(phaseStepFindings),
  // The pack sees no old weights, but it sees this update's phase steps, the share of traffic
  // each phase fixes and, in a weighted phase being entered, the shares the workloads carry.
  "traffic-weight-step": (ledger, resources, c) =>
    thisUpdatesMoves(ledger).flatMap((m) =>
      phaseTrafficFindings(m, c.settings.weightStep, resources),
    ),
  "engine-stays-put": (ledger) => engineMoveFindings(ledger.engineMoves ?? []),
  "phase-gates": (ledger) => ledgerMoves(ledger).flatMap((m) => gateFindings(m, ledger)),
  // The pack cannot tell this update's step from an earlier one, so the drill is judged at the
  // time the phase was entered: the verdict stays the same on every later update.
  "rollback-drill-recent": (ledger, _resources, c) =>
    ledgerMoves(ledger).flatMap((m) => {
      const entered = Date.parse(ledger.phases[m.path.id]?.enteredAt ?? "");
      return drillFindings(
        m,
        ledger,
        c.settings,
        Number.isNaN(entered) ? c.now : new Date(entered),
      );
    }),
  // The pack never sees a delete, but it sees a path enter retirement: the window counts from
  // when the cutover phase was entered by the deployed ledger (previousEnteredAt, recorded by
  // the PhaseLedger's check), judged at the time retirement was entered. With nothing deployed
  // before (a first deployment) nothing is deleted, so there is nothing to judge.
  "stateful-delete-after-window": (ledger, _resources, c) =>
    ledgerMoves(ledger).flatMap((m) => {
      const record = ledger.phases[m.path.id];
      if (record?.previousEnteredAt === undefined || m.from === m.to) return [];
      const entered = Date.parse(record.enteredAt);
      return rollbackWindowFindings(
        m,
        record.previousEnteredAt,
        c.settings,
        Number.isNaN(entered) ? c.now : new Date(entered),
      );
    }),
  "both-systems-monitored": (ledger, resources) => monitoringFindings(resources, ledger),
};

/** Rules the pack checks resource by resource. */
export const PACK_RESOURCE_CHECKS: Partial<Record<RuleId, ResourceCheck>> = {
  // Docker envs are left to the plan checks: CrossGuard unwraps pulumi.secret values.
  "no-plaintext-secrets": (resource) => plaintextSecretFindings(resource, false),
  "k3s-prod-workloads": (resource, c) =>
    c.settings.environment === "prod" ? k3sWorkloadFindings(resource) : [],
};

function describe(
  rule: RuleDefinition,
): Pick<
  ResourceValidationPolicy,
  "name" | "description" | "enforcementLevel" | "remediationSteps" | "configSchema"
> {
  return {
    name: rule.id,
    description: `${rule.title}. Prevents: ${rule.prevents}`,
    remediationSteps: rule.satisfy,
    // Without a pack config every rule blocks; `stepwise policies pack-config` sets the stack's levels.
    enforcementLevel: "mandatory",
    configSchema: { properties: { settings: { type: "object" } } },
  };
}

function report(
  rule: RuleDefinition,
  findings: readonly Finding[],
  reportViolation: ReportViolation,
): void {
  for (const finding of findings) {
    reportViolation(`${finding.message}. To pass: ${rule.satisfy}`, finding.urn);
  }
}

/** A settings error is itself a violation: the pack cannot judge a stack it cannot configure. */
function withSettings(
  rule: RuleDefinition,
  resolve: () => PolicySettings,
  reportViolation: ReportViolation,
  run: (settings: PolicySettings) => void,
): void {
  let settings: PolicySettings;
  try {
    settings = resolve();
  } catch (error) {
    if (error instanceof PolicyConfigError) {
      reportViolation(`${rule.id}: ${error.message}`);
      return;
    }
    throw error;
  }
  if (settings.levels[rule.id] === "disabled") return;
  run(settings);
}

export function stackPolicy(
  rule: RuleDefinition,
  check: StackCheck,
  now: () => Date = () => new Date(),
): StackValidationPolicy {
  return {
    ...describe(rule),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const found = ledgerInStack(args.resources);
      if (!found) return; // No ledger: a stack without migration paths.
      const config = args.getConfig<PackPolicyConfig>();
      withSettings(
        rule,
        () =>
          packSettings(
            config,
            found.urn,
            found.environment,
            found.ledger.policyInForce ?? found.ledger.policy,
          ),
        reportViolation,
        (settings) => {
          const resources = args.resources.map((r) => ({
            type: r.type,
            urn: r.urn,
            name: r.name,
            props: r.props,
          }));
          report(rule, check(found.ledger, resources, { settings, now: now() }), reportViolation);
        },
      );
    },
  };
}

export function resourcePolicy(
  rule: RuleDefinition,
  check: ResourceCheck,
  now: () => Date = () => new Date(),
): ResourceValidationPolicy {
  return {
    ...describe(rule),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      const config = args.getConfig<PackPolicyConfig>();
      withSettings(
        rule,
        () => packSettings(config, args.urn),
        reportViolation,
        (settings) => {
          const resource = { type: args.type, urn: args.urn, name: args.name, props: args.props };
          report(rule, check(resource, { settings, now: now() }), reportViolation);
        },
      );
    },
  };
}

/** Every policy of the pack, in rule order. */
export function packPolicies(now: () => Date = () => new Date()): Policies {
  return RULES.flatMap((rule): Policies => {
    const stackCheck = PACK_STACK_CHECKS[rule.id];
    if (stackCheck) return [stackPolicy(rule, stackCheck, now)];
    const resourceCheck = PACK_RESOURCE_CHECKS[rule.id];
    if (resourceCheck) return [resourcePolicy(rule, resourceCheck, now)];
    return [];
  });
}
