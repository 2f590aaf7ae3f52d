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
