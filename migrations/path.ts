/** The types every migration path definition is written in (see paths.ts for the five paths). */

export type PathId = "events" | "platform" | "database" | "api" | "consolidation";

/**
 * Recorded checks that must hold before a phase is entered. Each is produced by a real tool
 * (kafka compatibility check, offset migration, data verification, Citus readiness check,
 * rollback drill) and recorded in the stack's ledger.
 */
export type GateId =
  | "compatibility-verified"
  | "offsets-migrated"
  | "data-verified"
  | "data-model-reviewed"
  | "rollback-drill";

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
  readonly systems: Systems;
  /** The rollback window (default 30 days) counts from entering this phase. */
  readonly cutover?: boolean;
  /** Entering this phase deletes the old system; allowed only after the rollback window. */
  readonly retirement?: boolean;
}

export interface MigrationPath {
  readonly id: PathId;
  readonly title: string;
  readonly oldSystem: string;
  readonly newSystem: string;
  /** Ordered from baseline to retired; one step per update, forward or back. */
  readonly phases: readonly PhaseDefinition[];
}
