import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import type { PlatformKind } from "../spec";
import type { ResolvedService } from "../spec/resolve";
import { platformOf, type Placement, type PlatformAddresses } from "./discovery";

export interface MetricsPlan {
  readonly endpoints: MetricsEndpoint[];
  /** K3s services a Prometheus on Compose can only reach when exposed on the node address. */
  readonly k3sExposed: string[];
}

/**
 * Scrape targets for every service with metrics, addressed from `scrapeFrom` (where Prometheus
 * runs; when absent, each from its own platform). `system` is the platform the service is on,
 * so a rule can require that both sides of the Compose -> K3s move are scraped.
 */
export function metricsEndpointsFor(
  services: readonly ResolvedService[],
  placement: Placement,
  scrapeFrom: PlatformKind | undefined,
  addresses: PlatformAddresses,
): MetricsPlan {
  const endpoints: MetricsEndpoint[] = [];
  const k3sExposed: string[] = [];
  for (const service of services) {
    if (!service.metrics) continue;
    const metricsPort = service.metrics.port;
    const port = service.ports.find((p) => p.port === metricsPort);
    if (!port) continue; // validation guarantees it is declared
    const platform = platformOf(placement, service.name);
    const from = scrapeFrom ?? platform;
    let address: string;
    if (from === platform) {
      address = `${service.name}:${platform === "compose" ? port.port : port.published}`;
    } else if (platform === "compose") {
      address = `${addresses.composeHost}:${port.published}`;
    } else {
      address = `${addresses.k3sAddress}:${port.published}`;
      k3sExposed.push(service.name);
    }
    endpoints.push({ job: service.name, address, path: service.metrics.path, system: platform });
  }
  return { endpoints, k3sExposed };
}
