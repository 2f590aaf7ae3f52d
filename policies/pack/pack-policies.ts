/**
 * The CrossGuard policies, one per rule with a pack check (rules/<rule id>.ts), built without
 * constructing the PolicyPack (its constructor starts a gRPC server), so tests call their
 * validate functions directly.
 *
 * A policy sees only new inputs: no previous state, no operation, no deleted resource. Rules
 * that need those run as transition checks only (they have no pack check). The phase rules read
 * the move from the PhaseLedger's `previous` → `phase` (checks/ledger-moves.ts).
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
import { asLedger, findLedgerResource, type Ledger } from "../../migrations/ledger";
import { stackFromUrn } from "../classify";
import { PolicyConfigError, resolvePolicySettings, type PolicySettings } from "../config";
import { policySettingChanges } from "../policy-change";
import type { PackContext, ResourceCheck, RuleDefinition, StackCheck } from "../rule-definition";
import { RULES, type RuleId } from "../rules";
import type { Finding } from "../checks/phases";

/** The pack's per-policy config, written by `stepwise policies pack-config`. */
export interface PackPolicyConfig {
  /** The stack's `stepwise:policy` settings (with `environment`). */
  readonly settings?: unknown;
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

/** Rules the pack checks on the whole stack (they need the ledger), by rule id. */
export const PACK_STACK_CHECKS: Partial<Record<RuleId, StackCheck>> = Object.fromEntries(
  RULES.flatMap((rule) => (rule.pack && "stack" in rule.pack ? [[rule.id, rule.pack.stack]] : [])),
);

/**
 * What the update does to the policy, when the ledger records a new one beside the one in
 * force (the PhaseLedger's check keeps the deployed one in force): its changes, or why it cannot
 * apply. It is held to the floor of the environment in force too, so relabelling cannot relax it.
 */
function policyChangeIn(ledger: Ledger, inForce: PolicySettings): PackContext["policyChange"] {
  if (ledger.policyInForce === undefined || ledger.policy === undefined) return undefined;
  try {
    const proposed = resolvePolicySettings(ledger.policy, { alsoFloorOf: inForce.environment });
    return { changes: policySettingChanges(inForce, proposed) };
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    return { invalid: error.message };
  }
}

function describe(
  rule: RuleDefinition<RuleId>,
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
  rule: RuleDefinition<RuleId>,
  findings: readonly Finding[],
  reportViolation: ReportViolation,
): void {
  for (const finding of findings) {
    reportViolation(`${finding.message}. To pass: ${rule.satisfy}`, finding.urn);
  }
}

/** A settings error is itself a violation: the pack cannot judge a stack it cannot configure. */
function withSettings(
  rule: RuleDefinition<RuleId>,
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
  rule: RuleDefinition<RuleId>,
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
          const policyChange = policyChangeIn(found.ledger, settings);
          const context = { settings, now: now(), ...(policyChange && { policyChange }) };
          report(rule, check(found.ledger, resources, context), reportViolation);
        },
      );
    },
  };
}

export function resourcePolicy(
  rule: RuleDefinition<RuleId>,
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
    if (rule.pack === undefined) return [];
    return "stack" in rule.pack
      ? [stackPolicy(rule, rule.pack.stack, now)]
      : [resourcePolicy(rule, rule.pack.resource, now)];
  });
}
