import type { ServiceSpec, ServiceVolume } from "../service-spec";
import { isRecord, shown, text, type ImportContext } from "./context";
import { dnsLabelFor, type Rename } from "./normalised-names";

/** A top-level volume: the spec's name for it and the Docker volume that holds its data. */
export interface NamedVolume {
  readonly specName: string;
  readonly dockerName: string;
}

/**
 * Top-level `volumes:`. Each keeps the name of the Docker volume that holds its data — its
 * `name:`, the key itself when `external`, else `<project>_<key>` as Compose names it — which
 * the specs carry as `dockerName`, so ComposePlatform re-attaches the data. A K3s PVC starts
 * empty: a to-do says so. Drivers other than `local` and driver options are warned.
 */
export function namedVolumes(
  value: unknown,
  project: string,
  ctx: ImportContext,
  renames: Rename[],
): Map<string, NamedVolume> {
  const map = new Map<string, NamedVolume>();
  if (value === undefined || value === null) return map;
  if (!isRecord(value)) {
    ctx.fail("volumes", `${shown(value)}: expected a mapping`);
    return map;
  }
  for (const [key, raw] of Object.entries(value)) {
    const spec = isRecord(raw) ? raw : {};
    const external = spec.external === true || isRecord(spec.external);
    const carried = (f: string) =>
      f === "name" || (f === "driver" && spec.driver === "local") || f === "external";
    for (const field of Object.keys(spec).filter((f) => !carried(f))) {
      ctx.warn(
        `volumes.${key}.${field}`,
        `${shown(spec[field])}: not carried over; the platforms make plain local volumes`,
      );
    }
    const dockerName =
      typeof spec.name === "string" ? spec.name : external ? key : `${project}_${key}`;
    if (external) {
      ctx.warn(
        `volumes.${key}.external`,
        `ComposePlatform mounts the Docker volume "${dockerName}", and creates it if it is missing (Compose would refuse to start)`,
      );
    }
    const specName = dnsLabelFor(key, "vol");
    map.set(key, { specName, dockerName });
    if (specName !== key) {
      renames.push({ kind: "volume", from: key, to: specName, detail: dockerName });
      ctx.warn(`volumes.${key}`, `renamed to "${specName}" in the specs (a DNS label)`);
    }
    ctx.todo(
      `volumes.${key}`,
      `ComposePlatform re-attaches the Docker volume "${dockerName}" (dockerName); on K3s the volume starts empty: copy the data across before moving a service that mounts it`,
    );
  }
  return map;
}

/**
 * A service's `volumes:` (short `name:/path[:mode]` or long form): named volumes are carried;
 * bind mounts, anonymous volumes and tmpfs are warned, as are read-only and other options.
 */
export function volumes(
  value: unknown,
  named: ReadonlyMap<string, NamedVolume>,
  at: string,
  ctx: ImportContext,
): ServiceVolume[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    ctx.fail(at, `${shown(value)}: expected a list`);
    return undefined;
  }
  const result = value.flatMap((entry, i): ServiceVolume[] => {
    const where = `${at}[${i}]`;
    let from: string | undefined;
    let to: string | undefined;
    let options: string[] = [];
    if (isRecord(entry)) {
      from = entry.source === undefined ? undefined : text(entry.source);
      to = text(entry.target);
      options = Object.keys(entry).filter((k) => !["type", "source", "target"].includes(k));
    } else {
      const parts = text(entry).split(":");
      [from, to] = parts.length === 1 ? [undefined, parts[0]] : [parts[0], parts[1]];
      options = parts.slice(2);
    }
    const volume = from === undefined ? undefined : named.get(from);
    if (!volume || !to) {
      ctx.warn(
        where,
        `${shown(entry)}: bind mounts, anonymous volumes and tmpfs are not carried over; use a named volume`,
      );
      return [];
    }
    if (options.length > 0) {
      ctx.warn(where, `${options.join(", ")}: not carried over; the volume is mounted read-write`);
    }
    return [{ name: volume.specName, mountPath: to, dockerName: volume.dockerName }];
  });
  return result.length === 0 ? undefined : result;
}

/** A Docker volume several services mount is shared on Compose; on K3s each gets its own PVC. */
export function sharedVolumes(specs: readonly ServiceSpec[], ctx: ImportContext): void {
  const users = new Map<string, string[]>();
  for (const spec of specs) {
    for (const v of spec.volumes ?? []) {
      if (v.dockerName) users.set(v.dockerName, [...(users.get(v.dockerName) ?? []), spec.name]);
    }
  }
  for (const [dockerName, services] of users) {
    if (services.length < 2) continue;
    ctx.warn(
      `volumes`,
      `the Docker volume "${dockerName}" is mounted by ${services.join(", ")}: shared on ComposePlatform; on K3s each service gets its own empty volume`,
    );
  }
}
