import { describe, expect, it } from "vitest";
import {
  dependencyEnv,
  isIPv4,
  planDiscovery,
  type Placement,
} from "../../../components/platform/discovery";
import { resolveService } from "../../../components/spec/resolve";
import { SEED_SERVICES } from "../../support/seed-platform";

const services = SEED_SERVICES.map(resolveService);
const addresses = { composeHost: "docker-host", k3sAddress: "10.0.0.20" };

describe("planDiscovery", () => {
  it.each<[string, Placement, ReturnType<typeof planDiscovery>]>([
    [
      "all on Compose: nothing crosses",
      {},
      { composeRemotes: {}, k3sExternal: [], k3sExposed: [] },
    ],
    [
      "coordination first: every Compose service reaches it on the node address",
      { "platform-coordination": "k3s" },
      {
        composeRemotes: { "platform-coordination": "10.0.0.20:8080" },
        k3sExternal: [],
        k3sExposed: ["platform-coordination"],
      },
    ],
    [
      "orders moved: bridges to the two Compose services it calls",
      { "platform-coordination": "k3s", orders: "k3s" },
      {
        composeRemotes: { "platform-coordination": "10.0.0.20:8080" },
        k3sExternal: [
          { name: "product-catalog", host: "docker-host", ports: [8082] },
          { name: "inventory", host: "docker-host", ports: [8084] },
        ],
        k3sExposed: ["platform-coordination"],
      },
    ],
    [
      "everything on K3s: nothing crosses",
      Object.fromEntries(SEED_SERVICES.map((s) => [s.name, "k3s" as const])),
      { composeRemotes: {}, k3sExternal: [], k3sExposed: [] },
    ],
  ])("%s", (_case, placement, expected) => {
    expect(planDiscovery(services, placement, addresses)).toEqual(expected);
  });

  it("refuses a dependency that has no port to be reached on", () => {
    const portless = [
      resolveService({ name: "worker", image: "w:1" }),
      resolveService({ name: "api", image: "a:1", ports: [{ port: 80 }], dependsOn: ["worker"] }),
    ];
    expect(() => planDiscovery(portless, { api: "k3s" }, addresses)).not.toThrow();
    expect(() => planDiscovery(portless, { worker: "k3s" }, addresses)).toThrow(
      'service "worker": ports = []: others depend on it, so it needs at least one port',
    );
  });
});

describe("dependencyEnv", () => {
  it("names one <DEP>_ADDRESS variable per dependency", () => {
    const orders = services.find((s) => s.name === "orders");
    expect(orders && dependencyEnv(orders, (dep) => `${dep}.example:1`)).toEqual({
      PLATFORM_COORDINATION_ADDRESS: "platform-coordination.example:1",
      PRODUCT_CATALOG_ADDRESS: "product-catalog.example:1",
      INVENTORY_ADDRESS: "inventory.example:1",
    });
  });
});

describe("isIPv4", () => {
  it.each([
    ["10.0.0.5", true],
    ["192.168.1.10", true],
    ["host.docker.internal", false],
    ["docker-host", false],
    ["10.0.0", false],
  ])("%s -> %s", (host, expected) => expect(isIPv4(host)).toBe(expected));
});
