import { describe, expect, it } from "vitest";
import { type FeatureFlags, type RouteSpec } from "../../../components/routing";
import {
  DEFAULT_FEATURE_FLAGS,
  flagMatch,
  routeMatch,
  routeProblems,
  routeShares,
  validateRoutes,
} from "../../../components/routing/route";

const flags = DEFAULT_FEATURE_FLAGS;
const WHOLE_WEIGHT = "must be a whole number of 0 or more (Traefik's weights are integers)";

/** A valid two-implementation route; each case below breaks one thing of it. */
const catalog: RouteSpec = {
  name: "product-catalog",
  backends: [
    { implementation: "old", service: "product-catalog", weight: 75 },
    { implementation: "new", service: "product-catalog-next", weight: 25 },
  ],
};

type BackendChange = Partial<RouteSpec["backends"][number]>;

function withBackendOf(route: RouteSpec, index: number, change: BackendChange): RouteSpec {
  return {
    ...route,
    backends: route.backends.map((b, i) => (i === index ? { ...b, ...change } : b)),
  };
}

const withBackend = (index: number, change: BackendChange) => withBackendOf(catalog, index, change);

describe("routeProblems", () => {
  it("accepts good routes, with every optional field, under the default and custom flags", () => {
    const full: RouteSpec = {
      ...catalog,
      host: "product-catalog.shop.example.com",
      pathPrefix: "/api/v1.2_x~y",
      sticky: true,
      mirror: { implementation: "new", percent: 100 },
    };
    const orders: RouteSpec = {
      name: "orders",
      backends: [
        { implementation: "old", service: "orders", weight: 0 },
        { implementation: "monolith", service: "modular-monolith", weight: 1 },
      ],
    };
    expect(routeProblems([catalog, orders], flags)).toEqual([]);
    expect(routeProblems([full], flags)).toEqual([]);
    expect(routeProblems([], { header: "X-Impl-2", cookie: "impl_2-x" })).toEqual([]);
    expect(() => validateRoutes([full, orders], flags)).not.toThrow();
  });

  it.each<[string, readonly RouteSpec[], FeatureFlags, string[]]>([
    [
      "a flag header with a space",
      [catalog],
      { ...flags, header: "X Impl" },
      [`feature flag header = "X Impl": must be a header name (letters, digits and '-')`],
    ],
    [
      "a flag cookie with '='",
      [catalog],
      { ...flags, cookie: "impl=1" },
      [`feature flag cookie = "impl=1": must be a cookie name (letters, digits, '_' and '-')`],
    ],
    [
      "a route name in capitals",
      [{ ...catalog, name: "Catalog" }],
      flags,
      [`route "Catalog": name must be a DNS label (lowercase letters, digits and '-')`],
    ],
    [
      "a route name ending in '-'",
      [{ ...catalog, name: "catalog-" }],
      flags,
      [`route "catalog-": name must be a DNS label (lowercase letters, digits and '-')`],
    ],
    [
      "the same route twice",
      [catalog, { ...catalog, backends: catalog.backends.slice(0, 1) }],
      flags,
      [`route "product-catalog": declared twice; give each route one spec`],
    ],
    [
      "a host with a backtick (it would end the rule's string)",
      [{ ...catalog, host: "shop`x" }],
      flags,
      [
        `route "product-catalog": host = "shop\`x": must be a host name (letters, digits, '.' and '-')`,
      ],
    ],
    [
      "a path prefix without its leading '/'",
      [{ ...catalog, pathPrefix: "api" }],
      flags,
      [
        `route "product-catalog": pathPrefix = "api": must start with '/' and hold only URL path characters`,
      ],
    ],
    [
      "a path prefix with a space",
      [{ ...catalog, pathPrefix: "/a b" }],
      flags,
      [
        `route "product-catalog": pathPrefix = "/a b": must start with '/' and hold only URL path characters`,
      ],
    ],
    [
      "no backends",
      [{ ...catalog, backends: [] }],
      flags,
      [`route "product-catalog": backends = []: give at least one implementation`],
    ],
    [
      "an implementation that is not a DNS label",
      [withBackend(1, { implementation: "New" })],
      flags,
      [
        `route "product-catalog" backend "New": implementation must be a DNS label, it is a feature-flag value`,
      ],
    ],
    [
      "two backends with one implementation name",
      [withBackend(1, { implementation: "old" })],
      flags,
      [
        `route "product-catalog" backend "old": implementation named twice; each backend needs its own`,
      ],
    ],
    [
      "a backend service that is not a service name",
      [withBackend(1, { service: "catalog_next" })],
      flags,
      [`route "product-catalog" backend "new": service = "catalog_next": must be a service name`],
    ],
    [
      "a negative weight",
      [withBackend(0, { weight: -25 })],
      flags,
      [`route "product-catalog" backend "old": weight = -25: ${WHOLE_WEIGHT}`],
    ],
    [
      "a weight that is not a number",
      [withBackend(0, { weight: Number.NaN })],
      flags,
      [`route "product-catalog" backend "old": weight = NaN: ${WHOLE_WEIGHT}`],
    ],
    [
      "every weight 0",
      [withBackendOf(withBackend(0, { weight: 0 }), 1, { weight: 0 })],
      flags,
      [`route "product-catalog": every backend has weight 0; give at least one a positive weight`],
    ],
    [
      "a mirror to an implementation the route does not have",
      [{ ...catalog, mirror: { implementation: "next", percent: 10 } }],
      flags,
      [
        `route "product-catalog": mirror.implementation = "next": no such backend; use one of ["old","new"]`,
      ],
    ],
    [
      "a mirror of 0 percent",
      [{ ...catalog, mirror: { implementation: "new", percent: 0 } }],
      flags,
      [`route "product-catalog": mirror.percent = 0: must be a whole number from 1 to 100`],
    ],
    [
      "a mirror above 100 percent",
      [{ ...catalog, mirror: { implementation: "new", percent: 101 } }],
      flags,
      [`route "product-catalog": mirror.percent = 101: must be a whole number from 1 to 100`],
    ],
  ])("refuses %s, naming route, field and value", (_case, routes, caseFlags, expected) => {
    expect(routeProblems(routes, caseFlags)).toEqual(expected);
    expect(() => validateRoutes(routes, caseFlags)).toThrow(
      `invalid routes:\n  ${expected.join("\n  ")}`,
    );
  });

  it("reports every problem at once, in the order of the routes and their fields", () => {
    const broken: RouteSpec = {
      name: "Orders",
      host: "a b",
      backends: [
        { implementation: "old", service: "orders", weight: -1 },
        { implementation: "old", service: "Orders", weight: 0 },
      ],
      mirror: { implementation: "new", percent: 200 },
    };
    expect(routeProblems([broken], { header: "", cookie: "c" })).toEqual([
      `feature flag header = "": must be a header name (letters, digits and '-')`,
      `route "Orders": name must be a DNS label (lowercase letters, digits and '-')`,
      `route "Orders": host = "a b": must be a host name (letters, digits, '.' and '-')`,
      `route "Orders" backend "old": weight = -1: ${WHOLE_WEIGHT}`,
      `route "Orders" backend "old": implementation named twice; each backend needs its own`,
      `route "Orders" backend "old": service = "Orders": must be a service name`,
      `route "Orders": mirror.implementation = "new": no such backend; use one of ["old"]`,
      `route "Orders": mirror.percent = 200: must be a whole number from 1 to 100`,
    ]);
  });

  // Traefik's weights and mirror percents are integers (file provider and CRD alike): a real
  // Traefik v3.6.12 given `weight: 0.5` or `percent: 2.5` refuses the whole file
  // ("strconv.ParseInt: parsing \"0.500000\": invalid syntax"), taking every route down with it.
  it.each<[string, RouteSpec, string]>([
    [
      "weight",
      withBackend(1, { weight: 0.5 }),
      `route "product-catalog" backend "new": weight = 0.5: ${WHOLE_WEIGHT}`,
    ],
    [
      "mirror percent",
      { ...catalog, mirror: { implementation: "new", percent: 2.5 } },
      `route "product-catalog": mirror.percent = 2.5: must be a whole number from 1 to 100`,
    ],
  ])("refuses a fractional %s, which Traefik cannot parse", (_case, route, expected) => {
    expect(routeProblems([route], flags)).toEqual([expected]);
  });
});

describe("routeShares", () => {
  it.each<[string, { service: string; weight: number }[], [string, number][]]>([
    [
      "75/25",
      catalog.backends.slice(),
      [
        ["product-catalog", 75],
        ["product-catalog-next", 25],
      ],
    ],
    [
      "weights are relative, not percents",
      [
        { service: "a", weight: 1 },
        { service: "b", weight: 3 },
      ],
      [
        ["a", 25],
        ["b", 75],
      ],
    ],
    [
      "thirds round to hundredths of a percent",
      [
        { service: "a", weight: 1 },
        { service: "b", weight: 1 },
        { service: "c", weight: 1 },
      ],
      [
        ["a", 33.33],
        ["b", 33.33],
        ["c", 33.33],
      ],
    ],
    [
      "ten-thousandths (api canary inside monolith-parallel)",
      [
        { service: "orders", weight: 3750 },
        { service: "orders-next", weight: 3750 },
        { service: "modular-monolith", weight: 2500 },
      ],
      [
        ["orders", 37.5],
        ["orders-next", 37.5],
        ["modular-monolith", 25],
      ],
    ],
    [
      "a weight-0 backend has no share",
      [
        { service: "a", weight: 0 },
        { service: "b", weight: 7 },
      ],
      [
        ["a", 0],
        ["b", 100],
      ],
    ],
    [
      "all weights 0: no share for anyone (not NaN)",
      [
        { service: "a", weight: 0 },
        { service: "b", weight: 0 },
      ],
      [
        ["a", 0],
        ["b", 0],
      ],
    ],
  ])("%s", (_case, backends, expected) => {
    expect([...routeShares(backends)]).toEqual(expected);
  });
});

describe("routeMatch and flagMatch", () => {
  it.each<[string, RouteSpec, string]>([
    ["the route's name as host", catalog, "Host(`product-catalog`)"],
    [
      "an explicit host",
      { ...catalog, host: "catalog.shop.example.com" },
      "Host(`catalog.shop.example.com`)",
    ],
    ["a '/' path prefix adds nothing", { ...catalog, pathPrefix: "/" }, "Host(`product-catalog`)"],
    [
      "a path prefix",
      { ...catalog, host: "shop.example.com", pathPrefix: "/catalog" },
      "Host(`shop.example.com`) && PathPrefix(`/catalog`)",
    ],
  ])("routeMatch: %s", (_case, route, expected) => {
    expect(routeMatch(route)).toBe(expected);
  });

  it("flagMatch: the route's match and the header or cookie naming the implementation", () => {
    expect(flagMatch(catalog, "new", flags)).toBe(
      "Host(`product-catalog`) && (Header(`X-Stepwise-Implementation`, `new`) || HeaderRegexp(`Cookie`, `(^|;\\s*)stepwise-implementation=new(;|$)`))",
    );
    expect(
      flagMatch({ ...catalog, host: "shop.example.com", pathPrefix: "/catalog" }, "old", {
        header: "X-Impl",
        cookie: "impl",
      }),
    ).toBe(
      "Host(`shop.example.com`) && PathPrefix(`/catalog`) && (Header(`X-Impl`, `old`) || HeaderRegexp(`Cookie`, `(^|;\\s*)impl=old(;|$)`))",
    );
  });

  it("flagMatch's cookie pattern matches the cookie among others and nothing near it", () => {
    const rule = flagMatch(catalog, "new", flags);
    const pattern = /HeaderRegexp\(`Cookie`, `(.*)`\)\)$/.exec(rule)?.[1];
    expect(pattern).toBeDefined();
    // Go's RE2 and JavaScript agree on this pattern's syntax (groups, anchors, \s).
    const cookie = new RegExp(pattern ?? "^$");
    expect(cookie.test("stepwise-implementation=new")).toBe(true);
    expect(cookie.test("session=abc; stepwise-implementation=new")).toBe(true);
    expect(cookie.test("session=abc;stepwise-implementation=new; theme=dark")).toBe(true);
    expect(cookie.test("stepwise-implementation=newer")).toBe(false);
    expect(cookie.test("stepwise-implementation=old")).toBe(false);
    expect(cookie.test("x-stepwise-implementation=new")).toBe(false);
    expect(cookie.test("session=stepwise-implementation=new")).toBe(false);
  });
});
