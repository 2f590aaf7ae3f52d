import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PlatformServices } from "../../../components/platform";
import { type Placement } from "../../../components/platform/discovery";
import type { RouteSpec } from "../../../components/routing";
import { type ServiceSpec } from "../../../components/spec";
import { evaluateProgram, type RegisteredResource } from "../../../tools/evaluate";
import { byName, platformOutputs } from "../platform/support";
import { SEED_SERVICES } from "../../support/seed-platform";

const CONTAINER = "docker:index/container:Container";
const TRAEFIK_SERVICE = "kubernetes:traefik.io/v1alpha1:TraefikService";
const INGRESS_ROUTE = "kubernetes:traefik.io/v1alpha1:IngressRoute";
const K8S_SERVICE = "kubernetes:core/v1:Service";

const health = (port: number) => ({ http: { path: "/health", port } });

/** The catalog's new implementation as the api path runs it: published 10,000 higher. */
const catalogNext: ServiceSpec = {
  name: "product-catalog-next",
  image: "firstviscount/product-catalog-gin:0.9.0",
  ports: [{ port: 8082, name: "http", published: 18082 }],
  healthCheck: health(8082),
};
/** The modular monolith as the consolidation path runs it. */
const monolith: ServiceSpec = {
  name: "modular-monolith",
  image: "firstviscount/modular-monolith:1.0.0",
  ports: [{ port: 8090, name: "http" }],
  healthCheck: health(8090),
};
const SERVICES = [...SEED_SERVICES, catalogNext, monolith];

const catalogRoute: RouteSpec = {
  name: "product-catalog",
  backends: [
    { implementation: "old", service: "product-catalog", weight: 75 },
    { implementation: "new", service: "product-catalog-next", weight: 25 },
  ],
};
const ordersRoute: RouteSpec = {
  name: "orders",
  backends: [
    { implementation: "old", service: "orders", weight: 50 },
    { implementation: "new", service: "modular-monolith", weight: 50 },
  ],
};

const settings = {
  compose: { hostAddress: "docker-host.internal" },
  k3s: { externalAddress: "10.0.0.20", namespace: "shop" },
};

async function evaluateFleet(
  placement: Placement,
  routes: readonly RouteSpec[],
  monitoringOn?: "compose" | "k3s",
) {
  return evaluateProgram(
    () => {
      new PlatformServices("shop", {
        services: SERVICES,
        placement,
        routes,
        ...settings,
        ...(monitoringOn ? { monitoringOn } : {}),
      });
    },
    { outputsFor: platformOutputs },
  );
}

function find(resources: readonly RegisteredResource[], type: string, name: string) {
  const found = resources.find((r) => r.type === type && r.name === name);
  if (!found) {
    const names = resources.filter((r) => r.type === type).map((r) => r.name);
    throw new Error(`no ${type} ${name}; have ${names.join(", ")}`);
  }
  return found;
}

const routerResources = (resources: readonly RegisteredResource[]) =>
  resources.filter((r) => r.name.startsWith("shop-router"));

/** The routes file the config writer container holds in its environment. */
function routesFile(resources: readonly RegisteredResource[]): string {
  const envs = find(resources, CONTAINER, "shop-router-config").inputs.envs as string[];
  expect(envs).toHaveLength(1);
  const [key, ...rest] = (envs[0] ?? "").split("=");
  expect(key).toBe("STEPWISE_ROUTES");
  return rest.join("=");
}

const flagRule = (host: string, implementation: string) =>
  `Host(\`${host}\`) && (Header(\`X-Stepwise-Implementation\`, \`${implementation}\`) || HeaderRegexp(\`Cookie\`, \`(^|;\\s*)stepwise-implementation=${implementation}(;|$)\`))`;
const checkedServer = (url: string) => ({
  loadBalancer: {
    servers: [{ url }],
    healthCheck: { path: "/health", interval: "5s", timeout: "3s" },
  },
});

/** Prometheus's scrape targets and system labels, by job, from the rendered prometheus.yml. */
function scrapeTargets(prometheusYml: string): Record<string, [string[], string]> {
  const config = parse(prometheusYml) as {
    scrape_configs: {
      job_name: string;
      static_configs: { targets: string[]; labels: { system: string } }[];
    }[];
  };
  return Object.fromEntries(
    config.scrape_configs.map((job) => [
      job.job_name,
      [job.static_configs[0]?.targets ?? [], job.static_configs[0]?.labels.system ?? ""],
    ]),
  );
}

function prometheusYml(resources: readonly RegisteredResource[], on: "compose" | "k3s"): string {
  if (on === "compose") {
    const uploads = find(resources, CONTAINER, "shop-prometheus").inputs.uploads as {
      content: string;
    }[];
    return uploads[0]?.content ?? "";
  }
  const configMap = find(resources, "kubernetes:core/v1:ConfigMap", "shop-prometheus-config");
  return (configMap.inputs.data as Record<string, string>)["prometheus.yml"] ?? "";
}

describe("PlatformServices routers: a route on Compose", () => {
  it("declares Traefik and the config writer, whose environment holds the rendered routes", async () => {
    const { resources } = await evaluateFleet({}, [catalogRoute]);
    expect(routerResources(resources).map((r) => [r.type, r.name])).toEqual([
      ["stepwise:routing:ComposeRouter", "shop-router"],
      ["docker:index/remoteImage:RemoteImage", "shop-router-image"],
      [CONTAINER, "shop-router-config"],
      [CONTAINER, "shop-router"],
    ]);
    expect(find(resources, "stepwise:routing:ComposeRouter", "shop-router").parent).toBe(
      byName(resources, "shop").urn,
    );
    expect(byName(resources, "shop-router-image").inputs).toEqual({
      name: "traefik:v3.6.12",
      keepLocally: true,
    });

    const mount = [
      { hostPath: "/var/lib/stepwise/shop-router", containerPath: "/etc/traefik/dynamic" },
    ];
    const labels = [{ label: "stepwise.platform", value: "shop-compose" }];
    const writer = find(resources, CONTAINER, "shop-router-config");
    expect({ ...writer.inputs, envs: undefined }).toEqual({
      name: "shop-router-config",
      image: "sha256-of-traefik:v3.6.12",
      entrypoints: ["sh", "-c"],
      command: [
        `printf '%s' "$STEPWISE_ROUTES" > /etc/traefik/dynamic/.next && mv /etc/traefik/dynamic/.next /etc/traefik/dynamic/routes.yml`,
      ],
      envs: undefined,
      volumes: mount,
      labels,
      mustRun: false,
      restart: "no",
    });

    const file = routesFile(resources);
    expect(file.startsWith("# Written by stepwise")).toBe(true);
    expect(parse(file)).toEqual({
      http: {
        routers: {
          "product-catalog.old": {
            entryPoints: ["web"],
            rule: flagRule("product-catalog", "old"),
            priority: 200,
            service: "product-catalog",
          },
          "product-catalog.new": {
            entryPoints: ["web"],
            rule: flagRule("product-catalog", "new"),
            priority: 200,
            service: "product-catalog-next",
          },
          "product-catalog": {
            entryPoints: ["web"],
            rule: "Host(`product-catalog`)",
            priority: 100,
            service: "route-product-catalog",
          },
        },
        services: {
          // Both on Compose: the container port on the Compose network.
          "product-catalog": checkedServer("http://product-catalog:8082"),
          "product-catalog-next": checkedServer("http://product-catalog-next:8082"),
          "route-product-catalog": {
            weighted: {
              services: [
                { name: "product-catalog", weight: 75 },
                { name: "product-catalog-next", weight: 25 },
              ],
              healthCheck: {},
            },
          },
        },
      },
    });

    const traefik = find(resources, CONTAINER, "shop-router");
    expect(traefik.inputs).toEqual({
      name: "shop-router",
      image: "sha256-of-traefik:v3.6.12",
      command: [
        "--entryPoints.web.address=:80",
        "--entryPoints.metrics.address=:8899",
        "--providers.file.directory=/etc/traefik/dynamic",
        "--providers.file.watch=true",
        "--metrics.prometheus=true",
        "--metrics.prometheus.entryPoint=metrics",
        "--metrics.prometheus.addServicesLabels=true",
        "--ping=true",
        "--ping.entryPoint=metrics",
        "--global.checkNewVersion=false",
        "--global.sendAnonymousUsage=false",
      ],
      ports: [
        { internal: 80, external: 8000 },
        // Clear of the fleet's ports (18082 is product-catalog-next's, published in the canary).
        { internal: 8899, external: 8899 },
      ],
      volumes: mount,
      networksAdvanced: [{ name: "shop-compose", aliases: ["shop-router"] }],
      labels,
      restart: "unless-stopped",
    });
    // Traefik starts after the file is written.
    expect(traefik.dependencies).toContain(writer.urn);
  });

  it("ports and image come from the routing settings", async () => {
    const { resources } = await evaluateProgram(
      () => {
        new PlatformServices("shop", {
          services: SERVICES,
          routes: [catalogRoute],
          routing: { compose: { port: 8443, metricsPort: 19100, image: "traefik:v3.6.11" } },
          ...settings,
        });
      },
      { outputsFor: platformOutputs },
    );
    const traefik = find(resources, CONTAINER, "shop-router");
    expect(traefik.inputs.ports).toEqual([
      { internal: 80, external: 8443 },
      { internal: 19100, external: 19100 },
    ]);
    expect(traefik.inputs.command).toContain("--entryPoints.metrics.address=:19100");
    expect(byName(resources, "shop-router-image").inputs.name).toBe("traefik:v3.6.11");
  });

  // The router's default metrics port, 18082, is the very port product-catalog-next publishes
  // (8082 + the api path's offset of 10,000) while the catalog's canary runs on Compose: the
  // Docker host can bind it once, so one of the two containers cannot start.
  it("publishes no host port another container of the fleet publishes (api canary on Compose)", async () => {
    const { resources } = await evaluateFleet({}, [catalogRoute]);
    const published = resources
      .filter((r) => r.type === CONTAINER)
      .flatMap((r) =>
        ((r.inputs.ports as { external?: number }[] | undefined) ?? []).map((p) => [
          p.external,
          r.name,
        ]),
      );
    const byPort = new Map<unknown, unknown[]>();
    for (const [port, name] of published) byPort.set(port, [...(byPort.get(port) ?? []), name]);
    expect([...byPort].filter(([, names]) => names.length > 1)).toEqual([]);
  });
});

describe("PlatformServices routers: a route on K3s", () => {
  const onK3s: Placement = {
    "platform-coordination": "k3s",
    "product-catalog": "k3s",
    "product-catalog-next": "k3s",
  };

  it("declares a TraefikService and an IngressRoute in the platform namespace, after the Services", async () => {
    const { resources } = await evaluateFleet(onK3s, [catalogRoute]);
    expect(
      routerResources(resources)
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
    ).toEqual([
      `${K8S_SERVICE} shop-router-metrics`,
      `${INGRESS_ROUTE} shop-router-route-product-catalog-route`,
      `${TRAEFIK_SERVICE} shop-router-route-product-catalog-service`,
      "stepwise:routing:K3sRouter shop-router",
    ]);
    const weighted = find(resources, TRAEFIK_SERVICE, "shop-router-route-product-catalog-service");
    expect(weighted.inputs).toEqual({
      apiVersion: "traefik.io/v1alpha1",
      kind: "TraefikService",
      metadata: { name: "route-product-catalog", namespace: "shop" },
      spec: {
        weighted: {
          // The Services' ports: the published ones.
          services: [
            { name: "product-catalog", port: 8082, weight: 75 },
            { name: "product-catalog-next", port: 18082, weight: 25 },
          ],
        },
      },
    });
    const ingress = find(resources, INGRESS_ROUTE, "shop-router-route-product-catalog-route");
    expect(ingress.inputs).toEqual({
      apiVersion: "traefik.io/v1alpha1",
      kind: "IngressRoute",
      metadata: { name: "route-product-catalog", namespace: "shop" },
      spec: {
        entryPoints: ["web"],
        routes: [
          {
            kind: "Rule",
            match: "Host(`product-catalog`)",
            priority: 100,
            services: [{ name: "route-product-catalog", kind: "TraefikService" }],
          },
          {
            kind: "Rule",
            match: flagRule("product-catalog", "old"),
            priority: 200,
            services: [{ name: "product-catalog", port: 8082 }],
          },
          {
            kind: "Rule",
            match: flagRule("product-catalog", "new"),
            priority: 200,
            services: [{ name: "product-catalog-next", port: 18082 }],
          },
        ],
      },
    });
    // The weighted service waits for the Services it points at; the route for the service.
    for (const service of ["product-catalog", "product-catalog-next"]) {
      expect(weighted.dependencies).toContain(
        find(resources, "kubernetes:core/v1:Service", `shop-k3s-${service}-service`).urn,
      );
    }
    expect(ingress.dependencies).toContain(weighted.urn);
    // No Traefik container of stepwise's own on K3s: K3s ships one.
    expect(
      resources.filter((r) => r.type === CONTAINER && r.name.startsWith("shop-router")),
    ).toEqual([]);
  });

  it("routing.k3s.entryPoints replaces the IngressRoute's entry points", async () => {
    const { resources } = await evaluateProgram(
      () => {
        new PlatformServices("shop", {
          services: SERVICES,
          placement: onK3s,
          routes: [catalogRoute],
          routing: { k3s: { entryPoints: ["websecure"] } },
          ...settings,
        });
      },
      { outputsFor: platformOutputs },
    );
    const ingress = find(resources, INGRESS_ROUTE, "shop-router-route-product-catalog-route");
    expect((ingress.inputs.spec as { entryPoints: string[] }).entryPoints).toEqual(["websecure"]);
  });

  it("one router per platform: a route on each", async () => {
    const { resources } = await evaluateFleet({ ...onK3s, "modular-monolith": "compose" }, [
      catalogRoute,
      ordersRoute,
    ]);
    expect(
      routerResources(resources)
        .filter((r) => !r.custom)
        .map((r) => r.type)
        .sort(),
    ).toEqual(["stepwise:routing:ComposeRouter", "stepwise:routing:K3sRouter"]);
    // Each router has its own platform's routes only.
    const file = parse(routesFile(resources)) as { http: { routers: object } };
    expect(Object.keys(file.http.routers)).toEqual(["orders.old", "orders.new", "orders"]);
    expect(resources.filter((r) => r.type === INGRESS_ROUTE).map((r) => r.name)).toEqual([
      "shop-router-route-product-catalog-route",
    ]);
  });
  it("an ingress rule for a routed service becomes the route's host; other rules stay the platform's", async () => {
    const { resources } = await evaluateProgram(
      () => {
        new PlatformServices("shop", {
          services: SERVICES,
          placement: { ...onK3s, inventory: "k3s" },
          routes: [catalogRoute],
          ...settings,
          k3s: {
            ...settings.k3s,
            ingress: [
              { service: "product-catalog", host: "catalog.shop.example.com", pathPrefix: "/v2" },
              { service: "inventory", host: "inventory.shop.example.com" },
            ],
          },
        });
      },
      { outputsFor: platformOutputs },
    );
    const ingressRoutes = resources.filter((r) => r.type === INGRESS_ROUTE);
    expect(
      ingressRoutes.map((r) => {
        const { name, namespace } = r.inputs.metadata as { name: string; namespace: string };
        const { routes } = r.inputs.spec as { routes: { match: string }[] };
        return [r.name, `${namespace}/${name}`, routes[0]?.match];
      }),
    ).toEqual([
      [
        "shop-k3s-inventory-route",
        "shop/inventory",
        "Host(`inventory.shop.example.com`) && PathPrefix(`/`)",
      ],
      [
        "shop-router-route-product-catalog-route",
        "shop/route-product-catalog",
        "Host(`catalog.shop.example.com`) && PathPrefix(`/v2`)",
      ],
    ]);
  });
});

describe("PlatformServices routers across platforms", () => {
  it("a K3s route to a backend still on Compose goes through the bridge Service, on its published port", async () => {
    const { resources } = await evaluateFleet({ "platform-coordination": "k3s", orders: "k3s" }, [
      ordersRoute,
    ]);
    // The router is on K3s (where orders runs); the monolith is still on Compose.
    const weighted = find(resources, TRAEFIK_SERVICE, "shop-router-route-orders-service");
    expect((weighted.inputs.spec as { weighted: unknown }).weighted).toEqual({
      services: [
        { name: "orders", port: 8083, weight: 50 },
        { name: "modular-monolith", port: 8090, weight: 50 },
      ],
    });
    const bridge = find(
      resources,
      "kubernetes:core/v1:Service",
      "shop-k3s-modular-monolith-service",
    );
    // The bridge's kind follows the Compose host (ExternalName for a DNS name, as here; see the
    // platform tests). K3s's Traefik refuses ExternalName backends unless its CRD provider has
    // allowExternalNameServices, which is left to the cluster (reported with these tests).
    expect(bridge.inputs).toMatchObject({
      metadata: { name: "modular-monolith", namespace: "shop" },
      spec: {
        externalName: "docker-host.internal",
        ports: [{ name: "p8090", port: 8090, protocol: "TCP" }],
      },
    });
    expect(weighted.dependencies).toContain(bridge.urn);
    // No Kubernetes service depends on the monolith: the bridge exists for the router alone.
    expect(SERVICES.filter((s) => s.dependsOn?.includes("modular-monolith"))).toEqual([]);
  });

  it("without the route, the same placement has no bridge to the monolith", async () => {
    const { resources } = await evaluateFleet(
      { "platform-coordination": "k3s", orders: "k3s" },
      [],
    );
    expect(resources.map((r) => r.name)).not.toContain("shop-k3s-modular-monolith-service");
  });

  it("a Compose route to a backend on K3s reaches it on the node address, which exposes it", async () => {
    const { resources } = await evaluateFleet(
      { "platform-coordination": "k3s", "modular-monolith": "k3s" },
      [ordersRoute],
    );
    const file = parse(routesFile(resources)) as { http: { services: Record<string, unknown> } };
    expect(file.http.services.orders).toEqual(checkedServer("http://orders:8083"));
    expect(file.http.services["modular-monolith"]).toEqual(checkedServer("http://10.0.0.20:8090"));
    const service = find(
      resources,
      "kubernetes:core/v1:Service",
      "shop-k3s-modular-monolith-service",
    );
    expect((service.inputs.spec as { type: string; ports: unknown }).type).toBe("LoadBalancer");
    expect((service.inputs.spec as { ports: unknown }).ports).toEqual([
      { name: "http", port: 8090, targetPort: 8090, protocol: "TCP" },
    ]);
  });

  it("without the route, the monolith on K3s is not exposed", async () => {
    const { resources } = await evaluateFleet(
      { "platform-coordination": "k3s", "modular-monolith": "k3s" },
      [],
    );
    const service = find(
      resources,
      "kubernetes:core/v1:Service",
      "shop-k3s-modular-monolith-service",
    );
    expect((service.inputs.spec as { type: string }).type).toBe("ClusterIP");
  });
});

describe("PlatformServices routers' metrics reach Monitoring (system router)", () => {
  it("Compose router, Prometheus on Compose: the router's name on the Compose network", async () => {
    const { resources } = await evaluateFleet({}, [catalogRoute], "compose");
    expect(scrapeTargets(prometheusYml(resources, "compose"))["shop-router"]).toEqual([
      ["shop-router:8899"],
      "router",
    ]);
  });

  it("Compose router, Prometheus on K3s: the Docker host's published metrics port", async () => {
    const { resources } = await evaluateFleet(
      { "platform-coordination": "k3s" },
      [catalogRoute],
      "k3s",
    );
    expect(scrapeTargets(prometheusYml(resources, "k3s"))["shop-router"]).toEqual([
      ["docker-host.internal:8899"],
      "router",
    ]);
  });

  it("K3s router, Prometheus on K3s: K3s's Traefik metrics in the cluster", async () => {
    const { resources } = await evaluateFleet(
      { "platform-coordination": "k3s", "product-catalog": "k3s", "product-catalog-next": "k3s" },
      [catalogRoute],
      "k3s",
    );
    expect(scrapeTargets(prometheusYml(resources, "k3s"))["shop-router-k3s"]).toEqual([
      ["shop-router-metrics.kube-system.svc.cluster.local:9190"],
      "router",
    ]);
    // K3s's chart does not publish Traefik's metrics entry point (9100 in its pods): the router
    // does, inside the cluster only.
    expect(find(resources, K8S_SERVICE, "shop-router-metrics").inputs).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "shop-router-metrics", namespace: "kube-system" },
      spec: {
        type: "ClusterIP",
        selector: { "app.kubernetes.io/name": "traefik" },
        ports: [{ name: "metrics", port: 9190, targetPort: 9100 }],
      },
    });
  });

  it("K3s router, Prometheus on Compose: the metrics published on the node address", async () => {
    const { resources } = await evaluateFleet(
      { "platform-coordination": "k3s", "product-catalog": "k3s", "product-catalog-next": "k3s" },
      [catalogRoute],
      "compose",
    );
    // Not the cluster's DNS name, which a container on Compose cannot resolve.
    expect(scrapeTargets(prometheusYml(resources, "compose"))["shop-router-k3s"]).toEqual([
      ["10.0.0.20:9190"],
      "router",
    ]);
    const metrics = find(resources, K8S_SERVICE, "shop-router-metrics");
    expect((metrics.inputs.spec as { type: string }).type).toBe("LoadBalancer");
  });
});

describe("PlatformServices without routes", () => {
  it("declares no router on either platform and scrapes none", async () => {
    const { resources } = await evaluateFleet({ "platform-coordination": "k3s" }, [], "compose");
    expect(routerResources(resources)).toEqual([]);
    expect(resources.filter((r) => r.type.includes("traefik.io"))).toEqual([]);
    const systems = Object.values(scrapeTargets(prometheusYml(resources, "compose"))).map(
      ([, system]) => system,
    );
    expect(systems).not.toContain("router");
    expect(systems.length).toBeGreaterThan(0);
  });
});
