/**
 * No secret in plain text: credential-like env in container definitions, Kubernetes env
 * `value`s instead of `valueFrom.secretKeyRef`, ConfigMap data, and unencrypted stack config.
 */
import type { ResourceView } from "../classify";
import type { Finding } from "./phases";

/** Name segments that mark a credential (`DB_PASSWORD`, `API_TOKEN`, `SECRET_KEY`, ...). */
const CREDENTIAL_NAME =
  /(^|[_.\-:])(PASSWORD|PASSWD|PWD|SECRET|TOKEN|KEY|APIKEY|CREDENTIALS?)($|[_.\-:])/i;
/** Names that point at a credential rather than hold it. */
const REFERENCE_NAME = /(_FILE|_PATH|_REF)$/i;
/** `scheme://user:password@host`: a URL that carries a password, whatever its name. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:[^@\s]+@/i;
/** How `pulumi preview --json` (and the offline planner) shows a secret value. */
export const MASKED_SECRET = "[secret]";
/** Pulumi's wire signature for a secret value. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isCredentialName(name: string): boolean {
  // camelCase config keys (dbPassword) split like SNAKE_CASE env names (DB_PASSWORD).
  const snake = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2");
  return CREDENTIAL_NAME.test(snake) && !REFERENCE_NAME.test(snake);
}

function isSecretValue(value: unknown): boolean {
  // "[secret]" in plans; "[secret:<digest>]" where stack files are read without decrypting.
  if (typeof value === "string" && value.startsWith("[secret")) return true;
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === SECRET_SIG
  );
}

/**
 * Why a name/value pair is a plaintext secret, or undefined when it is not one; `label` is how
 * the reason names it (a config key's full path, say).
 */
export function plaintextSecretReason(
  name: string,
  value: unknown,
  label = name,
): string | undefined {
  if (isSecretValue(value) || typeof value !== "string" || value === "") return undefined;
  if (URL_WITH_PASSWORD.test(value)) return `${label} holds a URL with a password`;
  if (isCredentialName(name)) return `${label} is credential-like and has a plain value`;
  return undefined;
}

interface K8sEnv {
  name?: unknown;
  value?: unknown;
}
interface K8sContainer {
  name?: unknown;
  env?: K8sEnv[];
}

function podContainers(props: Readonly<Record<string, unknown>>): K8sContainer[] {
  const spec = props.spec as { template?: { spec?: Record<string, unknown> } } | undefined;
  const pod = spec?.template?.spec;
  if (!pod) return [];
  return [pod.containers, pod.initContainers].flatMap((list) =>
    Array.isArray(list) ? (list as K8sContainer[]) : [],
  );
}

/**
 * Plaintext secrets in one resource's inputs. `includeDocker` is off in the pack: CrossGuard
 * unwraps `pulumi.secret` values before a policy sees them, so a correctly secret Docker env
 * looks plain there; plans show it as "[secret]" and are checked.
 */
export function plaintextSecretFindings(resource: ResourceView, includeDocker: boolean): Finding[] {
  const found: string[] = [];
  if (resource.type === "docker:index/container:Container" && includeDocker) {
    const envs = resource.props.envs;
    if (isSecretValue(envs)) return [];
    for (const entry of Array.isArray(envs) ? (envs as unknown[]) : []) {
      if (typeof entry !== "string") continue;
      const at = entry.indexOf("=");
      const reason = plaintextSecretReason(entry.slice(0, at), entry.slice(at + 1));
      if (at > 0 && reason) found.push(`container env ${reason}`);
    }
  }
  if (
    resource.type.startsWith("kubernetes:apps/v1:") ||
    resource.type.startsWith("kubernetes:batch/v1:")
  ) {
    for (const container of podContainers(resource.props)) {
      for (const env of container.env ?? []) {
        const reason =
          typeof env.name === "string" ? plaintextSecretReason(env.name, env.value) : undefined;
        if (reason) {
          found.push(
            `container "${String(container.name)}" env ${reason} instead of valueFrom.secretKeyRef`,
          );
        }
      }
    }
  }
  if (resource.type === "kubernetes:core/v1:ConfigMap") {
    const data = (resource.props.data ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(data)) {
      const reason = plaintextSecretReason(key, value);
      if (reason) found.push(`ConfigMap data ${reason} (ConfigMaps are not secret)`);
    }
  }
  return found.map((message) => ({ message: `${resource.name}: ${message}`, urn: resource.urn }));
}

/**
 * Unencrypted secret config in a stack file's `config:` (values written with
 * `pulumi config set --secret` are `{ secure: ... }`) or in a plan's `config` map.
 */
export function stackConfigSecretFindings(config: Readonly<Record<string, unknown>>): Finding[] {
  const findings: Finding[] = [];
  const visit = (path: string, value: unknown): void => {
    // Plans print map-valued config as JSON text.
    if (typeof value === "string" && value.startsWith("{")) {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        // Not JSON: judged as the string it is.
      }
    }
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      if ("secure" in value) return;
      for (const [key, inner] of Object.entries(value)) visit(`${path}.${key}`, inner);
      return;
    }
    const key = path.split(".").pop() ?? path;
    const reason = plaintextSecretReason(key, value, path);
    if (reason) findings.push({ message: `stack config ${reason}` });
  };
  for (const [key, value] of Object.entries(config)) visit(key, value);
  return findings;
}
