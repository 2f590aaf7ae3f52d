import { plaintextSecretReason } from "../plaintext-secret";
import { isRecord, shown, text, type ImportContext } from "./context";
import type { Variables } from "./interpolate";
import { envKeyFor, type Rename } from "./normalised-names";

/** A service's `environment:` split as the spec keeps it: plain values and secret ones. */
export interface ImportedEnv {
  readonly env?: Record<string, string>;
  readonly secretEnv?: Record<string, string>;
}

/**
 * `environment:` (a map or a list of KEY=value). Key-only entries (`- SESSION_SECRET`) take their
 * value from the environment and `.env`, as Compose does, or are left out with a to-do. A value
 * that is a credential (by its name, e.g. PASSWORD/SECRET/TOKEN/API_KEY, or by its shape, e.g. a
 * URL with a password) goes to `secretEnv`, with a warning that names it and never shows it.
 * Keys keep their spelling, dots included (`discovery.type`): programs such as Elasticsearch read
 * them literally, and Kubernetes and Docker accept them. Only characters neither accepts are
 * replaced, listed in `renames`.
 */
export function environment(
  value: unknown,
  service: string,
  vars: Variables,
  at: string,
  ctx: ImportContext,
  renames: Rename[],
): ImportedEnv {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value) && !isRecord(value)) {
    ctx.fail(at, `${shown(value)}: expected a map or a list of KEY=value`);
    return {};
  }
  const entries: [string, string | null][] = Array.isArray(value)
    ? value.map((entry) => {
        const line = text(entry);
        const eq = line.indexOf("=");
        return eq < 0 ? [line, null] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(value).map(([k, v]) => [k, v === null ? null : text(v)]);
  const env: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  const from: Record<string, string> = {};
  for (const [key, raw] of entries) {
    const where = `${at}.${key}`;
    const val = raw ?? vars[key] ?? null;
    if (val === null) {
      ctx.warn(where, "no value here and not set in the environment or .env; left out");
      ctx.todo(
        where,
        `set ${key} in the environment or .env before importing, or give it in the spec (secretEnv if it is a credential)`,
      );
      continue;
    }
    const name = envKeyFor(key);
    if (name !== key) {
      renames.push({ kind: "env", from: key, to: name, detail: service });
      ctx.warn(
        where,
        `renamed to ${name} (env names are letters, digits, '_', '-' and '.'); check that the program reads ${name}`,
      );
    }
    if (from[name] !== undefined) {
      ctx.fail(where, `becomes ${name}, which ${from[name]} already is; rename one of them`);
      continue;
    }
    from[name] = key;
    const secret = plaintextSecretReason(name, val, name);
    if (secret === undefined) {
      env[name] = val;
      continue;
    }
    secretEnv[name] = val;
    ctx.warn(where, `${secret}: moved to secretEnv (a Secret on K3s, never printed)`);
    ctx.todo(
      where,
      `${raw === null ? "taken from the environment" : "written in the Compose file"}: give ${name} from a secret store (a Pulumi secret or secretEnvFile) instead of the imported value${raw === null ? "" : ", and rotate it if the file is in version control"}`,
    );
  }
  return {
    env: Object.keys(env).length > 0 || Object.keys(secretEnv).length === 0 ? env : undefined,
    secretEnv: Object.keys(secretEnv).length > 0 ? secretEnv : undefined,
  };
}
