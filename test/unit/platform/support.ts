import type { RegisteredResource } from "../../../tools/evaluate";

/** Mocked outputs: images report an id, so containers get a known `image` input. */
export function platformOutputs(type: string, _name: string, inputs: Record<string, unknown>) {
  return type === "docker:index/remoteImage:RemoteImage"
    ? { imageId: `sha256-of-${String(inputs.name)}` }
    : {};
}

/** [type, name] of every resource, in registration order. */
export function typesAndNames(resources: readonly RegisteredResource[]): [string, string][] {
  return resources.map((r) => [r.type, r.name]);
}

export function byName(resources: readonly RegisteredResource[], name: string): RegisteredResource {
  const found = resources.find((r) => r.name === name);
  if (!found)
    throw new Error(`no resource named ${name}; have ${resources.map((r) => r.name).join(", ")}`);
  return found;
}

/** Name of a resource's parent, from its URN. */
export function parentName(resource: RegisteredResource): string | undefined {
  return resource.parent?.split("::").pop();
}

/** Counts by type, for "exactly N of each" assertions. */
export function countByType(resources: readonly RegisteredResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** Every path in a value (JSON-like) whose key is `key`. */
export function collectKeys(
  value: unknown,
  key: string,
  path = "",
): { path: string; value: unknown }[] {
  if (Array.isArray(value)) {
    return (value as unknown[]).flatMap((v, i) => collectKeys(v, key, `${path}[${i}]`));
  }
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [
    ...(k === key ? [{ path: `${path}.${k}`, value: v }] : []),
    ...collectKeys(v, key, `${path}.${k}`),
  ]);
}
