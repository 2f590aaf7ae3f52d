import type { ServiceSpec } from "../service-spec";
import type { StartCondition } from "../wait-for";
import { compact, isRecord, shown, text, type ImportContext, type Raw } from "./context";

const CONDITIONS: Record<string, StartCondition> = {
  service_started: "started",
  service_healthy: "healthy",
  service_completed_successfully: "completed",
};
const KNOWN = new Set(["condition", "required", "restart"]);

/**
 * `depends_on` (list or long form) as the spec carries it: a dependency with ports goes in
 * `dependsOn` (its address is in the env, it starts first); its condition goes in `waitFor` when
 * it differs from the spec's default (healthy when it has a health check, else started), so a
 * short-form dependency stays "started" as in Compose. A dependency without ports, which has no
 * address to give, is carried by `waitFor` alone. `required: false` on a service that is not
 * imported drops it, as Compose does. `specs` are in the order of `raws`, already renamed.
 */
export function withDependencies(
  specs: readonly ServiceSpec[],
  raws: readonly [string, unknown][],
  serviceNames: ReadonlyMap<string, string>,
  ctx: ImportContext,
): ServiceSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  return specs.map((spec, i) => {
    const [original, raw] = raws[i] ?? ["", undefined];
    if (!isRecord(raw) || raw.depends_on === undefined || raw.depends_on === null) return spec;
    const at = `services.${original}.depends_on`;
    const dependsOn: string[] = [];
    const waitFor: Record<string, StartCondition> = {};
    for (const [dep, settings] of entries(raw.depends_on, at, ctx)) {
      const where = `${at}.${dep}`;
      for (const key of Object.keys(settings).filter((k) => !KNOWN.has(k))) {
        ctx.warn(`${where}.${key}`, `${shown(settings[key])}: not carried over`);
      }
      if (settings.restart === true) {
        ctx.warn(
          `${where}.restart`,
          "true is not carried over: the platforms do not restart a service when its dependency restarts",
        );
      }
      const name = serviceNames.get(dep);
      const target = name === undefined ? undefined : byName.get(name);
      if (!target) {
        if (settings.required === false) {
          ctx.warn(
            where,
            "not among the imported services; dropped, as Compose does with required: false",
          );
        } else {
          ctx.fail(
            where,
            `${shown(dep)}: not among the imported services (no such service, or only in an inactive profile: pass --profile)`,
          );
        }
        continue;
      }
      let condition = condition_(settings.condition, `${where}.condition`, ctx);
      if (condition === undefined) continue;
      if (condition === "healthy" && !target.healthCheck) {
        ctx.warn(
          `${where}.condition`,
          `service_healthy, but ${target.name} has no health check in the specs (an image's own HEALTHCHECK is not in the file); waits until started instead`,
        );
        ctx.todo(
          `${where}.condition`,
          `give ${target.name} a healthCheck, then set waitFor.${target.name} of ${spec.name} to "healthy"`,
        );
        condition = "started";
      }
      const hasPorts = (target.ports ?? []).length > 0;
      const fallback = target.healthCheck ? "healthy" : "started";
      if (hasPorts) dependsOn.push(target.name);
      if (!hasPorts || condition !== fallback) waitFor[target.name] = condition;
    }
    return compact({
      ...spec,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
      waitFor: Object.keys(waitFor).length > 0 ? waitFor : undefined,
    });
  });
}

function entries(value: unknown, at: string, ctx: ImportContext): [string, Raw][] {
  if (Array.isArray(value)) return value.map((dep) => [text(dep), {}]);
  if (isRecord(value)) {
    return Object.entries(value).map(([dep, s]) => [dep, isRecord(s) ? s : {}]);
  }
  ctx.fail(at, `${shown(value)}: expected a list of services or a map of service to condition`);
  return [];
}

function condition_(value: unknown, at: string, ctx: ImportContext): StartCondition | undefined {
  if (value === undefined || value === null) return "started";
  const condition = CONDITIONS[text(value)];
  if (condition === undefined) {
    ctx.fail(
      at,
      `${shown(value)}: give service_started, service_healthy or service_completed_successfully`,
    );
  }
  return condition;
}
