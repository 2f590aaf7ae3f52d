import type { EngineMove, Ledger, LedgerMove, PhaseRecord } from "./ledger";

/**
 * Reconciles the configured ledger with the one last deployed (read from stack state): where a
 * path's configured phase differs from the deployed one, the deployed phase is the real
 * `previous` and its entry time the real `previousEnteredAt`, whatever the config claims — so a
 * two-phase jump written into the config shows up as one to the checks. Where nothing was
 * deployed yet, the config stands.
 *
 * The PhaseLedger's dynamic provider runs this in its `check`, where the engine hands it the
 * deployed inputs. Pulumi serializes it with the provider, and with it this whole module: so
 * the module imports nothing at run time and exports nothing else (its helpers stay private). It also records which
 * engines in use the update moves to another place (`engineMoves`).
 */
export function reconcileLedger(configured: Ledger, deployed: Ledger | undefined): Ledger {
  if (!deployed || typeof deployed.phases !== "object" || deployed.phases === null) {
    return configured;
  }
  const phases: Record<string, PhaseRecord> = {};
  const moves: LedgerMove[] = [];
  for (const [path, wanted] of Object.entries(configured.phases)) {
    if (!wanted) continue;
    const before = (deployed.phases as Record<string, PhaseRecord | undefined>)[path];
    if (!before) {
      phases[path] = wanted;
    } else if (before.phase !== wanted.phase) {
      moves.push({ path, from: before.phase, to: wanted.phase });
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
  // An engine in use both before and after, now placed elsewhere, is moved by this update.
  const engineMoves: EngineMove[] = Object.entries(configured.engines ?? {}).flatMap(
    ([engine, to]) => {
      const from = deployed.engines?.[engine];
      return from !== undefined && from !== to ? [{ engine, from, to }] : [];
    },
  );
  // The policy this update obeys is the one deployed; a new one applies from the next update.
  const policyChanged =
    deployed.policy !== undefined && canonical(deployed.policy) !== canonical(configured.policy);
  // Gates come from recorded tool results in the config; a deployed one is not carried over,
  // but which ones this update writes is recorded, so a gate cannot arrive with its step.
  const deployedGates = (deployed.gates ?? {}) as Record<string, unknown>;
  const gatesChanged = Object.entries(configured.gates ?? {})
    .filter(([gate, record]) => canonical(record) !== canonical(deployedGates[gate]))
    .map(([gate]) => gate);
  return {
    phases,
    gates: configured.gates,
    ...(configured.engines ? { engines: configured.engines } : {}),
    ...(engineMoves.length > 0 ? { engineMoves } : {}),
    ...(configured.policy ? { policy: configured.policy } : {}),
    ...(policyChanged ? { policyInForce: deployed.policy } : {}),
    ...(moves.length > 0 ? { moves } : {}),
    ...(gatesChanged.length > 0 ? { gatesChanged } : {}),
  };
}

// State may hand maps back with their keys in another order: compare them sorted. (The same as
// gate-evidence's canonicalJson, which this module may not import: see above.)
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}
