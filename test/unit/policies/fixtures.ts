/** Resource inputs shaped like the platform and monitoring components register them. */
import { stringify } from "yaml";
import { DEFAULT_FEATURE_FLAGS } from "../../../components/routing/route";
import {
  renderTraefikFile,
  ROUTES_ENV,
  traefikFileConfig,
} from "../../../components/routing/traefik-file";
import {
  KAFKA_CLUSTER_TYPE,
  REDPANDA_CLUSTER_TYPE,
  TOPIC_TYPE,
} from "../../../components/type-tokens";

export const CONTAINER = "docker:index/container:Container";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const VOLUME = "docker:index/volume:Volume";
export const TRAEFIK_SERVICE = "kubernetes:traefik.io/v1alpha1:TraefikService";
export const REDPANDA = REDPANDA_CLUSTER_TYPE;
export const KAFKA = KAFKA_CLUSTER_TYPE;
export const TOPIC = TOPIC_TYPE;

export function container(service: string, envs: string[] | string = []): Record<string, unknown> {
  return {
    name: `compose-${service}`,
    envs,
    labels: [
      { label: "stepwise.platform", value: "compose" },
      { label: "stepwise.service", value: service },
    ],
  };
}

interface DeploymentOptions {
  replicas?: number;
  env?: Record<string, unknown>[];
  resources?: boolean;
  probes?: boolean;
  /** Pod annotations, e.g. the single-replica reason. */
  annotations?: Record<string, string>;
}

export function deployment(
  service: string,
  options: DeploymentOptions = {},
): Record<string, unknown> {
  const probe = { httpGet: { path: "/health", port: 8082 } };
  const amounts = { cpu: "500m", memory: "256Mi" };
  return {
    metadata: { name: service, labels: { "app.kubernetes.io/name": service } },
    spec: {
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      template: {
        ...(options.annotations ? { metadata: { annotations: options.annotations } } : {}),
        spec: {
          containers: [
            {
              name: service,
              image: `${service}:1.0.0`,
              env: options.env ?? [],
              ...(options.resources === false
                ? {}
                : { resources: { requests: amounts, limits: amounts } }),
              ...(options.probes === false ? {} : { readinessProbe: probe, livenessProbe: probe }),
            },
          ],
        },
      },
    },
  };
}

export function weighted(weights: Record<string, number>): Record<string, unknown> {
  return {
    spec: {
      weighted: {
        services: Object.entries(weights).map(([name, weight]) => ({ name, port: 8082, weight })),
      },
    },
  };
}

/**
 * The Compose router's configuration writer, holding the rendered routes: per route, the weight
 * of each backend service (implementations named after their position: old, new, monolith).
 */
export function composeRoutes(
  routes: Record<string, Record<string, number>>,
): Record<string, unknown> {
  const specs = Object.entries(routes).map(([name, weights]) => ({
    name,
    backends: Object.entries(weights).map(([service, weight], i) => ({
      implementation: ["old", "new", "monolith"][i] ?? `impl-${i}`,
      service,
      weight,
    })),
  }));
  const config = renderTraefikFile(
    traefikFileConfig(specs, DEFAULT_FEATURE_FLAGS, (service) => `http://${service}:8080`),
  );
  return {
    name: "platform-router-config",
    envs: [`${ROUTES_ENV}=${config}`],
    labels: [{ label: "stepwise.platform", value: "compose" }],
  };
}

/** The K3s router's weighted TraefikService of one route. */
export function routeService(
  route: string,
  weights: Record<string, number>,
): Record<string, unknown> {
  return { metadata: { name: `route-${route}` }, ...weighted(weights) };
}

/** The Prometheus container Monitoring makes on Compose, scraping the given systems. */
export function prometheus(systems: string[]): Record<string, unknown> {
  const config = stringify({
    global: { scrape_interval: "15s" },
    scrape_configs: systems.map((system) => ({
      job_name: system,
      metrics_path: "/metrics",
      static_configs: [{ targets: [`${system}:9644`], labels: { system } }],
    })),
  });
  return {
    name: "monitoring",
    uploads: [{ file: "/etc/prometheus/prometheus.yml", content: config }],
    labels: [{ label: "stepwise.platform", value: "compose" }],
  };
}
