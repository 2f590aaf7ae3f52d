/**
 * The rollback drill's walk: one path taken back from its current phase to its baseline, one
 * update at a time, each planned against the stack the update before it left, and judged for
 * what it would lose or hide (drill-judge.ts). Where a phase lets the stack decide something per
 * service (where services run, api weights), the walk takes the steps a user would take inside
 * that phase before rolling it back, so that each update stays within the rules.
 */
import { EXTERNAL } from "../../../migrations/external-engines";
import type { PathId, PhaseWiring } from "../../../migrations/path";
import { MIGRATION_PATHS } from "../../../migrations/paths";
import { baselinePhase, phaseDefinition, rollbackTarget } from "../../../migrations/path-queries";
import { ENGINES } from "../../../migrations/config/keys";
import type { CheckedTransition } from "../../plan/plan-and-check";
import { currentPhase } from "../../stackfile";
import { configMap } from "../../stackfile/config-edit";
import { UsageError } from "../exit";
import { describeEntries, nextWeights, servicesMoved, withEntries } from "./drill-edits";
import { judge, type DrillResult } from "./drill-judge";
import { asUsage, planStackTransition, stepStackText, type StackOptions } from "./stack-context";

export type { DrillGate, DrillResult } from "./drill-judge";

export interface WalkContext {
  readonly stack: string;
  readonly file: string;
  readonly options: StackOptions;
  readonly now: Date;
  /** Most points an api weight may move per update (the policy in force). */
  readonly weightStep: number;
  /** Called with every update planned (for the Markdown report). */
  readonly planned?: (title: string, transition: CheckedTransition) => void;
}

type Planned = { transition: CheckedTransition } | { invalid: string };
const INVALID = "the stack config after this step is invalid";

async function plan(
  context: WalkContext,
  before: string,
  after: string,
  title: string,
): Promise<Planned> {
  try {
    const transition = await planStackTransition(context.stack, before, after, context.options, {
      before: context.file,
      after: `${context.file} (drill: ${title})`,
    });
    context.planned?.(title, transition);
    return { transition };
  } catch (error) {
    // A step that leaves the stack config invalid cannot be taken: a finding, and the end.
    if (!(error instanceof UsageError)) throw error;
    return { invalid: `${INVALID}: ${error.message}` };
  }
}

/** A step inside `phase` that sets `entries` of `stepwise:<map>`, planned and judged. */
async function withinPhase(
  path: PathId,
  phase: string,
  map: string,
  entries: Record<string, unknown>,
  state: { text: string },
  context: WalkContext,
): Promise<DrillResult> {
  const edit = describeEntries(state.text, map, entries);
  const after = withEntries(state.text, map, entries);
  const planned = await plan(context, state.text, after, `${path} in ${phase}: ${edit}`);
  if ("invalid" in planned)
    return { path, from: phase, to: phase, edit, problems: [planned.invalid] };
  state.text = after;
  return { path, from: phase, to: phase, edit, ...judge(path, phase, phase, planned.transition) };
}

const stops = (result: DrillResult) => result.problems.some((p) => p.startsWith(INVALID));

/** One phase rollback of a walk being prepared: the steps before it and the edits made first. */
interface Leg {
  readonly path: PathId;
  readonly phase: string;
  readonly target: string;
  readonly left: PhaseWiring;
  readonly entered: PhaseWiring;
  readonly state: { text: string };
  readonly context: WalkContext;
  readonly results: DrillResult[];
  readonly prepared: string[];
}

/** Runs a step inside the phase; false when the walk cannot go on. */
async function take(leg: Leg, map: string, entries: Record<string, unknown>): Promise<boolean> {
  const step = await withinPhase(leg.path, leg.phase, map, entries, leg.state, leg.context);
  leg.results.push(step);
  return !stops(step);
}

/** Sets entries the phase being left does not use, before the rollback that will use them. */
function prepare(leg: Leg, map: string, entries: Record<string, unknown>): void {
  if (Object.keys(entries).length === 0) return;
  leg.prepared.push(describeEntries(leg.state.text, map, entries));
  leg.state.text = withEntries(leg.state.text, map, entries);
}

/**
 * Weights (api, monolith): stepped toward what the target fixes, or set to what the phase left
 * fixed; the consolidation rollback sets the monolith's itself (applyPhaseStep).
 */
async function traffic(leg: Leg): Promise<boolean> {
  const { left, entered, state, context } = leg;
  const goal = entered.newTrafficPercent;
  const map = MIGRATION_PATHS[leg.path].weightsKey;
  if (map !== undefined && left.newTrafficPercent === "per-service" && typeof goal === "number") {
    for (let next = nextWeights(state.text, map, goal, context.weightStep); next;) {
      if (!(await take(leg, map, next))) return false;
      next = nextWeights(state.text, map, goal, context.weightStep);
    }
  }
  const fixed = left.newTrafficPercent;
  if (map === "apiWeights" && goal === "per-service" && typeof fixed === "number") {
    const services = Object.keys(configMap(state.text, "apiImages"));
    prepare(leg, "apiWeights", Object.fromEntries(services.map((s) => [s, fixed])));
  }
  return true;
}

/** The paths whose phases deploy engines (brokers, databases). */
const ENGINE_USERS = ["events", "database"] as const;

const PHASE_ENGINES = new Set(
  Object.values(MIGRATION_PATHS).flatMap((p) => p.phases.flatMap((ph) => ph.wiring.deployed)),
);

/**
 * Engines on a platform the target platform phase no longer deploys: one no phase deploys now
 * is set there first (unused); one that runs but no path moves (Prometheus) moves in a step of
 * its own; a broker or database a phase uses stays put, and the rollback reports it.
 */
async function engines(leg: Leg): Promise<boolean> {
  if (leg.entered.placement === undefined) return true;
  const placed = configMap(leg.state.text, "enginePlacement");
  const phases = configMap(leg.state.text, "phases");
  const home = leg.entered.deployed[0] ?? "compose";
  for (const engine of ENGINES) {
    const at = typeof placed[engine] === "string" ? placed[engine] : "compose";
    if (at === EXTERNAL || leg.entered.deployed.includes(at)) continue;
    if (!PHASE_ENGINES.has(engine)) {
      if (!(await take(leg, "enginePlacement", { [engine]: home }))) return false;
      continue;
    }
    const user = ENGINE_USERS.flatMap((p) => {
      const phase = phases[p];
      return typeof phase === "string" && phaseDefinition(p, phase).wiring.deployed.includes(engine)
        ? [{ path: p, phase }]
        : [];
    })[0];
    if (user === undefined) {
      prepare(leg, "enginePlacement", { [engine]: home });
      continue;
    }
    leg.results.push({
      path: leg.path,
      from: leg.phase,
      to: leg.target,
      problems: [
        `${engine} runs on ${at}, which "${leg.target}" does not deploy, and ${user.path} at "${user.phase}" uses it; an engine in use stays where it runs (engine-stays-put), so ${leg.path} can go back past "${leg.phase}" only after ${user.path} has rolled back past ${engine}`,
      ],
    });
    return false;
  }
  return true;
}

/** The stack file's text after the drill's rollback of `path` by one phase. */
function rollbackText(context: WalkContext, path: PathId, text: string) {
  const step = { path, direction: "rollback" as const, now: context.now };
  return stepStackText(context.stack, text, context.file, step, context.options);
}

/**
 * The phase rollback, planned. Services it would move are moved back one per update inside
 * the phase first, or pinned (unused there) to where the phase left runs them, all but one:
 * the rollback brings one back itself, so the platform it returns to runs something.
 */
async function rollbackPlanned(leg: Leg): Promise<Planned> {
  const { path, phase, target, state, context } = leg;
  const rollback = async () => (await rollbackText(context, path, state.text)).text;
  const title = `rollback ${path} (${phase} → ${target})`;
  const planned = await plan(context, state.text, await rollback(), title);
  const moved =
    "transition" in planned
      ? servicesMoved(planned.transition)
      : new Map<string, [string, string]>();
  if (moved.size === 0) return planned;
  if (leg.left.placement === "per-service") {
    for (const [service, [, to]] of moved) {
      if (!(await take(leg, "placement", { [service]: to }))) return planned;
    }
  } else if (leg.entered.placement === "per-service") {
    const pinned = [...moved]
      .slice(1)
      .map(([service, [from]]): [string, string] => [service, from]);
    prepare(leg, "placement", Object.fromEntries(pinned));
  } else {
    return planned;
  }
  return plan(context, state.text, await rollback(), title);
}

/**
 * Walks `path` of the stack in `text` back to its baseline. Every update is planned on what the
 * one before it left; the walk stops where a step cannot be planned (invalid config).
 */
export async function walkBack(
  path: PathId,
  text: string,
  context: WalkContext,
): Promise<DrillResult[]> {
  let phase = asUsage(() => currentPhase(text, path, context.file));
  if (phase === baselinePhase(path)) return [{ path, from: phase, to: undefined, problems: [] }];
  const results: DrillResult[] = [];
  const state = { text };
  for (let target = rollbackTarget(path, phase); target !== undefined;) {
    const leg: Leg = {
      path,
      phase,
      target,
      left: phaseDefinition(path, phase).wiring,
      entered: phaseDefinition(path, target).wiring,
      state,
      context,
      results,
      prepared: [],
    };
    if (!(await traffic(leg)) || !(await engines(leg))) return results;
    const planned = await rollbackPlanned(leg);
    if (results.some(stops)) return results;
    const prepared = leg.prepared.length > 0 ? { prepared: leg.prepared } : {};
    const base = { path, from: phase, to: target, ...prepared };
    if ("invalid" in planned) return [...results, { ...base, problems: [planned.invalid] }];
    results.push({ ...base, ...judge(path, phase, target, planned.transition) });
    state.text = (await rollbackText(context, path, state.text)).text;
    phase = target;
    target = rollbackTarget(path, phase);
  }
  return results;
}
