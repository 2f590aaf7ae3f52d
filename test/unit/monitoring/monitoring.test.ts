import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Monitoring } from "../../../components/monitoring";
import { PROMETHEUS_SINGLE_REPLICA_REASON } from "../../../components/monitoring/Monitoring";
import { ComposePlatform, K3sPlatform, PlatformServices } from "../../../components/platform";
import { evaluateProgram } from "../../../tools/evaluate";
import { systemsInPrometheusConfig } from "../../../policies/checks/monitoring";
import { byName, countByType, platformOutputs } from "../platform/support";
import { SEED_SERVICES } from "../../support/seed-platform";

const endpoints = [
  {
    job: "redpanda",
    address: pulumi.output("redpanda:9644"),
    path: "/public_metrics",
    system: "redpanda",
  },
  { job: "kafka", address: "kafka:9404", system: "kafka" },
];

const expectedConfig = [
  "global:",
  "  scrape_interval: 15s",
  "scrape_configs:",
  "  - job_name: redpanda",
  "    metrics_path: /public_metrics",
  "    static_configs:",
  "      - targets:",
  "          - redpanda:9644",
  "        labels:",
  "          system: redpanda",
  "  - job_name: kafka",
  "    metrics_path: /metrics",
  "    static_configs:",
  "      - targets:",
  "          - kafka:9404",
  "        labels:",
  "          system: kafka",
  "",
].join("\n");

describe("Monitoring", () => {
  it("runs Prometheus on Compose: image + container with the rendered config uploaded", async () => {
    const { resources } = await evaluateProgram(
      () => {
        const compose = new ComposePlatform("compose", { services: [] });
        new Monitoring("prometheus", { platform: compose.ref, endpoints });
      },
      { outputsFor: platformOutputs },
    );
    const own = resources.filter((r) => r.name.startsWith("prometheus"));
    expect(own.map((r) => [r.type, r.name]).sort()).toEqual([
      ["docker:index/container:Container", "prometheus"],
      ["docker:index/remoteImage:RemoteImage", "prometheus-image"],
      ["stepwise:monitoring:Monitoring", "prometheus"],
    ]);
    expect(byName(own, "prometheus-image").inputs).toEqual({
      name: "prom/prometheus:v3.5.0",
      keepLocally: true,
    });
    const container = own.find((r) => r.type === "docker:index/container:Container");
    expect(container?.inputs).toMatchObject({
      name: "prometheus",
      image: "sha256-of-prom/prometheus:v3.5.0",
      command: ["--config.file=/etc/prometheus/prometheus.yml", "--web.listen-address=:9090"],
      uploads: [{ file: "/etc/prometheus/prometheus.yml", content: expectedConfig }],
      ports: [{ internal: 9090, external: 9090 }],
      networksAdvanced: [{ name: "compose", aliases: ["prometheus"] }],
    });
  });

  it("runs Prometheus on K3s: ConfigMap, Deployment and Service in the platform namespace", async () => {
    const { resources } = await evaluateProgram(() => {
      const k3s = new K3sPlatform("k3s", { services: [], namespace: "ops" });
      new Monitoring("prometheus", { platform: k3s.ref, endpoints, port: 9091 });
    });
    const own = resources.filter((r) => r.name.startsWith("prometheus"));
    expect(countByType(own)).toEqual({
      "stepwise:monitoring:Monitoring": 1,
      "kubernetes:core/v1:ConfigMap": 1,
      "kubernetes:apps/v1:Deployment": 1,
      "kubernetes:core/v1:Service": 1,
    });
    expect(byName(own, "prometheus-config").inputs).toMatchObject({
      metadata: { name: "prometheus-config", namespace: "ops" },
      data: { "prometheus.yml": expectedConfig },
    });
    const deployment = own.find((r) => r.type === "kubernetes:apps/v1:Deployment");
    expect(deployment?.inputs).toMatchObject({
      metadata: { name: "prometheus", namespace: "ops" },
      spec: {
        replicas: 1,
        template: {
          // One replica with its reason, bounded resources and both probes: prod-ready.
          metadata: {
            annotations: {
              "stepwise.dev/single-replica-reason": PROMETHEUS_SINGLE_REPLICA_REASON,
            },
          },
          spec: {
            containers: [
              {
                image: "prom/prometheus:v3.5.0",
                ports: [{ name: "http", containerPort: 9091 }],
                readinessProbe: { httpGet: { path: "/-/ready", port: 9091 } },
                livenessProbe: { httpGet: { path: "/-/healthy", port: 9091 } },
                resources: {
                  requests: { cpu: "500m", memory: "512Mi" },
                  limits: { cpu: "500m", memory: "512Mi" },
                },
              },
            ],
            volumes: [{ name: "config", configMap: { name: "prometheus-config" } }],
          },
        },
      },
    });
    expect(byName(own, "prometheus-service").inputs.spec).toMatchObject({
      ports: [{ name: "http", port: 9091, targetPort: 9091 }],
    });
  });
});

describe("PlatformServices monitoring during the Compose -> K3s move", () => {
  it("scrapes services on both platforms from the platform Prometheus runs on", async () => {
    const evaluate = (monitoringOn?: "compose" | "k3s") =>
      evaluateProgram(
        () => {
          const fleet = new PlatformServices("shop", {
            services: SEED_SERVICES,
            placement: { "platform-coordination": "k3s", orders: "k3s" },
            compose: { hostAddress: "docker-host.internal" },
            k3s: { externalAddress: "10.0.0.20" },
            monitoringOn,
          });
          return { endpoints: fleet.metricsEndpoints };
        },
        { outputsFor: platformOutputs },
      );
    const { result, resources } = await evaluate("compose");
    expect(result.endpoints).toEqual([
      { job: "platform-coordination", address: "10.0.0.20:8080", path: "/metrics", system: "k3s" },
      {
        job: "product-catalog",
        address: "product-catalog:8082",
        path: "/metrics",
        system: "compose",
      },
      { job: "orders", address: "10.0.0.20:8083", path: "/metrics", system: "k3s" },
      { job: "inventory", address: "inventory:8084", path: "/metrics", system: "compose" },
    ]);
    expect(byName(resources, "shop-prometheus").type).toBe("stepwise:monitoring:Monitoring");
    const upload = (
      resources.find(
        (r) => r.type === "docker:index/container:Container" && r.name === "shop-prometheus",
      )?.inputs.uploads as { content: string }[]
    )[0]?.content;
    expect(upload).toContain("- 10.0.0.20:8080\n        labels:\n          system: k3s");
    // No Compose service depends on orders: only Prometheus on Compose needs it exposed.
    const ordersService = (r: typeof resources) =>
      (byName(r, "shop-k3s-orders-service").inputs.spec as { type: string }).type;
    expect(ordersService(resources)).toBe("LoadBalancer");
    expect(ordersService((await evaluate()).resources)).toBe("ClusterIP");
    const onK3s = await evaluate("k3s");
    expect(ordersService(onK3s.resources)).toBe("ClusterIP");
    expect(onK3s.result.endpoints.map((e) => e.address)).toEqual([
      "platform-coordination:8080",
      "docker-host.internal:8082",
      "orders:8083",
      "docker-host.internal:8084",
    ]);
  });

  it("also scrapes the engines' endpoints it is given, labelled with their system", async () => {
    const { resources } = await evaluateProgram(
      () => {
        new PlatformServices("shop", {
          services: SEED_SERVICES,
          monitoringOn: "compose",
          additionalMetricsEndpoints: [
            {
              job: "redpanda",
              address: "redpanda:9644",
              path: "/public_metrics",
              system: "redpanda",
            },
            { job: "kafka", address: pulumi.output("kafka:9404"), system: "kafka" },
          ],
        });
      },
      { outputsFor: platformOutputs },
    );
    const container = resources.find(
      (r) => r.type === "docker:index/container:Container" && r.name === "shop-prometheus",
    );
    const content = (container?.inputs.uploads as { content: string }[])[0]?.content ?? "";
    expect(systemsInPrometheusConfig(content)).toEqual([
      "compose",
      "compose",
      "compose",
      "compose",
      "redpanda",
      "kafka",
    ]);
  });
});
