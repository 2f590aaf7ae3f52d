/**
 * What a service waits for before it starts, per dependency: Compose's `depends_on` conditions.
 * `started`: the dependency's container runs; `healthy`: its health check passes; `completed`:
 * it ran to the end and exited 0 (a migration or seed job, run once).
 */
export type StartCondition = "started" | "healthy" | "completed";

export const START_CONDITIONS: readonly StartCondition[] = ["started", "healthy", "completed"];

interface Waiter {
  readonly name: string;
  readonly dependsOn?: readonly string[];
  readonly waitFor?: Readonly<Record<string, StartCondition>>;
  readonly healthCheck?: unknown;
}

/**
 * Each service's conditions with the default filled in: every `dependsOn` entry is waited for
 * until healthy when it has a health check, else until started; `waitFor` adds or overrides.
 */
export function startConditions(
  services: readonly Waiter[],
): Map<string, Readonly<Record<string, StartCondition>>> {
  const checked = new Set(services.filter((s) => s.healthCheck).map((s) => s.name));
  return new Map(
    services.map((s) => [
      s.name,
      {
        ...Object.fromEntries(
          (s.dependsOn ?? []).map((d) => [d, checked.has(d) ? "healthy" : "started"] as const),
        ),
        ...s.waitFor,
      },
    ]),
  );
}

/** Services some other service waits for with `completed`: they run once, to the end. */
export function runsToCompletion(services: readonly Waiter[]): Set<string> {
  return new Set(
    services.flatMap((s) =>
      Object.entries(s.waitFor ?? {})
        .filter(([, c]) => c === "completed")
        .map(([d]) => d),
    ),
  );
}

/**
 * Problems with `waitFor` across the specs: unknown or own name, `healthy` without a check.
 * `external` names services on another platform, which a platform may wait for as it can.
 */
export function checkWaitFor(services: readonly Waiter[], external: readonly string[]): string[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const problems: string[] = [];
  for (const s of services) {
    for (const [dep, condition] of Object.entries(s.waitFor ?? {})) {
      const at = `service "${s.name}": waitFor.${dep} = "${condition}"`;
      const target = byName.get(dep);
      if (dep === s.name) problems.push(`${at}: a service cannot wait for itself`);
      else if (!target && external.includes(dep)) continue;
      else if (!target) {
        problems.push(
          `${at}: no such service; known services are ${[...byName.keys(), ...external].join(", ")}`,
        );
      } else if (condition === "healthy" && !target.healthCheck) {
        problems.push(`${at}: "${dep}" has no healthCheck; give it one or wait for "started"`);
      }
    }
  }
  return problems;
}
