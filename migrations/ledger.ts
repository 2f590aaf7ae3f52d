import type { GateId, PathId } from "./path";
import type { Plan, PlanStep } from "./plan-model";

/**
 * The phase ledger: what the stack has deployed, per path, and which gates were recorded.
 * It lives in stack state (the PhaseLedger resource's inputs), so that policies and checks
 * compare against what is really deployed.
 */
export interface PhaseRecord {
  readonly phase: string;
  /** ISO 8601 time the phase was entered. */
  readonly enteredAt: string;
  /** The phase before, undefined for a path that has only ever been at its baseline. */
  readonly previous?: string;
  /**
   * When the phase before was entered, from the ledger deployed when the path left it (so how
   * long that phase lasted is evidence from state, not from the change). Undefined when the
   * path has not moved since stepwise started recording it.
   */
  readonly previousEnteredAt?: string;
  /** Least time to stay in this phase before leaving it forward ("0", "24h", "7d"). */
  readonly minimumTime?: string;
}

export interface GateRecord {
  readonly passed: boolean;
  /** ISO 8601 time the check ran. */
  readonly recordedAt: string;
  /** What ran and what it found, e.g. "compatibility: 12 topics, 0 blocking differences". */
  readonly detail: string;
  /** The check that recorded it, e.g. "events compat" (migrations/gate-evidence.ts). */
  readonly check?: string;
  /** What the check ran against (brokers, databases; never credentials). */
  readonly endpoints?: readonly string[];
  /** Digest of the evidence the check produced (its full report). */
  readonly evidence?: string;
  /** Digest of this record, so a hand edit shows. */
  readonly digest?: string;
}

/** An engine a phase uses, moved to another place (compose, k3s, external) in one update. */
export interface EngineMove {
  readonly engine: string;
  readonly from: string;
  readonly to: string;
}

/** One path's phase change since the deployed ledger (set by the PhaseLedger's check). */
export interface LedgerMove {
  readonly path: string;
  readonly from: string;
  readonly to: string;
}

export interface Ledger {
  readonly phases: Readonly<Partial<Record<PathId, PhaseRecord>>>;
  readonly gates: Readonly<Partial<Record<GateId, GateRecord>>>;
  /** Where each broker and database the phases use runs: compose, k3s or external. */
  readonly engines?: Readonly<Record<string, string>>;
  /**
   * Engines this update moves, against the deployed ledger (the PhaseLedger's check sets it;
   * it is empty again on the next update).
   */
  readonly engineMoves?: readonly EngineMove[];
  /** The stack's `stepwise:policy` as written, with its environment: what later updates obey. */
  readonly policy?: Readonly<Record<string, unknown>>;
  /**
   * The policy deployed before, when this update changes it (the PhaseLedger's check sets it):
   * this update is judged by it, the new one applies from the next.
   */
  readonly policyInForce?: Readonly<Record<string, unknown>>;
  /** Paths whose phase this update changes against the deployed ledger (the check sets it). */
  readonly moves?: readonly LedgerMove[];
  /** Gates whose record this update writes or changes against the deployed ledger (the check sets it). */
  readonly gatesChanged?: readonly string[];
}

/**
 * Type token of the resource whose inputs carry the ledger (`{ ledger: Ledger, ... }`). It is a
 * dynamic resource, so the engine needs no stepwise plugin; dynamic types are always
 * `pulumi-nodejs:dynamic/<module>:<type>` (see migrations/phase-ledger.ts).
 */
export const PHASE_LEDGER_TYPE = "pulumi-nodejs:dynamic/stepwise:PhaseLedger";

/**
 * Whether a resource type is the PhaseLedger: its own type, or a PhaseLedger registered under
 * another dynamic module (a program of one's own; the type name is what identifies it).
 */
export function isLedgerType(type: string): boolean {
  return type === PHASE_LEDGER_TYPE || type.endsWith(":PhaseLedger");
}

/**
 * The one reader of a ledger: a plan step's inputs, a registered resource's inputs and
 * CrossGuard's props all carry it as `ledger`. Undefined when the value is not one (no `phases`
 * map); `gates` defaults to none; the optional fields are kept when present, anything else is
 * dropped.
 */
export function asLedger(value: unknown): Ledger | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const candidate = value as Partial<Ledger>;
  if (typeof candidate.phases !== "object" || candidate.phases === null) return undefined;
  return {
    phases: candidate.phases,
    gates: candidate.gates ?? {},
    ...(candidate.engines ? { engines: candidate.engines } : {}),
    ...(candidate.engineMoves ? { engineMoves: candidate.engineMoves } : {}),
    ...(candidate.policy ? { policy: candidate.policy } : {}),
    ...(candidate.policyInForce ? { policyInForce: candidate.policyInForce } : {}),
    ...(candidate.moves ? { moves: candidate.moves } : {}),
    ...(candidate.gatesChanged ? { gatesChanged: candidate.gatesChanged } : {}),
  };
}

/** The ledger in a PhaseLedger's inputs (or props): its `ledger` input read by asLedger. */
export function ledgerOfInputs(
  inputs: Readonly<Record<string, unknown>> | undefined,
): Ledger | undefined {
  return asLedger(inputs?.ledger);
}

/** The PhaseLedger among resources of any shape (registered, CrossGuard's, plan states). */
export function findLedgerResource<T extends { readonly type: string }>(
  resources: readonly T[],
): T | undefined {
  return resources.find((r) => isLedgerType(r.type));
}

/** The PhaseLedger's step of a plan, by the type of whichever state the step has. */
export function ledgerStepOf(plan: Pick<Plan, "steps">): PlanStep | undefined {
  return plan.steps.find((s) => isLedgerType((s.newState ?? s.oldState)?.type ?? ""));
}
