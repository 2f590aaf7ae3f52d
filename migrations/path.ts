/** The types every migration path definition is written in (see paths.ts for the five paths). */

export type PathId = "events" | "platform" | "database" | "api" | "consolidation";

/**
 * Recorded checks that must hold before a phase is entered going forward, or before a path
 * moves back out of a phase (the `-back` ones: the old system brought back in step first).
 * Each is produced by a real tool (kafka compatibility check, offset migration, message and data
 * comparison, Citus readiness check, rollback drill) and recorded in the stack's ledger.
 */
export const GATE_IDS = [
  "compatibility-verified",
  "offsets-migrated",
  "data-verified",
  "data-model-reviewed",
  "rollback-drill",
  "messages-synced-back",
  "offsets-migrated-back",
  "data-synced-back",
] as const;
export type GateId = (typeof GATE_IDS)[number];

/** Which of the two systems of a path run while a phase lasts. */
export type Systems = "old" | "both" | "new";

export interface PhaseDefinition {
  readonly id: string;
  readonly title: string;
  /** One sentence for reviewers: what exists and how clients are wired in this phase. */
  readonly summary: string;
  /** Gates that must be recorded before this phase may be entered going forward. */
  readonly gates: readonly GateId[];
  /** Where a rollback from this phase goes; undefined for the baseline. */
  readonly rollbackTo: string | undefined;
  /**
   * Gates that must be recorded before the path moves back out of this phase: the rollback
   * points readers or writers at a system that missed what happened here (writes, consumer
   * positions), so that system is brought back in step first and a check shows it, recorded
   * after this phase was entered. A rollback out of retirement lands in the phase before it
   * with the old system recreated empty; that phase's gates then ask for it restored.
   */
  readonly rollbackGates?: readonly GateId[];
  readonly systems: Systems;
  /** The rollback window (default 30 days) counts from entering this phase. */
  readonly cutover?: boolean;
  /** Entering this phase deletes the old system; allowed only after the rollback window. */
  readonly retirement?: boolean;
  /** What exists while this phase lasts and where clients are pointed; the program reads it. */
  readonly wiring: PhaseWiring;
}

/**
 * What a phase deploys and how it wires clients. System names are the path's `oldSystem` /
 * `newSystem`. Each path uses the fields that mean something for it; the rest are left out.
 */
export interface PhaseWiring {
  /** Systems that exist while this phase lasts, e.g. ["redpanda", "kafka"]. */
  readonly deployed: readonly string[];
  /** events: clusters producers publish to; database: databases writes go to. */
  readonly writeTo?: readonly string[];
  /** events: the cluster consumers read from; database: the database reads go to. */
  readonly readFrom?: string;
  /**
   * platform: where services run. "per-service" follows the stack's `placement` (one service
   * moves per step); "coordination" puts platform-coordination on K3s and the rest on Compose.
   */
  readonly placement?: "compose" | "coordination" | "per-service" | "k3s";
  /**
   * api, consolidation: percent of requests the new system serves. "per-service" follows the
   * stack's weights for the path (MigrationPath.weightsKey).
   */
  readonly newTrafficPercent?: number | "per-service";
  /** consolidation: replicas the old services keep (0 = kept, scaled down, for re-extraction). */
  readonly oldReplicas?: 0;
}

export interface MigrationPath {
  readonly id: PathId;
  readonly title: string;
  readonly oldSystem: string;
  readonly newSystem: string;
  /** The stack config key of the per-service weights its "per-service" phase follows. */
  readonly weightsKey?: "apiWeights" | "monolithWeights";
  /** Ordered from baseline to retired; one step per update, forward or back. */
  readonly phases: readonly PhaseDefinition[];
}
