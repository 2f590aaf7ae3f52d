import { isRecord, text, type ImportContext, type Raw } from "./context";
import type { Variables } from "./interpolate";

/**
 * Services without `profiles` always run; the others only when one of their profiles is active,
 * as in Compose. Skipped services are named in a warning.
 */
export function activeServices(
  services: Raw,
  options: { readonly profiles?: readonly string[] },
  vars: Variables,
  ctx: ImportContext,
): Raw {
  const active = new Set(
    options.profiles ?? (vars.COMPOSE_PROFILES ?? "").split(",").map((p) => p.trim()),
  );
  if (active.has("*")) return services;
  return Object.fromEntries(
    Object.entries(services).filter(([name, raw]) => {
      const profiles = isRecord(raw) && Array.isArray(raw.profiles) ? raw.profiles.map(text) : [];
      if (profiles.length === 0 || profiles.some((p) => active.has(p))) return true;
      ctx.warn(
        `services.${name}`,
        `skipped: only in profile ${profiles.join(", ")}, which is not active (pass --profile ${profiles[0]} to import it)`,
      );
      return false;
    }),
  );
}
