/**
 * A transition plan in the shape of `pulumi preview --json` (pkg/backend/display/json.go,
 * ShowPreviewDigest), so that one renderer and one set of checks serve plans from the real
 * engine and from the offline planner alike. Only the fields stepwise reads are typed.
 */
export type StepOp =
  | "same"
  | "create"
  | "update"
  | "delete"
  | "replace"
  | "read"
  | "refresh"
  // The engine also reports the halves of a replacement and some rarer steps.
  | "create-replacement"
  | "delete-replaced"
  | "read-replacement"
  | "discard"
  | "discard-replaced"
  | "remove-pending-replace"
  | "import"
  | "import-replacement"
  // Only with --import-file: the engine compares a resource to the one it would import.
  | "diff";

export interface PlanResourceState {
  readonly type: string;
  readonly urn: string;
  readonly custom?: boolean;
  readonly parent?: string;
  readonly protect?: boolean;
  /** Deleting it only drops it from state; the provider's delete is never called. */
  readonly retainOnDelete?: boolean;
  /** Read from elsewhere (`Resource.get`), not managed: the engine never deletes it. */
  readonly external?: boolean;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

export interface PlanStep {
  readonly op: StepOp;
  readonly urn: string;
  readonly provider?: string;
  readonly oldState?: PlanResourceState;
  readonly newState?: PlanResourceState;
  /** Top-level input keys that differ. */
  readonly diffReasons?: string[];
  /** Keys whose change forces a replacement. */
  readonly replaceReasons?: string[];
  readonly detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

export interface PlanDiagnostic {
  readonly urn?: string;
  readonly message: string;
  readonly severity: "debug" | "info" | "info#err" | "warning" | "error";
}

export interface Plan {
  readonly config?: Record<string, string>;
  readonly steps: PlanStep[];
  readonly diagnostics?: PlanDiagnostic[];
  readonly duration?: number;
  readonly changeSummary: Partial<Record<string, number>>;
  readonly maybeCorrupt?: boolean;
  /**
   * stepwise's own additions (the engine's JSON has none of these): where the plan came from,
   * and for offline plans the plain statement that it is a desired-state diff.
   */
  readonly stepwise?: {
    readonly source: "offline" | "engine";
    readonly stack?: string;
    readonly note?: string;
  };
}
