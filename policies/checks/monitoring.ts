/**
 * Which systems have a metrics scrape target, as `both-systems-monitored` reads it. Monitoring
 * (components/monitoring) renders prometheus.yml with a `system` label on every static target,
 * and that text is in the inputs of its container (uploads) or ConfigMap (data); MetricsEndpoint
 * objects (`job` + `system`) found in inputs count too.
 */
import { parse } from "yaml";
import type { ResourceView } from "../classify";

interface PrometheusConfig {
  scrape_configs?: { static_configs?: { labels?: { system?: unknown } }[] }[];
}

/** `system` labels of a prometheus.yml text; empty when the text is not one. */
export function systemsInPrometheusConfig(text: string): string[] {
  let config: PrometheusConfig | undefined;
  try {
    config = parse(text) as PrometheusConfig | undefined;
  } catch {
    return [];
  }
  return (config?.scrape_configs ?? []).flatMap((job) =>
    (job.static_configs ?? []).flatMap((c) =>
      typeof c.labels?.system === "string" ? [c.labels.system] : [],
    ),
  );
}

/** Systems with a scrape target, from prometheus.yml texts and MetricsEndpoint objects. */
export function scrapedSystems(resources: readonly ResourceView[]): {
  systems: Set<string>;
  /** The first error reading a resource: in a preview, CrossGuard's unknown-value error. */
  unreadable?: Error;
} {
  const systems = new Set<string>();
  let unreadable: Error | undefined;
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === "string" && value.includes("scrape_configs")) {
      for (const system of systemsInPrometheusConfig(value)) systems.add(system);
      return;
    }
    if (depth > 12 || typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.job === "string" && typeof record.system === "string") {
      systems.add(record.system);
    }
    for (const inner of Object.values(record)) visit(inner, depth + 1);
  };
  for (const resource of resources) {
    try {
      visit(resource.props, 0);
    } catch (error) {
      unreadable ??= error instanceof Error ? error : new Error(String(error));
    }
  }
  return unreadable === undefined ? { systems } : { systems, unreadable };
}
