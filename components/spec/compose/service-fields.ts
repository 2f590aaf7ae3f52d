import type { ServiceVolume } from "../service-spec";
import { isRecord, shown, text, type ImportContext, type Raw } from "./context";
import { shellWords } from "./shell-words";

/** `command:` / `entrypoint:`: a list as given, a string split as a POSIX shell would. */
export function commandList(value: unknown, at: string, ctx: ImportContext): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(text);
  try {
    return shellWords(text(value));
  } catch (error) {
    ctx.fail(at, `${shown(value)}: ${(error as Error).message}`);
    return undefined;
  }
}

export function envFileWarning(value: unknown, at: string, ctx: ImportContext): void {
  for (const file of value === undefined ? [] : [value].flat()) {
    const path = isRecord(file) ? file.path : file;
    ctx.todo(
      `${at} ${text(path)}`,
      "its text is not in the Compose file; pass it as envFile or secretEnvFile",
    );
  }
}

const DEPLOY_KEYS = new Set(["replicas", "resources"]);

/** `deploy.replicas`, default 1: a Compose service is one container unless it says otherwise. */
export function replicas(deploy: Raw | undefined, at: string, ctx: ImportContext): number {
  for (const key of Object.keys(deploy ?? {}).filter((k) => !DEPLOY_KEYS.has(k))) {
    ctx.warn(`${at}.${key}`, `${shown(deploy?.[key])}: not carried over`);
  }
  const value = deploy?.replicas;
  if (value === undefined || value === null) return 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    ctx.fail(`${at}.replicas`, `${shown(value)}: give a whole number, 0 or more`);
    return 1;
  }
  return value;
}

/** A top-level volume: the spec's name for it and the Docker volume that holds its data. */
export interface NamedVolume {
  readonly specName: string;
  readonly dockerName: string;
}

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
    const [from, to] = isRecord(entry)
      ? [text(entry.source), text(entry.target)]
      : text(entry).split(":");
    const volume = from === undefined ? undefined : named.get(from);
    if (volume && to) return [{ name: volume.specName, mountPath: to }];
    ctx.warn(
      `${at}[${i}]`,
      `${shown(entry)}: bind mounts and anonymous volumes are not carried over; use a named volume`,
    );
    return [];
  });
  return result.length === 0 ? undefined : result;
}
