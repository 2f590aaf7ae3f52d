/**
 * Every "no big bang" rule, defined once. The CrossGuard pack (pack/), the transition checks
 * (transition.ts) and the generated docs all read this table, so they never drift.
 */
import type { PhaseDefinition } from "../migrations/path";
import { MIGRATION_PATHS } from "../migrations/paths";
import { ENVIRONMENTS, type Environment } from "../migrations/config/keys";
import {
  DEFAULT_MINIMUM_PHASE_TIME,
  DEFAULT_ROLLBACK_DRILL_MAX_AGE_DAYS,
  DEFAULT_ROLLBACK_WINDOW_DAYS,
  DEFAULT_WEIGHT_STEP,
} from "./defaults";

/** The phases of every path that `has` selects, for the rules' prose. */
function phasesWhere(has: (phase: PhaseDefinition) => boolean): string {
  const ids = Object.values(MIGRATION_PATHS).flatMap((path) => path.phases.filter(has));
  return [...new Set(ids.map((p) => p.id))].join(", ");
}

/** Each environment's default minimum phase time, for the rules' prose: "none in dev, 12h in …". */
function minimumPhaseTimeDefaults(): string {
  return ENVIRONMENTS.map((environment) => {
    const time = DEFAULT_MINIMUM_PHASE_TIME[environment];
    return `${time === "0" ? "none" : time} in ${environment}`;
  }).join(", ");
}

// The environments are stack config vocabulary, defined once there; the rules' levels use them.
export { ENVIRONMENTS, type Environment };

/** A rule's enforcement: mandatory blocks the update, advisory warns, disabled skips. */
export type Level = "mandatory" | "advisory" | "disabled";
export const LEVELS: readonly Level[] = ["mandatory", "advisory", "disabled"];

export const RULE_IDS = [
  "policy-change-alone",
  "one-phase-step",
  "one-path-per-update",
  "one-service-platform-move",
  "engine-stays-put",
  "traffic-weight-step",
  "no-create-and-delete-systems",
  "stateful-never-replaced",
  "stateful-delete-after-window",
  "stateful-delete-alone",
  "phase-gates",
  "recorded-evidence",
  "rollback-drill-recent",
  "minimum-phase-time",
  "both-systems-monitored",
  "no-plaintext-secrets",
  "k3s-prod-workloads",
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * Where a rule can be checked besides the transition checks, which check every rule: the pack
 * sees only new inputs and the ledger.
 */
export interface RuleCoverage {
  /** Checked by the CrossGuard pack; false when it needs what the engine never shows a policy. */
  readonly pack: boolean;
}

/**
 * What a rule judges: "path" rules judge a migration (phases, gates, systems, the policy the
 * ledger records) and apply only where the plan carries a phase ledger; "resource" rules judge
 * the resources themselves and apply to any program's preview.
 */
export type RuleScope = "path" | "resource";

export interface RuleDefinition {
  readonly id: RuleId;
  readonly scope: RuleScope;
  readonly title: string;
  /** What goes wrong without the rule. */
  readonly prevents: string;
  /** What to do so the rule passes (the violation messages end with this). */
  readonly satisfy: string;
  readonly levels: Readonly<Record<Environment, Level>>;
  readonly coverage: RuleCoverage;
}

const STRICT: Record<Environment, Level> = {
  dev: "advisory",
  staging: "mandatory",
  prod: "mandatory",
};
const PROD_ONLY: Record<Environment, Level> = {
  dev: "disabled",
  staging: "advisory",
  prod: "mandatory",
};
const EVERYWHERE: Record<Environment, Level> = {
  dev: "mandatory",
  staging: "mandatory",
  prod: "mandatory",
};

export const RULES: readonly RuleDefinition[] = [
  {
    id: "policy-change-alone",
    scope: "path",
    title: "A policy change is an update of its own",
    prevents:
      "Relaxing the rules in the same update that uses the relaxation: every change is judged by the policy already in force (the base side, or the deployed ledger), so a new policy applies from the next update.",
    satisfy:
      "Change stepwise:policy or stepwise:environment in an update that moves no path and changes no resource; take the step in a later update.",
    levels: EVERYWHERE,
    coverage: { pack: true },
  },
  {
    id: "one-phase-step",
    scope: "path",
    title: "One phase step per path per update",
    prevents: "Skipping phases (e.g. Redpanda straight to Kafka-only), forward or back.",
    satisfy: "Move the path to the adjacent phase only; take the next step in a later update.",
    levels: STRICT,
    coverage: { pack: true },
  },
  {
    id: "one-path-per-update",
    scope: "path",
    title: "One migration path moves per update",
    prevents: "Two migrations changing at once, so a failure cannot be traced to one step.",
    satisfy:
      "Move one path per update, or set stepwise:policy.allowMultiplePaths: true for this stack.",
    levels: STRICT,
    coverage: { pack: true },
  },
  {
    id: "one-service-platform-move",
    scope: "path",
    title: "At most one service changes platform per update",
    prevents: "Moving several services between Compose and K3s in one update.",
    satisfy: "Change the placement of one service per update.",
    levels: STRICT,
    coverage: { pack: false },
  },
  {
    id: "engine-stays-put",
    scope: "path",
    title: "An engine in use stays where it runs",
    prevents:
      "Moving a broker or database that a phase uses between Compose, K3s and external: a new, empty one takes its place and every client is pointed at it.",
    satisfy:
      "Change stepwise:enginePlacement of an engine only while no phase uses it (before the path deploys it, or after a rollback past it); to move data, migrate it through a path.",
    levels: STRICT,
    coverage: { pack: true },
  },
  {
    id: "traffic-weight-step",
    scope: "resource",
    title: "Traffic weight moves by a bounded step",
    prevents:
      "Shifting most traffic to a new implementation in one go: a canary weight jump, the consolidation cutover, or another image for the implementation that serves; judged on the routers' own weights.",
    satisfy: `Move each implementation's share of a service's traffic by at most stepwise:policy.weightStep points (default ${DEFAULT_WEIGHT_STEP}) per update; another image repository is another implementation and starts from 0 (a new tag of the same repository is an ordinary update); release a serving implementation's new image in an update of its own, without a weight change.`,
    levels: STRICT,
    coverage: { pack: true },
  },
  {
    id: "no-create-and-delete-systems",
    scope: "path",
    title: "Never create the new system and delete the old in one update",
    prevents: "Big-bang swaps with no period where both systems run and rollback is possible.",
    satisfy: "Create the new system first; delete the old one in a later retirement update.",
    levels: STRICT,
    coverage: { pack: false },
  },
  {
    id: "stateful-never-replaced",
    scope: "resource",
    title: "Stateful resources are never replaced",
    prevents:
      "Losing data when a broker, database, volume, PVC, StatefulSet or topic is deleted and recreated.",
    satisfy:
      "Change only inputs that update in place, or migrate the data to a new resource through a path.",
    levels: EVERYWHERE,
    coverage: { pack: false },
  },
  {
    id: "stateful-delete-after-window",
    scope: "path",
    title: "Stateful resources are deleted only in retirement, after the rollback window",
    prevents: "Deleting the old system's data while a rollback to it may still be needed.",
    satisfy: `Delete stateful resources only when entering a retirement phase, at least stepwise:policy.rollbackWindowDays (default ${DEFAULT_ROLLBACK_WINDOW_DAYS}) after the cutover phase was entered. (A rollback out of a phase whose new system never received writes, e.g. parallel → redpanda, may delete that system's own resources: they hold no data; any other delete in that update counts. A resource with retainOnDelete, such as a moved service's volume, is only forgotten by Pulumi and does not count.)`,
    levels: STRICT,
    coverage: { pack: true },
  },
  {
    id: "stateful-delete-alone",
    scope: "path",
    title: "Deleting stateful resources is an update of its own",
    prevents: "Hiding a data deletion among other changes in one review.",
    satisfy: "Make the retirement update delete only; do every other change in its own update.",
    levels: STRICT,
    coverage: { pack: false },
  },
  {
    id: "phase-gates",
    scope: "path",
    title: "Gates hold before a phase is entered",
    prevents: `Entering ${phasesWhere((p) => p.gates.length > 0)} without the recorded check they need; moving back out of ${phasesWhere((p) => (p.rollbackGates ?? []).length > 0)} to a system that missed what happened there (reads of stale data).`,
    satisfy:
      "Run the check the phase needs (compatibility, offset migration, data verification, data-model review) and record it in the ledger as passed. Before moving back out of a phase with rollback gates, bring the old system back in step (its records, offsets or rows) and record the check that shows it (messages-synced-back, offsets-migrated-back, data-synced-back) after the path entered that phase.",
    levels: STRICT,
    coverage: { pack: true },
  },
  {
    id: "recorded-evidence",
    scope: "path",
    title: "Gates and entry times are records, not text",
    prevents:
      "Unlocking a step with a gate typed by hand or dated in the future, a gate written in the same change as the step it unlocks, or a phase-entry time backdated to cut a minimum time or a rollback window short.",
    satisfy:
      "Record each gate with the command that performs its check (events compat, events migrate-offsets, database readiness, db verify, db cutover, db rollback, drill --record), in a change of its own before the step it unlocks; let stepwise advance and rollback write entry times.",
    levels: STRICT,
    coverage: { pack: true },
  },
  {
    id: "rollback-drill-recent",
    scope: "path",
    title: "A recent rollback drill before any forward step in prod",
    prevents: "Moving forward in prod without having proven that the step back works.",
    satisfy: `Run \`stepwise drill\` and record a passed rollback-drill gate no older than stepwise:policy.rollbackDrillMaxAgeDays (default ${DEFAULT_ROLLBACK_DRILL_MAX_AGE_DAYS}).`,
    levels: PROD_ONLY,
    coverage: { pack: true },
  },
  {
    id: "minimum-phase-time",
    scope: "path",
    title: "Minimum time in each phase",
    prevents: "Rushing through phases before problems have had time to show.",
    satisfy: `Wait until the current phase has lasted stepwise:policy.minimumPhaseTime (${minimumPhaseTimeDefaults()} by default).`,
    levels: STRICT,
    coverage: { pack: false },
  },
  {
    id: "both-systems-monitored",
    scope: "path",
    title: "Both systems are monitored during a transition",
    prevents: "Migrating without metrics: comparing old and new blind.",
    satisfy:
      "While a path is in a phase where both systems run, give Monitoring a MetricsEndpoint for each system (its `system` field names it), and where a router splits the path's traffic (api, consolidation) one for the router (`system: router`; the routers stepwise declares have it). A platform a rollback out of retirement brought back needs one once a service or engine runs on it again.",
    levels: STRICT,
    coverage: { pack: true },
  },
  {
    id: "no-plaintext-secrets",
    scope: "resource",
    title: "No secret in plain text",
    prevents:
      "Passwords, tokens and keys in plain text, by name or by value (a URL or DSN with a password, a `password=` setting, an auth header, a private key, a kubeconfig token): in container env, Kubernetes env values, ConfigMaps, any other input or unencrypted stack config.",
    satisfy:
      "Put the value in the service spec's secretEnv (Kubernetes: valueFrom.secretKeyRef) or `pulumi config set --secret`.",
    levels: EVERYWHERE,
    coverage: { pack: true },
  },
  {
    id: "k3s-prod-workloads",
    scope: "resource",
    title: "K3s workloads in prod are production-ready",
    prevents: "Single-replica, unbounded or unprobed workloads in prod.",
    satisfy:
      "Give every prod Deployment/StatefulSet replicas >= 2 (or one replica with a stated singleReplicaReason in its service spec), resource requests and limits, and readiness and liveness probes.",
    levels: PROD_ONLY,
    coverage: { pack: true },
  },
];

/** A rule whose level is the same in every environment applies before the environment is known. */
export function levelInEveryEnvironment(rule: RuleDefinition): Level | undefined {
  const levels = new Set(ENVIRONMENTS.map((e) => rule.levels[e]));
  return levels.size === 1 ? [...levels][0] : undefined;
}

export function ruleById(id: RuleId): RuleDefinition {
  const rule = RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`rule id "${id}" is not defined; valid ids: ${RULE_IDS.join(", ")}`);
  return rule;
}
