import { pathById } from "../path-queries";
import type { PlatformKind } from "./keys";

/**
 * The platform a phase fixes for a service, or undefined where the stack's placement decides.
 * `coordinationService` is the service the platform path moves to K3s first (its
 * `coordination-on-k3s` phase, docs/migrations.md); the program's option of that name.
 */
export function fixedPlacement(
  rule: "compose" | "coordination" | "per-service" | "k3s" | undefined,
  service: string,
  coordinationService: string | undefined,
): PlatformKind | undefined {
  switch (rule) {
    case "compose":
      return "compose";
    case "k3s":
      return "k3s";
    case "coordination":
      return service === coordinationService ? "k3s" : "compose";
    default:
      return undefined;
  }
}

/** The services the modular monolith absorbs as its modules: all but coordination (and itself). */
export function absorbedServices(
  services: readonly string[],
  coordinationService: string | undefined,
): string[] {
  const monolith = pathById("consolidation").newSystem;
  return services.filter((name) => name !== coordinationService && name !== monolith);
}
