import { describe, expect, it } from "vitest";
import { type ServiceSpec } from "../../../components/spec";
import type { StackConfig } from "../../../migrations";
import {
  LABELS,
  MONOLITH_SERVICE,
  monolithWeightsFor,
  planTopology,
  placementFor,
  type Topology,
} from "../../../migrations/program";
import { configWith } from "./support";
import { SEED_COORDINATION, SEED_SERVICES } from "../../support/seed-platform";

const both = <T>(value: T) => ({ compose: value, k3s: value });
const urls = { postgres: both("postgresql://pg-url"), citus: both("postgresql://citus-url") };
const addresses = { redpanda: both("redpanda-0:9092"), kafka: both("kafka-0:9092") };

function plan(config: StackConfig): Topology {
  return planTopology(config, SEED_SERVICES, {
    addresses,
    databaseUrls: urls,
    coordinationService: SEED_COORDINATION,
  });
}

function service(topology: Topology, name: string): ServiceSpec {
  const found = topology.services.find((s) => s.name === name);
  if (!found)
    throw new Error(`no service ${name} in ${topology.services.map((s) => s.name).join(",")}`);
  return found;
}

describe("planTopology: events phases point producers and consumers", () => {
  it.each([
    ["redpanda", "redpanda", "redpanda-0:9092", "redpanda", ["redpanda"]],
    ["parallel", "redpanda", "redpanda-0:9092", "redpanda", ["redpanda", "kafka"]],
    [
      "dual-publish",
      "redpanda,kafka",
      "redpanda-0:9092,kafka-0:9092",
      "redpanda",
      ["redpanda", "kafka"],
    ],
    [
      "consumers-on-kafka",
      "redpanda,kafka",
      "redpanda-0:9092,kafka-0:9092",
      "kafka",
      ["redpanda", "kafka"],
    ],
    ["kafka-only", "kafka", "kafka-0:9092", "kafka", ["redpanda", "kafka"]],
    ["redpanda-retired", "kafka", "kafka-0:9092", "kafka", ["kafka"]],
  ])("%s: publish to %s, consume from %s", (phase, publishTo, bootstrap, consumeFrom, engines) => {
    const topology = plan(configWith({}, { events: phase }));
    for (const spec of topology.services) {
      expect(spec.env?.EVENTS_PUBLISH_TO).toBe(publishTo);
      expect(spec.env?.EVENTS_PUBLISH_BOOTSTRAP).toBe(bootstrap);
      expect(spec.env?.EVENTS_CONSUME_FROM).toBe(consumeFrom);
      expect(spec.env?.EVENTS_CONSUME_BOOTSTRAP).toBe(addresses[consumeFrom as "kafka"].compose);
    }
    expect(Object.keys(topology.engines).filter((e) => e === "redpanda" || e === "kafka")).toEqual(
      engines,
    );
  });
});

describe("planTopology: database phases point reads and writes", () => {
  it.each([
    ["postgres", "postgres", "postgres", "postgresql://pg-url", undefined],
    ["citus-provisioned", "postgres", "postgres", "postgresql://pg-url", undefined],
    ["dual-write", "postgres,citus", "postgres", "postgresql://pg-url", "postgresql://citus-url"],
    ["verified", "postgres,citus", "postgres", "postgresql://pg-url", "postgresql://citus-url"],
    // Citus is the source of truth; the dual writer keeps PostgreSQL in step for a rollback.
    ["citus-primary", "citus,postgres", "citus", "postgresql://citus-url", "postgresql://pg-url"],
    ["postgres-retired", "citus", "citus", "postgresql://citus-url", undefined],
  ])("%s: writes to %s, reads from %s", (phase, writeTo, readFrom, url, dualUrl) => {
    const topology = plan(configWith({}, { database: phase }));
    const catalog = service(topology, "product-catalog");
    expect(catalog.env?.DATABASE_WRITE_TO).toBe(writeTo);
    expect(catalog.env?.DATABASE_READ_FROM).toBe(readFrom);
    expect(catalog.secretEnv?.DATABASE_URL).toBe(url);
    expect(catalog.secretEnv?.DATABASE_DUAL_WRITE_URL).toBe(dualUrl);
    // Services without a database connection get no database wiring.
    expect(service(topology, "orders").env?.DATABASE_WRITE_TO).toBeUndefined();
    expect(service(topology, "orders").secretEnv).toBeUndefined();
  });
});

describe("planTopology: platform phases place services", () => {
  it.each([
    [
      "compose",
      {},
      {
        "platform-coordination": "compose",
        "product-catalog": "compose",
        orders: "compose",
        inventory: "compose",
      },
    ],
    [
      "coordination-on-k3s",
      {},
      {
        "platform-coordination": "k3s",
        "product-catalog": "compose",
        orders: "compose",
        inventory: "compose",
      },
    ],
    [
      "services-moving",
      { orders: "k3s" },
      {
        "platform-coordination": "k3s",
        "product-catalog": "compose",
        orders: "k3s",
        inventory: "compose",
      },
    ],
    [
      "k3s",
      {},
      { "platform-coordination": "k3s", "product-catalog": "k3s", orders: "k3s", inventory: "k3s" },
    ],
    [
      "compose-retired",
      {},
      { "platform-coordination": "k3s", "product-catalog": "k3s", orders: "k3s", inventory: "k3s" },
    ],
  ])("%s", (phase, placement, expected) => {
    const enginesOn = phase === "compose-retired" ? "k3s" : "compose";
    const engines = Object.fromEntries(
      ["redpanda", "kafka", "postgres", "citus", "prometheus"].map((e) => [e, enginesOn]),
    );
    const config = configWith({ placement, enginePlacement: engines }, { platform: phase });
    expect(plan(config).placement).toEqual(expected);
  });

  it("without a coordination service, coordination-on-k3s moves nothing and the monolith absorbs every service", () => {
    const config = configWith({}, { platform: "coordination-on-k3s" });
    const topology = planTopology(config, SEED_SERVICES, { addresses, databaseUrls: urls });
    expect(topology.coordinationService).toBeUndefined();
    expect(new Set(Object.values(topology.placement))).toEqual(new Set(["compose"]));
    const monolith = configWith(
      { monolithImage: "firstviscount/modular-monolith:1.0.0" },
      { consolidation: "modular-monolith" },
    );
    expect(Object.keys(monolithWeightsFor(monolith, SEED_SERVICES)).sort()).toEqual([
      "inventory",
      "orders",
      "platform-coordination",
      "product-catalog",
    ]);
  });
});

describe("planTopology: api phases run the new implementation beside the old", () => {
  const api = {
    apiImages: { "product-catalog": "firstviscount/product-catalog-gin:0.9.0" },
    apiWeights: { "product-catalog": 25 },
  };

  it("old: only the old implementation", () => {
    const names = plan(configWith(api, { api: "old" })).services.map((s) => s.name);
    expect(names).toEqual(["platform-coordination", "product-catalog", "orders", "inventory"]);
  });

  it("canary: product-catalog-next beside it, weights from the stack, ports shifted", () => {
    const topology = plan(configWith(api, { api: "canary" }));
    expect(topology.services.map((s) => s.name)).toEqual([
      "platform-coordination",
      "product-catalog",
      "product-catalog-next",
      "orders",
      "inventory",
    ]);
    const old = service(topology, "product-catalog");
    const next = service(topology, "product-catalog-next");
    expect(old.labels).toEqual({ [LABELS.implementation]: "old" });
    expect(next.labels).toEqual({ [LABELS.implementation]: "new" });
    expect(topology.routes).toEqual([
      {
        name: "product-catalog",
        backends: [
          { implementation: "old", service: "product-catalog", weight: 75 },
          { implementation: "new", service: "product-catalog-next", weight: 25 },
        ],
      },
    ]);
    expect(next.image).toBe("firstviscount/product-catalog-gin:0.9.0");
    expect(next.ports).toEqual([{ port: 8082, name: "http", published: 18082 }]);
    expect(next.secretEnv?.DATABASE_URL).toBe("postgresql://pg-url");
    expect(topology.apiWeights).toEqual({ "product-catalog": 25 });
    expect(topology.placement["product-catalog-next"]).toBe("compose");
  });

  it("new: all traffic to the new implementation, the old kept", () => {
    const topology = plan(configWith(api, { api: "new" }));
    expect(topology.routes[0]?.backends.map((b) => [b.service, b.weight])).toEqual([
      ["product-catalog", 0],
      ["product-catalog-next", 100],
    ]);
  });

  it("old-retired: the old implementation is gone and dependents point at the new one", () => {
    const topology = plan(configWith(api, { api: "old-retired" }));
    expect(topology.services.map((s) => s.name)).toEqual([
      "platform-coordination",
      "product-catalog-next",
      "orders",
      "inventory",
    ]);
    expect(topology.routes).toEqual([
      {
        name: "product-catalog",
        backends: [{ implementation: "new", service: "product-catalog-next", weight: 100 }],
      },
    ]);
    expect(service(topology, "orders").dependsOn).toEqual([
      "platform-coordination",
      "product-catalog-next",
      "inventory",
    ]);
  });
});

describe("planTopology: consolidation phases", () => {
  const monolith = { monolithImage: "firstviscount/modular-monolith:1.0.0" };

  /**
   * Per absorbed service, its route's weights: the service's own and the monolith's (what the
   * routers get and traffic-weight-step reads), and the weight the topology records.
   */
  const shares = (topology: Topology) =>
    Object.fromEntries(
      ["product-catalog", "orders", "inventory"].map((name) => {
        const route = topology.routes.find((r) => r.name === name);
        const weightOf = (service: string) =>
          route?.backends.find((b) => b.service === service)?.weight;
        return [name, [weightOf(name), weightOf(MONOLITH_SERVICE), topology.monolithWeights[name]]];
      }),
    );

  it("monolith-parallel: the monolith beside the services, traffic still to the services", () => {
    const topology = plan(configWith(monolith, { consolidation: "monolith-parallel" }));
    expect(topology.services.map((s) => s.name)).toEqual([
      "platform-coordination",
      "product-catalog",
      "orders",
      "inventory",
      "modular-monolith",
    ]);
    const app = service(topology, MONOLITH_SERVICE);
    expect(app.env?.MODULES).toBe("product-catalog,orders,inventory");
    expect(app.secretEnv?.DATABASE_URL).toBe("postgresql://pg-url");
    // No weights given: every service keeps all of its traffic.
    expect(shares(topology)).toEqual({
      "product-catalog": [100, 0, 0],
      orders: [100, 0, 0],
      inventory: [100, 0, 0],
    });
    expect(service(topology, "orders").replicas).toBeUndefined();
  });

  it("monolith-parallel with monolithWeights: each service's share moves to the monolith", () => {
    const weighted = { ...monolith, monolithWeights: { orders: 75, inventory: 25 } };
    const topology = plan(configWith(weighted, { consolidation: "monolith-parallel" }));
    expect(shares(topology)).toEqual({
      "product-catalog": [100, 0, 0],
      orders: [25, 75, 75],
      inventory: [75, 25, 25],
    });
    expect(topology.routes.map((r) => r.name)).toEqual(["inventory", "orders", "product-catalog"]);
    expect(topology.routes.find((r) => r.name === "orders")?.backends).toEqual([
      { implementation: "old", service: "orders", weight: 25 },
      { implementation: "new", service: MONOLITH_SERVICE, weight: 75 },
    ]);
  });

  it("modular-monolith: traffic to the monolith, services scaled to zero", () => {
    const topology = plan(configWith(monolith, { consolidation: "modular-monolith" }));
    expect(service(topology, "orders").replicas).toBe(0);
    expect(shares(topology)).toEqual({
      "product-catalog": [0, 100, 100],
      orders: [0, 100, 100],
      inventory: [0, 100, 100],
    });
    expect(service(topology, "platform-coordination").replicas).toBeUndefined();
  });

  it("services-retired: only coordination and the monolith, which serves all", () => {
    const topology = plan(configWith(monolith, { consolidation: "services-retired" }));
    expect(topology.services.map((s) => s.name)).toEqual([
      "platform-coordination",
      "modular-monolith",
    ]);
    expect(shares(topology)).toEqual({
      "product-catalog": [undefined, 100, 100],
      orders: [undefined, 100, 100],
      inventory: [undefined, 100, 100],
    });
  });

  it("microservices: no monolith, no weights, no routes", () => {
    const topology = plan(configWith(monolith));
    expect(topology.monolithWeights).toEqual({});
    expect(topology.routes).toEqual([]);
    expect(topology.services.filter((s) => s.labels !== undefined)).toEqual([]);
  });
});

describe("placementFor", () => {
  it("puts S-next where S runs", () => {
    const config = configWith(
      {
        placement: { orders: "k3s" },
        apiImages: { orders: "firstviscount/orders-go:0.1.0" },
        apiWeights: { orders: 10 },
      },
      { platform: "services-moving", api: "canary" },
    );
    expect(placementFor(config, [{ name: "orders-next", image: "x:1" }])).toEqual({
      "orders-next": "k3s",
    });
  });
});
