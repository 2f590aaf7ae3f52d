import { durationMs } from "./duration";
import type { Ledger, PhaseRecord } from "./ledger";
import type { PathId } from "./path";
import { PATH_IDS } from "./phases";
import type { StackConfig } from "./stack-config";

/**
 * Minimum time to stay in a phase, from the stack's `minimumTime` map: "<path>.<phase>" wins
 * over "<path>", which wins over "default"; nothing given means "0".
 */
export function minimumTimeFor(
  minimumTime: Readonly<Record<string, string>>,
  path: PathId,
  phase: string,
): string {
  return minimumTime[`${path}.${phase}`] ?? minimumTime[path] ?? minimumTime.default ?? "0";
}

/** The ledger the stack config describes: every path's phase, entry time and phase before. */
export function ledgerFromConfig(config: StackConfig): Ledger {
  const phases: Partial<Record<PathId, PhaseRecord>> = {};
  for (const path of PATH_IDS) {
    const phase = config.phases[path];
    const previous = config.previousPhases[path];
    phases[path] = {
      phase,
      enteredAt: config.enteredAt[path],
      ...(previous !== undefined ? { previous } : {}),
      minimumTime: minimumTimeFor(config.minimumTime, path, phase),
    };
  }
  return { phases, gates: { ...config.gates } };
}

/**
 * Reconciles the configured ledger with the one last deployed (read from stack state): where a
 * path's configured phase differs from the deployed one, the deployed phase is the real
 * `previous` and its entry time the real `previousEnteredAt`, whatever the config claims — so a
 * two-phase jump written into the config shows up as one to the checks. Where nothing was
 * deployed yet, the config stands.
 *
 * The PhaseLedger's dynamic provider runs this in its `check`, where the engine hands it the
 * deployed inputs; Pulumi serializes it there, so it uses nothing outside its own body.
 */
export function reconcileLedger(configured: Ledger, deployed: Ledger | undefined): Ledger {
  if (!deployed || typeof deployed.phases !== "object" || deployed.phases === null) {
    return configured;
  }
  const phases: Record<string, PhaseRecord> = {};
  for (const [path, wanted] of Object.entries(configured.phases)) {
    if (!wanted) continue;
    const before = (deployed.phases as Record<string, PhaseRecord | undefined>)[path];
    if (!before) {
      phases[path] = wanted;
    } else if (before.phase !== wanted.phase) {
      // What the file claims came before is replaced by what the stack recorded.
      phases[path] = {
        phase: wanted.phase,
        enteredAt: wanted.enteredAt,
        ...(wanted.minimumTime !== undefined ? { minimumTime: wanted.minimumTime } : {}),
        previous: before.phase,
        previousEnteredAt: before.enteredAt,
      };
    } else {
      // Same phase as deployed: when it was entered is what the stack recorded, not the file.
      phases[path] = {
        phase: wanted.phase,
        ...(wanted.minimumTime !== undefined ? { minimumTime: wanted.minimumTime } : {}),
        enteredAt: before.enteredAt,
        ...(before.previous !== undefined ? { previous: before.previous } : {}),
        ...(before.previousEnteredAt !== undefined
          ? { previousEnteredAt: before.previousEnteredAt }
          : {}),
      };
    }
  }
  // Gates come from recorded tool results in the config; a deployed one is not carried over.
  return { phases, gates: configured.gates };
}

/** Milliseconds left before a path may leave its phase forward (0 when it may). */
export function timeLeftInPhase(record: PhaseRecord, now: Date): number {
  const minimum = durationMs(record.minimumTime ?? "0");
  const elapsed = now.getTime() - Date.parse(record.enteredAt);
  return Math.max(0, minimum - elapsed);
}

/** A deployed ledger read back from stack outputs, or undefined when it is not one. */
export function asLedger(value: unknown): Ledger | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const candidate = value as Partial<Ledger>;
  if (typeof candidate.phases !== "object" || candidate.phases === null) return undefined;
  return { phases: candidate.phases, gates: candidate.gates ?? {} };
}
