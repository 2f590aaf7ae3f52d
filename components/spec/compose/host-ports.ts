import type { ServiceSpec } from "../service-spec";
import type { ImportContext } from "./context";

/** ComposePlatform publishes every port on the host, so two services may not share one. */
export function hostPortClashes(specs: readonly ServiceSpec[], ctx: ImportContext): void {
  // Published ports so far: port/protocol, the host address (undefined: all of them), the owner.
  const taken: { key: string; ip: string | undefined; owner: string }[] = [];
  for (const spec of specs) {
    for (const port of spec.ports ?? []) {
      const key = `${port.published ?? port.port}/${(port.protocol ?? "TCP").toLowerCase()}`;
      const clash = taken.find(
        (t) =>
          t.key === key &&
          t.owner !== spec.name &&
          (t.ip === undefined || port.hostIp === undefined || t.ip === port.hostIp),
      );
      taken.push({ key, ip: port.hostIp, owner: spec.name });
      if (clash) {
        ctx.todo(
          `services.${spec.name}.ports`,
          `host port ${key} is also published by ${clash.owner} (ComposePlatform publishes every service port on the host); give one of them another published port`,
        );
      }
    }
  }
}
