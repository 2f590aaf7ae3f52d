import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type RouteSpec } from "../../../components/routing";
import {
  configuredBackends,
  renderTraefikFile,
  routesInFileConfig,
  traefikFileConfig,
  traefikStaticArgs,
  type HealthCheckSettings,
} from "../../../components/routing/traefik-file";
import { DEFAULT_FEATURE_FLAGS } from "../../../components/routing/route";

const flags = DEFAULT_FEATURE_FLAGS;

/** Where the router reaches each backend, as the Compose router would say it. */
const URLS: Record<string, string> = {
  "product-catalog": "http://product-catalog:8082",
  "product-catalog-next": "http://product-catalog-next:8082",
  orders: "http://orders:8083",
  "modular-monolith": "http://modular-monolith:8090",
};
const urlOf = (service: string) => {
  const url = URLS[service];
  if (url === undefined) throw new Error(`no URL for ${service}`);
  return url;
};

const allHealthy: HealthCheckSettings = { pathOf: () => "/health" };

/** The rule of a feature-flag router, spelled out here rather than taken from route.ts. */
const flagRule = (match: string, implementation: string, header = flags.header) =>
  `${match} && (Header(\`${header}\`, \`${implementation}\`) || HeaderRegexp(\`Cookie\`, \`(^|;\\s*)stepwise-implementation=${implementation}(;|$)\`))`;

const catalogAt = (oldWeight: number, newWeight: number): RouteSpec => ({
  name: "product-catalog",
  backends: [
    { implementation: "old", service: "product-catalog", weight: oldWeight },
    { implementation: "new", service: "product-catalog-next", weight: newWeight },
  ],
});

const checked = (url: string, path = "/health", interval = "5s", timeout = "3s") => ({
  loadBalancer: { servers: [{ url }], healthCheck: { path, interval, timeout } },
});
const unchecked = (url: string) => ({ loadBalancer: { servers: [{ url }] } });

const HOST = "Host(`product-catalog`)";
const flagRouters = (match = HOST) => ({
  "product-catalog.old": {
    entryPoints: ["web"],
    rule: flagRule(match, "old"),
    priority: 200,
    service: "product-catalog",
  },
  "product-catalog.new": {
    entryPoints: ["web"],
    rule: flagRule(match, "new"),
    priority: 200,
    service: "product-catalog-next",
  },
});
const weightedRouter = (service: string, match = HOST) => ({
  "product-catalog": { entryPoints: ["web"], rule: match, priority: 100, service },
});

describe("traefikFileConfig", () => {
  it("75/25 with health checks on both: weighted service skips a backend marked down", () => {
    expect(traefikFileConfig([catalogAt(75, 25)], flags, urlOf, allHealthy)).toEqual({
      http: {
        routers: { ...flagRouters(), ...weightedRouter("route-product-catalog") },
        services: {
          "product-catalog": checked("http://product-catalog:8082"),
          "product-catalog-next": checked("http://product-catalog-next:8082"),
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
  });

  it("100/0: the weight-0 backend leaves the split but keeps its flag router and service", () => {
    const config = traefikFileConfig([catalogAt(100, 0)], flags, urlOf, allHealthy);
    expect(config).toEqual({
      http: {
        routers: { ...flagRouters(), ...weightedRouter("route-product-catalog") },
        services: {
          "product-catalog": checked("http://product-catalog:8082"),
          "product-catalog-next": checked("http://product-catalog-next:8082"),
          "route-product-catalog": {
            weighted: { services: [{ name: "product-catalog", weight: 100 }], healthCheck: {} },
          },
        },
      },
    });
  });

  it("0/100: the old implementation answers only requests flagged old", () => {
    const { http } = traefikFileConfig([catalogAt(0, 100)], flags, urlOf, allHealthy) as {
      http: { routers: Record<string, unknown>; services: Record<string, unknown> };
    };
    expect(http.services["route-product-catalog"]).toEqual({
      weighted: { services: [{ name: "product-catalog-next", weight: 100 }], healthCheck: {} },
    });
    expect(http.routers["product-catalog.old"]).toEqual(flagRouters()["product-catalog.old"]);
  });

  it("sticky: a cookie named after the route keeps a client on one implementation", () => {
    const config = traefikFileConfig([{ ...catalogAt(50, 50), sticky: true }], flags, urlOf);
    expect(config).toEqual({
      http: {
        routers: { ...flagRouters(), ...weightedRouter("route-product-catalog") },
        services: {
          "product-catalog": unchecked("http://product-catalog:8082"),
          "product-catalog-next": unchecked("http://product-catalog-next:8082"),
          "route-product-catalog": {
            weighted: {
              services: [
                { name: "product-catalog", weight: 50 },
                { name: "product-catalog-next", weight: 50 },
              ],
              sticky: { cookie: { name: "stepwise-product-catalog", httpOnly: true } },
            },
          },
        },
      },
    });
  });

  it("mirror: the route's router enters a mirroring service that wraps the weighted one", () => {
    const route: RouteSpec = {
      ...catalogAt(100, 0),
      mirror: { implementation: "new", percent: 10 },
    };
    expect(traefikFileConfig([route], flags, urlOf, allHealthy)).toEqual({
      http: {
        routers: { ...flagRouters(), ...weightedRouter("mirror-product-catalog") },
        services: {
          "product-catalog": checked("http://product-catalog:8082"),
          "product-catalog-next": checked("http://product-catalog-next:8082"),
          "route-product-catalog": {
            weighted: { services: [{ name: "product-catalog", weight: 100 }], healthCheck: {} },
          },
          "mirror-product-catalog": {
            mirroring: {
              service: "route-product-catalog",
              mirrors: [{ name: "product-catalog-next", percent: 10 }],
            },
          },
        },
      },
    });
  });

  it("host and path prefix reach the route's rule and every flag rule", () => {
    const route: RouteSpec = {
      ...catalogAt(75, 25),
      host: "product-catalog.shop.example.com",
      pathPrefix: "/v2",
    };
    const match = "Host(`product-catalog.shop.example.com`) && PathPrefix(`/v2`)";
    const config = traefikFileConfig([route], flags, urlOf, allHealthy) as {
      http: { routers: unknown };
    };
    expect(config.http.routers).toEqual({
      ...flagRouters(match),
      ...weightedRouter("route-product-catalog", match),
    });
  });

  it("a custom flag header reaches the flag routers", () => {
    const config = traefikFileConfig(
      [catalogAt(75, 25)],
      { header: "X-Impl", cookie: flags.cookie },
      urlOf,
    ) as { http: { routers: Record<string, { rule: string }> } };
    expect(config.http.routers["product-catalog.new"]?.rule).toBe(flagRule(HOST, "new", "X-Impl"));
  });

  it("a splitting backend without a health check: no healthCheck on the weighted service", () => {
    const health: HealthCheckSettings = {
      pathOf: (s) => (s === "product-catalog-next" ? undefined : "/ready"),
      interval: "2s",
      timeout: "1s",
    };
    expect(traefikFileConfig([catalogAt(75, 25)], flags, urlOf, health)).toEqual({
      http: {
        routers: { ...flagRouters(), ...weightedRouter("route-product-catalog") },
        services: {
          "product-catalog": checked("http://product-catalog:8082", "/ready", "2s", "1s"),
          "product-catalog-next": unchecked("http://product-catalog-next:8082"),
          "route-product-catalog": {
            weighted: {
              services: [
                { name: "product-catalog", weight: 75 },
                { name: "product-catalog-next", weight: 25 },
              ],
            },
          },
        },
      },
    });
  });

  it("an unchecked backend at weight 0 is not in the split, so the split still checks health", () => {
    const health: HealthCheckSettings = {
      pathOf: (s) => (s === "product-catalog-next" ? undefined : "/health"),
    };
    const config = traefikFileConfig([catalogAt(100, 0)], flags, urlOf, health) as {
      http: { services: Record<string, unknown> };
    };
    expect(config.http.services["route-product-catalog"]).toEqual({
      weighted: { services: [{ name: "product-catalog", weight: 100 }], healthCheck: {} },
    });
    expect(config.http.services["product-catalog-next"]).toEqual(
      unchecked("http://product-catalog-next:8082"),
    );
  });

  it("no health settings: no health check anywhere", () => {
    const config = traefikFileConfig([catalogAt(75, 25)], flags, urlOf);
    expect(JSON.stringify(config)).not.toContain("healthCheck");
  });

  it("two routes sharing the monolith: one service for it, one set of routers per route", () => {
    const orders: RouteSpec = {
      name: "orders",
      backends: [
        { implementation: "old", service: "orders", weight: 25 },
        { implementation: "new", service: "modular-monolith", weight: 75 },
      ],
    };
    const catalog: RouteSpec = {
      name: "product-catalog",
      backends: [
        { implementation: "old", service: "product-catalog", weight: 100 },
        { implementation: "new", service: "modular-monolith", weight: 0 },
      ],
    };
    const config = traefikFileConfig([orders, catalog], flags, urlOf, allHealthy) as {
      http: { routers: Record<string, { service: string }>; services: Record<string, unknown> };
    };
    expect(Object.keys(config.http.services).sort()).toEqual([
      "modular-monolith",
      "orders",
      "product-catalog",
      "route-orders",
      "route-product-catalog",
    ]);
    expect(
      Object.fromEntries(Object.entries(config.http.routers).map(([k, v]) => [k, v.service])),
    ).toEqual({
      "orders.old": "orders",
      "orders.new": "modular-monolith",
      orders: "route-orders",
      "product-catalog.old": "product-catalog",
      "product-catalog.new": "modular-monolith",
      "product-catalog": "route-product-catalog",
    });
    expect(config.http.services["modular-monolith"]).toEqual(
      checked("http://modular-monolith:8090"),
    );
  });
});

describe("renderTraefikFile and routesInFileConfig", () => {
  const routes: RouteSpec[] = [
    { ...catalogAt(75, 25), mirror: { implementation: "new", percent: 50 }, sticky: true },
    {
      name: "orders",
      backends: [
        { implementation: "old", service: "orders", weight: 3750 },
        { implementation: "monolith", service: "modular-monolith", weight: 6250 },
      ],
    },
  ];

  it("the YAML says who wrote it and parses back to the same configuration", () => {
    const config = traefikFileConfig(routes, flags, urlOf, allHealthy);
    const text = renderTraefikFile(config);
    expect(text.split("\n")[0]).toBe(
      "# Written by stepwise: the routes and their weights. Edit the stack, not this file.",
    );
    expect(parse(text)).toEqual(config);
  });

  it("reads back each route's weights, and nothing from the other services", () => {
    const text = renderTraefikFile(traefikFileConfig(routes, flags, urlOf, allHealthy));
    expect([...routesInFileConfig(text)]).toEqual([
      [
        "product-catalog",
        [
          { service: "product-catalog", weight: 75 },
          { service: "product-catalog-next", weight: 25 },
        ],
      ],
      [
        "orders",
        [
          { service: "orders", weight: 3750 },
          { service: "modular-monolith", weight: 6250 },
        ],
      ],
    ]);
  });

  it("a weight-0 backend is absent from what the router will do", () => {
    const text = renderTraefikFile(traefikFileConfig([catalogAt(100, 0)], flags, urlOf));
    expect(routesInFileConfig(text).get("product-catalog")).toEqual([
      { service: "product-catalog", weight: 100 },
    ]);
  });

  it("an empty or non-route file holds no routes; text that is not YAML throws", () => {
    expect(routesInFileConfig("")).toEqual(new Map());
    expect(routesInFileConfig("http:\n  services:\n    orders:\n      loadBalancer: {}\n")).toEqual(
      new Map(),
    );
    expect(() => routesInFileConfig("http: [unclosed")).toThrow();
  });

  it("configuredBackends: Traefik's default weight is 1; entries without a name are skipped", () => {
    expect(
      configuredBackends([{ name: "a" }, { name: "b", weight: 3 }, { weight: 2 }, null]),
    ).toEqual([
      { service: "a", weight: 1 },
      { service: "b", weight: 3 },
    ]);
  });
});

describe("traefikStaticArgs", () => {
  it("entry points, file provider watching the folder, metrics and ping, no calls home", () => {
    expect(
      traefikStaticArgs({ port: 80, metricsPort: 18082, configDirectory: "/etc/traefik/dynamic" }),
    ).toEqual([
      "--entryPoints.web.address=:80",
      "--entryPoints.metrics.address=:18082",
      "--providers.file.directory=/etc/traefik/dynamic",
      "--providers.file.watch=true",
      "--metrics.prometheus=true",
      "--metrics.prometheus.entryPoint=metrics",
      "--metrics.prometheus.addServicesLabels=true",
      "--ping=true",
      "--ping.entryPoint=metrics",
      "--global.checkNewVersion=false",
      "--global.sendAnonymousUsage=false",
    ]);
  });

  it("with a bind address and the read-only API", () => {
    expect(
      traefikStaticArgs({
        port: 38080,
        metricsPort: 38081,
        apiPort: 38082,
        configDirectory: "/tmp/routes",
        bindAddress: "127.0.0.1",
      }),
    ).toEqual([
      "--entryPoints.web.address=127.0.0.1:38080",
      "--entryPoints.metrics.address=127.0.0.1:38081",
      "--providers.file.directory=/tmp/routes",
      "--providers.file.watch=true",
      "--metrics.prometheus=true",
      "--metrics.prometheus.entryPoint=metrics",
      "--metrics.prometheus.addServicesLabels=true",
      "--ping=true",
      "--ping.entryPoint=metrics",
      "--global.checkNewVersion=false",
      "--global.sendAnonymousUsage=false",
      "--entryPoints.traefik.address=127.0.0.1:38082",
      "--api=true",
      "--api.insecure=true",
      "--api.dashboard=false",
    ]);
  });
});

describe("traefikFileConfig: health checks on their own port, empty paths", () => {
  it("checks a backend on its health check's port when it is not the traffic port", () => {
    const config = traefikFileConfig([catalogAt(75, 25)], flags, urlOf, {
      pathOf: () => "/health",
      portOf: (service) => (service === "product-catalog-next" ? 9901 : undefined),
    }) as { http: { services: Record<string, unknown> } };
    expect(config.http.services["product-catalog-next"]).toEqual({
      loadBalancer: {
        servers: [{ url: "http://product-catalog-next:8082" }],
        healthCheck: { path: "/health", port: 9901, interval: "5s", timeout: "3s" },
      },
    });
    expect(config.http.services["product-catalog"]).toEqual(checked("http://product-catalog:8082"));
  });

  it("treats an empty health path as none: the split then skips no backend", () => {
    const config = traefikFileConfig([catalogAt(50, 50)], flags, urlOf, {
      pathOf: (service) => (service === "product-catalog" ? "" : "/health"),
    }) as { http: { services: Record<string, { weighted?: Record<string, unknown> }> } };
    expect(config.http.services["product-catalog"]).toEqual(
      unchecked("http://product-catalog:8082"),
    );
    expect(config.http.services["route-product-catalog"]?.weighted).not.toHaveProperty(
      "healthCheck",
    );
  });
});
