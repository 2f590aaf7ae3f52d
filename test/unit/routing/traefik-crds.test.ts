import { describe, expect, it } from "vitest";
import { type RouteSpec } from "../../../components/routing";
import { DEFAULT_FEATURE_FLAGS } from "../../../components/routing/route";
import { TRAEFIK_API_VERSION, traefikObjects } from "../../../components/routing/traefik-crds";

const flags = DEFAULT_FEATURE_FLAGS;

/** Service ports in the cluster (published ports: S-next's are 10,000 higher). */
const PORTS: Record<string, number> = {
  "product-catalog": 8082,
  "product-catalog-next": 18082,
  "modular-monolith": 8090,
};
const portOf = (service: string) => {
  const port = PORTS[service];
  if (port === undefined) throw new Error(`no port for ${service}`);
  return port;
};

const catalogAt = (oldWeight: number, newWeight: number): RouteSpec => ({
  name: "product-catalog",
  backends: [
    { implementation: "old", service: "product-catalog", weight: oldWeight },
    { implementation: "new", service: "product-catalog-next", weight: newWeight },
  ],
});

const HOST = "Host(`product-catalog`)";
const flagRule = (match: string, implementation: string) =>
  `${match} && (Header(\`X-Stepwise-Implementation\`, \`${implementation}\`) || HeaderRegexp(\`Cookie\`, \`(^|;\\s*)stepwise-implementation=${implementation}(;|$)\`))`;

/** The IngressRoute every case shares: the weighted rule into `entry`, one rule per flag. */
const ingressRoute = (entry: string, match = HOST, entryPoints = ["web"]) => ({
  kind: "IngressRoute",
  // Named like the weighted service, not the service: an ingress rule of K3sPlatform may
  // already hold IngressRoute <service> in the namespace.
  name: "route-product-catalog",
  spec: {
    entryPoints,
    routes: [
      {
        kind: "Rule",
        match,
        priority: 100,
        services: [{ name: entry, kind: "TraefikService" }],
      },
      {
        kind: "Rule",
        match: flagRule(match, "old"),
        priority: 200,
        services: [{ name: "product-catalog", port: 8082 }],
      },
      {
        kind: "Rule",
        match: flagRule(match, "new"),
        priority: 200,
        services: [{ name: "product-catalog-next", port: 18082 }],
      },
    ],
  },
});

describe("traefikObjects", () => {
  it("uses Traefik v3's CRD group", () => {
    expect(TRAEFIK_API_VERSION).toBe("traefik.io/v1alpha1");
  });

  it("75/25: a weighted TraefikService with the Services' ports, then the IngressRoute", () => {
    expect(traefikObjects(catalogAt(75, 25), flags, portOf)).toEqual([
      {
        kind: "TraefikService",
        name: "route-product-catalog",
        spec: {
          weighted: {
            services: [
              { name: "product-catalog", port: 8082, weight: 75 },
              { name: "product-catalog-next", port: 18082, weight: 25 },
            ],
          },
        },
      },
      ingressRoute("route-product-catalog"),
    ]);
  });

  it("100/0: the weight-0 implementation leaves the split but keeps its flag rule", () => {
    expect(traefikObjects(catalogAt(100, 0), flags, portOf)).toEqual([
      {
        kind: "TraefikService",
        name: "route-product-catalog",
        spec: { weighted: { services: [{ name: "product-catalog", port: 8082, weight: 100 }] } },
      },
      ingressRoute("route-product-catalog"),
    ]);
  });

  it("sticky: the weighted service sets a cookie named after the route", () => {
    expect(traefikObjects({ ...catalogAt(50, 50), sticky: true }, flags, portOf)[0]).toEqual({
      kind: "TraefikService",
      name: "route-product-catalog",
      spec: {
        weighted: {
          services: [
            { name: "product-catalog", port: 8082, weight: 50 },
            { name: "product-catalog-next", port: 18082, weight: 50 },
          ],
          sticky: { cookie: { name: "stepwise-product-catalog", httpOnly: true } },
        },
      },
    });
  });

  it("mirror: a mirroring TraefikService over the weighted one, and the route enters it", () => {
    const route: RouteSpec = {
      ...catalogAt(100, 0),
      mirror: { implementation: "new", percent: 20 },
    };
    expect(traefikObjects(route, flags, portOf)).toEqual([
      {
        kind: "TraefikService",
        name: "route-product-catalog",
        spec: { weighted: { services: [{ name: "product-catalog", port: 8082, weight: 100 }] } },
      },
      {
        kind: "TraefikService",
        name: "mirror-product-catalog",
        spec: {
          mirroring: {
            name: "route-product-catalog",
            kind: "TraefikService",
            mirrors: [{ name: "product-catalog-next", port: 18082, percent: 20 }],
          },
        },
      },
      ingressRoute("mirror-product-catalog"),
    ]);
  });

  it("host and path prefix reach every rule", () => {
    const route: RouteSpec = {
      ...catalogAt(75, 25),
      host: "catalog.shop.example.com",
      pathPrefix: "/v2",
    };
    const objects = traefikObjects(route, flags, portOf);
    expect(objects[1]).toEqual(
      ingressRoute(
        "route-product-catalog",
        "Host(`catalog.shop.example.com`) && PathPrefix(`/v2`)",
      ),
    );
  });

  it("entry points can be overridden (e.g. websecure) without touching the rules", () => {
    const objects = traefikObjects(catalogAt(75, 25), flags, portOf, ["websecure", "web"]);
    expect(objects[1]).toEqual(ingressRoute("route-product-catalog", HOST, ["websecure", "web"]));
  });

  it("a route's own entry points win over the router's", () => {
    const route: RouteSpec = { ...catalogAt(75, 25), entryPoints: ["websecure"] };
    expect(traefikObjects(route, flags, portOf, ["web"])[1]).toEqual(
      ingressRoute("route-product-catalog", HOST, ["websecure"]),
    );
  });

  it("a custom header and cookie reach the flag rules", () => {
    const objects = traefikObjects(catalogAt(75, 25), { header: "X-Impl", cookie: "impl" }, portOf);
    const spec = objects[1]?.spec as { routes: { match: string }[] };
    expect(spec.routes.map((r) => r.match)).toEqual([
      HOST,
      "Host(`product-catalog`) && (Header(`X-Impl`, `old`) || HeaderRegexp(`Cookie`, `(^|;\\s*)impl=old(;|$)`))",
      "Host(`product-catalog`) && (Header(`X-Impl`, `new`) || HeaderRegexp(`Cookie`, `(^|;\\s*)impl=new(;|$)`))",
    ]);
  });

  it("consolidation with an api canary: three implementations, weights in ten-thousandths", () => {
    const route: RouteSpec = {
      name: "product-catalog",
      backends: [
        { implementation: "old", service: "product-catalog", weight: 3750 },
        { implementation: "new", service: "product-catalog-next", weight: 3750 },
        { implementation: "monolith", service: "modular-monolith", weight: 2500 },
      ],
    };
    const [weighted, ingress] = traefikObjects(route, flags, portOf);
    expect(weighted?.spec).toEqual({
      weighted: {
        services: [
          { name: "product-catalog", port: 8082, weight: 3750 },
          { name: "product-catalog-next", port: 18082, weight: 3750 },
          { name: "modular-monolith", port: 8090, weight: 2500 },
        ],
      },
    });
    const rules = (ingress?.spec as { routes: { match: string; services: unknown }[] }).routes;
    expect(rules.at(-1)).toEqual({
      kind: "Rule",
      match: flagRule(HOST, "monolith"),
      priority: 200,
      services: [{ name: "modular-monolith", port: 8090 }],
    });
  });
});
