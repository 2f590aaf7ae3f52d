/**
 * Kubernetes' own rules for label and annotation keys (qualified names) and label values, so
 * specs are refused here rather than by the API server.
 */
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `name` or `prefix/name`: name at most 63 characters, prefix a DNS subdomain. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && NAME.test(name);
}

/** Empty, or at most 63 letters, digits, '-', '_', '.', starting and ending alphanumeric. */
export function isLabelValue(value: string): boolean {
  return value === "" || (value.length <= 63 && NAME.test(value));
}

/** A DNS label (RFC 1123), as namespace names are: at most 63 lowercase letters, digits, '-'. */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/** A DNS subdomain (RFC 1123), as most object names are (storage classes): dot-separated labels. */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && SUBDOMAIN.test(name);
}
