/**
 * Names Compose allows and the specs (Kubernetes object names, env keys) do not. Normalising is
 * deterministic and shown to the user as a mapping; two names that normalise alike are refused.
 */

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Kubernetes' rule for env names; Docker accepts any name without '='.
const ENV_KEY = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** A DNS label (RFC 1035) for a service or volume name: `front_end` → `front-end`, `NGINX` → `nginx`. */
export function dnsLabelFor(name: string, prefix: string): string {
  if (DNS_LABEL.test(name)) return name;
  let label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(label)) label = `${prefix}-${label}`.replace(/-+$/, "");
  return label.slice(0, 63).replace(/-+$/, "");
}

/** An env name the specs accept: `discovery.type` as it is, `my var` → `my_var`. */
export function envKeyFor(key: string): string {
  if (ENV_KEY.test(key)) return key;
  const normalised = key.replace(/[^-._A-Za-z0-9]/g, "_");
  return /^[0-9]/.test(normalised) ? `_${normalised}` : normalised;
}

/** The Compose project name as Compose derives it: lowercase letters, digits, '-' and '_'. */
export function projectNameFor(name: string): string {
  const project = name.toLowerCase().replace(/[^a-z0-9_-]/g, "");
  return /^[a-z0-9]/.test(project) ? project : `p${project}`;
}

/** One rename, shown to the user. */
export interface Rename {
  /** What was renamed: `service`, `volume` or `env` (with the service for env). */
  readonly kind: "service" | "volume" | "env";
  readonly from: string;
  readonly to: string;
  /** For `env`, the (renamed) service; for `volume`, the Docker volume's real name. */
  readonly detail?: string;
}
