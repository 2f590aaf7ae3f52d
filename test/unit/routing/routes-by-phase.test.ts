import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type RouteSpec } from "../../../components/routing";
import { routeProblems, routeShares } from "../../../components/routing/route";
import { StackConfigError, type StackConfig } from "../../../migrations";
import { MONOLITH_SERVICE, planTopology, type Topology } from "../../../migrations/program";
import type { RegisteredResource } from "../../../tools/evaluate";
import { BASELINE, configWith as baseConfigWith, evaluateStack } from "../program/support";
import { SEED_COORDINATION, SEED_SERVICES } from "../../support/seed-platform";

const CATALOG_NEXT_IMAGE = "firstviscount/product-catalog-gin:0.9.0";
const MONOLITH_IMAGE = "firstviscount/modular-monolith:1.0.0";

/** The stack config with the catalog's new image and the monolith's image set, weights at 0. */
function configWith(
  change: Record<string, unknown>,
  phases: Partial<typeof BASELINE> = {},
): StackConfig {
  return baseConfigWith(
    {
      apiImages: { "product-catalog": CATALOG_NEXT_IMAGE },
      apiWeights: { "product-catalog": 0 },
      monolithImage: MONOLITH_IMAGE,
      ...change,
    },
    phases,
  );
}

const both = <T>(value: T) => ({ compose: value, k3s: value });
const engines = {
  addresses: { redpanda: both("redpanda-0:9092"), kafka: both("kafka-0:9092") },
  databaseUrls: { postgres: both("postgresql://pg-url") },
  coordinationService: SEED_COORDINATION,
};

/** A service of neither path: no new image, so the consolidation phases alone decide. */
const NO_API = { apiImages: {}, apiWeights: {} };

function routesAt(
  change: Record<string, unknown>,
  phases: Partial<typeof BASELINE>,
): readonly RouteSpec[] {
  return checkedRoutes(planTopology(configWith(change, phases), SEED_SERVICES, engines));
}

/**
 * The api path at `api` and consolidation at monolith-parallel together. The stack config
 * refuses that (only one of the two paths may leave its baseline), but routesFor is written for
 * it, so it is built past the parser: the api phase's config, with consolidation moved on.
 */
function combinedRoutes(
  api: string,
  apiWeights: Record<string, number>,
  monolithWeights: Record<string, number>,
): readonly RouteSpec[] {
  const config = configWith({ apiWeights }, { api });
  const combined: StackConfig = {
    ...config,
    phases: { ...config.phases, consolidation: "monolith-parallel" },
    monolithWeights,
  };
  return checkedRoutes(planTopology(combined, SEED_SERVICES, engines));
}

function checkedRoutes(topology: Topology): readonly RouteSpec[] {
  // Whatever the phase, the routes must be renderable and only point at services that run.
  expect(routeProblems(topology.routes, { header: "X-H", cookie: "c" })).toEqual([]);
  const running = new Set(topology.services.map((s) => s.name));
  for (const route of topology.routes) {
    for (const backend of route.backends) expect(running.has(backend.service)).toBe(true);
  }
  return topology.routes;
}

const b = (implementation: string, service: string, weight: number) => ({
  implementation,
  service,
  weight,
});

describe("routes of the api phases (product-catalog moving to a new implementation)", () => {
  it("old: no route, clients reach product-catalog directly", () => {
    expect(routesAt({}, { api: "old" })).toEqual([]);
  });

  it.each([0, 25, 50, 75, 100])("canary at %i percent: old and new split by that weight", (w) => {
    expect(routesAt({ apiWeights: { "product-catalog": w } }, { api: "canary" })).toEqual([
      {
        name: "product-catalog",
        backends: [b("old", "product-catalog", 100 - w), b("new", "product-catalog-next", w)],
      },
    ]);
  });

  it("canary without a weight for the service: the stack config asks for one", () => {
    expect(() => configWith({ apiWeights: {} }, { api: "canary" })).toThrow(
      'stepwise:apiWeights.product-catalog is missing: api phase "canary" needs a weight from 0 to 100 for product-catalog',
    );
  });

  it("new: all requests to the new implementation, the old one still reachable by flag", () => {
    // The canary weight is ignored: the phase fixes 100.
    expect(routesAt({ apiWeights: { "product-catalog": 25 } }, { api: "new" })).toEqual([
      {
        name: "product-catalog",
        backends: [b("old", "product-catalog", 0), b("new", "product-catalog-next", 100)],
      },
    ]);
  });

  it("old-retired: the route keeps the service's name, the new implementation alone behind it", () => {
    expect(routesAt({}, { api: "old-retired" })).toEqual([
      { name: "product-catalog", backends: [b("new", "product-catalog-next", 100)] },
    ]);
  });

  it("services without a new image get no route in any api phase", () => {
    for (const api of ["old", "canary", "new", "old-retired"]) {
      expect(routesAt({}, { api }).map((r) => r.name)).toEqual(
        api === "old" ? [] : ["product-catalog"],
      );
    }
  });
});

describe("routes of the consolidation phases (the monolith absorbing the services)", () => {
  const absorbed = ["inventory", "orders", "product-catalog"];
  const noApi = NO_API;

  it("microservices: no monolith, no routes", () => {
    expect(routesAt(noApi, { consolidation: "microservices" })).toEqual([]);
  });

  it("monolith-parallel without weights: each absorbed service keeps all of its requests", () => {
    expect(routesAt(noApi, { consolidation: "monolith-parallel" })).toEqual(
      absorbed.map((name) => ({
        name,
        backends: [b("old", name, 100), b("new", MONOLITH_SERVICE, 0)],
      })),
    );
  });

  it("monolith-parallel with monolithWeights: per service, its share moves to the monolith", () => {
    const routes = routesAt(
      { ...noApi, monolithWeights: { orders: 75, inventory: 25 } },
      { consolidation: "monolith-parallel" },
    );
    expect(routes).toEqual([
      { name: "inventory", backends: [b("old", "inventory", 75), b("new", MONOLITH_SERVICE, 25)] },
      { name: "orders", backends: [b("old", "orders", 25), b("new", MONOLITH_SERVICE, 75)] },
      {
        name: "product-catalog",
        backends: [b("old", "product-catalog", 100), b("new", MONOLITH_SERVICE, 0)],
      },
    ]);
  });

  it("modular-monolith: the monolith serves all, the services (at 0 replicas) only by flag", () => {
    expect(routesAt(noApi, { consolidation: "modular-monolith" })).toEqual(
      absorbed.map((name) => ({
        name,
        backends: [b("old", name, 0), b("new", MONOLITH_SERVICE, 100)],
      })),
    );
  });

  it("services-retired: the routes keep the services' names, the monolith alone behind them", () => {
    expect(routesAt(noApi, { consolidation: "services-retired" })).toEqual(
      absorbed.map((name) => ({ name, backends: [b("new", MONOLITH_SERVICE, 100)] })),
    );
  });
});

describe("routes when the api canary and the monolith share a service", () => {
  it("canary 25 % inside monolith-parallel 50 %: ten-thousandths keep both splits exact", () => {
    const routes = combinedRoutes("canary", { "product-catalog": 25 }, { "product-catalog": 50 });
    const catalog = routes.find((r) => r.name === "product-catalog");
    // The service's own 50 % split 75/25 between its implementations: 37.5 % and 12.5 %.
    expect(catalog?.backends).toEqual([
      b("old", "product-catalog", 3750),
      b("new", "product-catalog-next", 1250),
      b("monolith", MONOLITH_SERVICE, 5000),
    ]);
    expect([...routeShares(catalog?.backends ?? [])]).toEqual([
      ["product-catalog", 37.5],
      ["product-catalog-next", 12.5],
      [MONOLITH_SERVICE, 50],
    ]);
    // The other absorbed services have one implementation: plain percents.
    expect(routes.find((r) => r.name === "orders")?.backends).toEqual([
      b("old", "orders", 100),
      b("new", MONOLITH_SERVICE, 0),
    ]);
  });

  it.each([
    [0, 0, [10_000, 0, 0]],
    [100, 0, [0, 10_000, 0]],
    [50, 100, [0, 0, 10_000]],
    [75, 25, [1875, 5625, 2500]],
  ])(
    "canary %i percent with the monolith at %i percent: weights %j",
    (apiWeight, monolithWeight, weights) => {
      const routes = combinedRoutes(
        "canary",
        { "product-catalog": apiWeight },
        { "product-catalog": monolithWeight },
      );
      expect(
        routes.find((r) => r.name === "product-catalog")?.backends.map((x) => x.weight),
      ).toEqual(weights);
    },
  );

  it("old-retired inside monolith-parallel: the new implementation and the monolith have distinct flag values", () => {
    const routes = combinedRoutes("old-retired", {}, { "product-catalog": 25 });
    expect(routes.find((r) => r.name === "product-catalog")?.backends).toEqual([
      b("new", "product-catalog-next", 75),
      b("monolith", MONOLITH_SERVICE, 25),
    ]);
  });
});

describe("stepwise:routing settings", () => {
  it("domain: each route answers <service>.<domain>", () => {
    const routes = routesAt(
      { ...NO_API, routing: { domain: "shop.example.com" } },
      { consolidation: "monolith-parallel" },
    );
    expect(routes.map((r) => [r.name, r.host])).toEqual([
      ["inventory", "inventory.shop.example.com"],
      ["orders", "orders.shop.example.com"],
      ["product-catalog", "product-catalog.shop.example.com"],
    ]);
  });

  it("no domain: no host (the route's name is its host)", () => {
    const routes = routesAt({}, { api: "canary" });
    expect(routes[0]).not.toHaveProperty("host");
  });

  it("sticky: only the listed services' routes keep clients on one implementation", () => {
    const routes = routesAt(
      { ...NO_API, routing: { sticky: ["orders", "platform-coordination"] } },
      { consolidation: "monolith-parallel" },
    );
    expect(routes.map((r) => [r.name, r.sticky])).toEqual([
      ["inventory", undefined],
      ["orders", true],
      ["product-catalog", undefined],
    ]);
  });

  it("mirror: copies of requests go to the implementation that is not the old one (the monolith)", () => {
    const routes = routesAt(
      { ...NO_API, routing: { mirror: { "product-catalog": 10, orders: 5, inventory: 100 } } },
      { consolidation: "monolith-parallel" },
    );
    expect(routes.map((r) => [r.name, r.mirror])).toEqual([
      ["inventory", { implementation: "new", percent: 100 }],
      ["orders", { implementation: "new", percent: 5 }],
      ["product-catalog", { implementation: "new", percent: 10 }],
    ]);
  });

  it("mirror of a service without a route: nothing to mirror", () => {
    expect(routesAt({ routing: { mirror: { orders: 10 } } }, { api: "canary" })).toEqual([
      {
        name: "product-catalog",
        backends: [b("old", "product-catalog", 100), b("new", "product-catalog-next", 0)],
      },
    ]);
  });

  // Traefik's mirroring copies requests on top of the weighted service, which may itself have
  // sent the request to the mirrored implementation: once that implementation has a weight, a
  // kept mirror makes it process requests twice (a POST twice). route.ts documents mirroring
  // as shadow traffic "for a new implementation still at weight 0"; the stack key outlives the
  // phase, so the routes must stop mirroring when the weight moves.
  it.each<[string, Record<string, unknown>, Partial<typeof BASELINE>]>([
    ["canary at 25 %", { apiWeights: { "product-catalog": 25 } }, { api: "canary" }],
    ["new", {}, { api: "new" }],
    ["old-retired", {}, { api: "old-retired" }],
    ["modular-monolith", NO_API, { consolidation: "modular-monolith" }],
  ])(
    "mirror at %s: no request reaches the mirrored implementation twice",
    (_case, change, phases) => {
      const routes = routesAt(
        { ...change, routing: { mirror: { "product-catalog": 10 } } },
        phases,
      );
      const catalog = routes.find((r) => r.name === "product-catalog");
      const mirrored = catalog?.backends.find(
        (x) => x.implementation === catalog.mirror?.implementation,
      );
      expect(catalog?.mirror === undefined ? 0 : mirrored?.weight).toBe(0);
    },
  );

  it("mirror at canary 0 %: the new implementation gets shadow traffic only", () => {
    const routes = routesAt({ routing: { mirror: { "product-catalog": 10 } } }, { api: "canary" });
    expect(routes[0]?.mirror).toEqual({ implementation: "new", percent: 10 });
    expect(routes[0]?.backends.find((x) => x.implementation === "new")?.weight).toBe(0);
  });
});

describe("stepwise:routing refusals", () => {
  const SERVICE_LIST =
    "platform-coordination, product-catalog, orders, inventory, modular-monolith";

  it.each<[string, unknown, string[]]>([
    [
      "a header name with a space",
      { flagHeader: "X Impl" },
      [`stepwise:routing.flagHeader = "X Impl": must be a header name: letters, digits and '-'`],
    ],
    [
      "a header name that is not text",
      { flagHeader: 5 },
      ["stepwise:routing.flagHeader = 5: must be a header name"],
    ],
    [
      "a cookie name with '='",
      { flagCookie: "impl=1" },
      [
        `stepwise:routing.flagCookie = "impl=1": must be a cookie name: letters, digits, '_' and '-'`,
      ],
    ],
    [
      "a domain with capitals",
      { domain: "Shop.Example.com" },
      [
        `stepwise:routing.domain = "Shop.Example.com": must be a DNS domain such as "shop.example.com"`,
      ],
    ],
    [
      "a domain with a scheme",
      { domain: "https://shop.example.com" },
      [
        `stepwise:routing.domain = "https://shop.example.com": must be a DNS domain such as "shop.example.com"`,
      ],
    ],
    [
      "a sticky service that does not exist",
      { sticky: ["catalog"] },
      [`stepwise:routing.sticky.0 = "catalog": must be one of ${SERVICE_LIST}`],
    ],
    [
      "sticky as one name instead of a list",
      { sticky: "orders" },
      [`stepwise:routing.sticky = "orders": must be a list of services`],
    ],
    [
      "a mirror of 0 percent",
      { mirror: { orders: 0 } },
      ["stepwise:routing.mirror.orders = 0: must be a whole percent from 1 to 100"],
    ],
    [
      "a mirror above 100 percent",
      { mirror: { orders: 150 } },
      ["stepwise:routing.mirror.orders = 150: must be a whole percent from 1 to 100"],
    ],
    [
      "a mirror of an unknown service",
      { mirror: { catalog: 5 } },
      [`stepwise:routing.mirror.catalog: unknown service; valid services are ${SERVICE_LIST}`],
    ],
    [
      "an unknown setting",
      { weights: { orders: 5 } },
      [
        "stepwise:routing.weights: unknown setting; valid settings are flagHeader, flagCookie, domain, sticky, mirror",
      ],
    ],
    [
      "routing that is not a map",
      "sticky",
      [`stepwise:routing = "sticky": must be a map of routing settings`],
    ],
  ])("refuses %s, naming the key, the value and what is allowed", (_case, routing, expected) => {
    let error: unknown;
    try {
      configWith({ routing });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems).toEqual(expected);
  });

  // Traefik's mirror percent is an integer: a real Traefik v3.6.12 refuses a file holding
  // `percent: 2.5` as a whole ("strconv.ParseInt: parsing \"2.500000\": invalid syntax"), so
  // every route of the router goes down. The stack config must refuse it up front.
  it("refuses a fractional mirror percent, which Traefik cannot parse", () => {
    expect(() => configWith({ routing: { mirror: { "product-catalog": 2.5 } } })).toThrow(
      new StackConfigError([
        "stepwise:routing.mirror.product-catalog = 2.5: must be a whole percent from 1 to 100",
      ]),
    );
  });

  it("accepts every setting at once and fills in the defaults when routing is left out", () => {
    expect(
      configWith({
        routing: {
          flagHeader: "X-Impl",
          flagCookie: "impl_2",
          domain: "shop.example.com",
          sticky: ["orders"],
          mirror: { "product-catalog": 100 },
        },
      }).routing,
    ).toEqual({
      flagHeader: "X-Impl",
      flagCookie: "impl_2",
      domain: "shop.example.com",
      sticky: ["orders"],
      mirror: { "product-catalog": 100 },
    });
    expect(configWith({}).routing).toEqual({
      flagHeader: "X-Stepwise-Implementation",
      flagCookie: "stepwise-implementation",
      domain: undefined,
      sticky: [],
      mirror: {},
    });
  });
});

describe("stepwise:routing flags reach the routers the program declares", () => {
  const flags = { flagHeader: "X-Impl", flagCookie: "impl" };
  const rule = (implementation: string) =>
    `Host(\`product-catalog\`) && (Header(\`X-Impl\`, \`${implementation}\`) || HeaderRegexp(\`Cookie\`, \`(^|;\\s*)impl=${implementation}(;|$)\`))`;
  const find = (resources: readonly RegisteredResource[], type: string, name: string) => {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} ${name}`);
    return found;
  };

  it("on K3s (dev: product-catalog on K3s): the IngressRoute's flag rules", async () => {
    const { resources } = await evaluateStack("dev", { routing: flags });
    const ingress = find(
      resources,
      "kubernetes:traefik.io/v1alpha1:IngressRoute",
      "platform-router-route-product-catalog-route",
    );
    expect(
      (ingress.inputs.spec as { routes: { match: string }[] }).routes.map((r) => r.match),
    ).toEqual(["Host(`product-catalog`)", rule("old"), rule("new")]);
  });

  it("on Compose (dev with product-catalog left on Compose): the routes file's flag routers", async () => {
    const { resources } = await evaluateStack("dev", {
      routing: flags,
      placement: { "platform-coordination": "k3s" },
    });
    const writer = find(resources, "docker:index/container:Container", "platform-router-config");
    const env = (writer.inputs.envs as string[]).find((e) => e.startsWith("STEPWISE_ROUTES="));
    const file = parse(env?.slice("STEPWISE_ROUTES=".length) ?? "") as {
      http: { routers: Record<string, { rule: string }> };
    };
    expect(
      Object.fromEntries(Object.entries(file.http.routers).map(([k, v]) => [k, v.rule])),
    ).toEqual({
      "product-catalog.old": rule("old"),
      "product-catalog.new": rule("new"),
      "product-catalog": "Host(`product-catalog`)",
    });
  });
});
