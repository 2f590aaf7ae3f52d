import { durationMs } from "./duration";
import type { Ledger, PhaseRecord } from "./ledger";
export { reconcileLedger } from "./ledger-reconcile";
import type { PathId } from "./path";
import { PATH_IDS, phaseDefinition } from "./path-queries";
import type { StackConfig } from "./config/stack-config";

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
  return {
    phases,
    gates: { ...config.gates },
    engines: enginesInUse(config),
    policy: { environment: config.environment, ...config.policy },
  };
}

/** The brokers and databases the current phases use, and where each runs. */
export function enginesInUse(config: StackConfig): Record<string, string> {
  const used = new Set(
    (["events", "database"] as const).flatMap(
      (path) => phaseDefinition(path, config.phases[path]).wiring.deployed,
    ),
  );
  return Object.fromEntries(
    (["redpanda", "kafka", "postgres", "citus"] as const)
      .filter((engine) => used.has(engine))
      .map((engine) => [engine, config.enginePlacement[engine]]),
  );
}

/** Milliseconds left before a path may leave its phase forward (0 when it may). */
export function timeLeftInPhase(record: PhaseRecord, now: Date): number {
  const minimum = durationMs(record.minimumTime ?? "0");
  const elapsed = now.getTime() - Date.parse(record.enteredAt);
  return Math.max(0, minimum - elapsed);
}
