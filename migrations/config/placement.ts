import { pathById } from "../path-queries";
import type { PlatformKind } from "./keys";

/** The platform a phase fixes for a service, or undefined where the stack's placement decides. */
export function fixedPlacement(
  rule: "compose" | "coordination" | "per-service" | "k3s" | undefined,
  service: string,
): PlatformKind | undefined {
  switch (rule) {
    case "compose":
      return "compose";
    case "k3s":
      return "k3s";
    case "coordination":
      return service === COORDINATION_SERVICE ? "k3s" : "compose";
    default:
      return undefined;
  }
}

/** The service that moves to K3s first: the platform path's `coordination-on-k3s` phase (docs/migrations.md). */
export const COORDINATION_SERVICE = "platform-coordination";

/** The services the modular monolith absorbs as its modules: all but coordination (and itself). */
export function absorbedServices(services: readonly string[]): string[] {
  const monolith = pathById("consolidation").newSystem;
  return services.filter((name) => name !== COORDINATION_SERVICE && name !== monolith);
}
