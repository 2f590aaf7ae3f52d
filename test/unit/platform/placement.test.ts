import { describe, expect, it } from "vitest";
import { PlatformServices } from "../../../components/platform";
import { type Placement } from "../../../components/platform/discovery";
import { evaluateProgram, type RegisteredResource } from "../../../tools/evaluate";
import { byName, platformOutputs } from "./support";
import { SEED_SERVICES } from "../../support/seed-platform";

const settings = {
  compose: { hostAddress: "docker-host.internal" },
  k3s: { externalAddress: "10.0.0.20", namespace: "shop" },
};

async function evaluatePlacement(placement: Placement) {
  return evaluateProgram(
    () => {
      const fleet = new PlatformServices("shop", {
        services: SEED_SERVICES,
        placement,
        ...settings,
      });
      return { addresses: fleet.addresses };
    },
    { outputsFor: platformOutputs },
  );
}

/** What `pulumi preview` would report between two evaluations, keyed by type::name. */
function diff(before: readonly RegisteredResource[], after: readonly RegisteredResource[]) {
  const key = (r: RegisteredResource) => `${r.type}::${r.name}`;
  const old = new Map(before.map((r) => [r.urn, r]));
  const now = new Map(after.map((r) => [r.urn, r]));
  return {
    created: after
      .filter((r) => !old.has(r.urn))
      .map(key)
      .sort(),
    deleted: before
      .filter((r) => !now.has(r.urn))
      .map(key)
      .sort(),
    updated: after
      .filter((r) => {
        const was = old.get(r.urn);
        return was && JSON.stringify(was.inputs) !== JSON.stringify(r.inputs);
      })
      .map(key)
      .sort(),
  };
}

const coordinationOnK3s: Placement = { "platform-coordination": "k3s" };
const ordersMoved: Placement = { ...coordinationOnK3s, orders: "k3s" };
const catalogMoved: Placement = { ...ordersMoved, "product-catalog": "k3s" };

describe("PlatformServices placement", () => {
  it("renders each service exactly once, on the platform the placement names", async () => {
    for (const placement of [{}, coordinationOnK3s, ordersMoved, catalogMoved]) {
      const { resources } = await evaluatePlacement(placement);
      const rendered = resources
        .filter(
          (r) =>
            r.type === "docker:index/container:Container" ||
            r.type === "kubernetes:apps/v1:Deployment",
        )
        .map((r) => r.name)
        .sort();
      const expected = SEED_SERVICES.map(
        (s) => `shop-${placement[s.name] ?? "compose"}-${s.name}`,
      ).sort();
      expect(rendered).toEqual(expected);
    }
  });

  it("moving coordination first builds the K3s side and re-points its three Compose dependents", async () => {
    const before = await evaluatePlacement({});
    const after = await evaluatePlacement(coordinationOnK3s);
    expect(diff(before.resources, after.resources)).toEqual({
      created: [
        "kubernetes:apps/v1:Deployment::shop-k3s-platform-coordination",
        "kubernetes:core/v1:ConfigMap::shop-k3s-platform-coordination-config",
        "kubernetes:core/v1:Namespace::shop-k3s-namespace",
        "kubernetes:core/v1:PersistentVolumeClaim::shop-k3s-platform-coordination-state",
        "kubernetes:core/v1:Service::shop-k3s-platform-coordination-service",
        "pulumi:providers:kubernetes::shop-k3s-provider",
        "stepwise:platform:K3sPlatform::shop-k3s",
      ],
      deleted: [
        "docker:index/container:Container::shop-compose-platform-coordination",
        "docker:index/remoteImage:RemoteImage::shop-compose-platform-coordination-image",
        "docker:index/volume:Volume::shop-compose-platform-coordination-state",
      ],
      updated: [
        "docker:index/container:Container::shop-compose-inventory",
        "docker:index/container:Container::shop-compose-orders",
        "docker:index/container:Container::shop-compose-product-catalog",
      ],
    });
    // The volume leaves the program but not the host: its data stays for a rollback.
    expect(
      byName(before.resources, "shop-compose-platform-coordination-state").retainOnDelete,
    ).toBe(true);
    expect(byName(after.resources, "shop-compose-inventory").inputs.envs).toContain(
      "PLATFORM_COORDINATION_ADDRESS=10.0.0.20:8080",
    );
  });

  it("moving orders to K3s changes only orders and the bridges to its dependencies on Compose", async () => {
    const before = await evaluatePlacement(coordinationOnK3s);
    const after = await evaluatePlacement(ordersMoved);
    expect(diff(before.resources, after.resources)).toEqual({
      created: [
        "kubernetes:apps/v1:Deployment::shop-k3s-orders",
        "kubernetes:core/v1:ConfigMap::shop-k3s-orders-config",
        "kubernetes:core/v1:Service::shop-k3s-inventory-service",
        "kubernetes:core/v1:Service::shop-k3s-orders-service",
        "kubernetes:core/v1:Service::shop-k3s-product-catalog-service",
      ],
      deleted: [
        "docker:index/container:Container::shop-compose-orders",
        "docker:index/remoteImage:RemoteImage::shop-compose-orders-image",
      ],
      updated: [],
    });
    // orders keeps reaching its neighbours under the same names, now through the bridges.
    expect(byName(after.resources, "shop-k3s-orders-config").inputs.data).toEqual({
      LOG_LEVEL: "info",
      INVENTORY_ADDRESS: "inventory:8084",
      PLATFORM_COORDINATION_ADDRESS: "platform-coordination:8080",
      PRODUCT_CATALOG_ADDRESS: "product-catalog:8082",
    });
    expect(byName(after.resources, "shop-k3s-inventory-service").inputs).toMatchObject({
      metadata: { name: "inventory", namespace: "shop" },
      spec: {
        type: "ExternalName",
        externalName: "docker-host.internal",
        ports: [{ name: "p8084", port: 8084, protocol: "TCP" }],
      },
    });
  });

  it("moving product-catalog next turns its bridge into the real Service and re-points Compose neighbours", async () => {
    const before = await evaluatePlacement(ordersMoved);
    const after = await evaluatePlacement(catalogMoved);
    expect(diff(before.resources, after.resources)).toEqual({
      created: [
        "kubernetes:apps/v1:Deployment::shop-k3s-product-catalog",
        "kubernetes:core/v1:ConfigMap::shop-k3s-product-catalog-config",
        "kubernetes:core/v1:Secret::shop-k3s-product-catalog-secret",
      ],
      deleted: [
        "docker:index/container:Container::shop-compose-product-catalog",
        "docker:index/remoteImage:RemoteImage::shop-compose-product-catalog-image",
      ],
      // Same resource name, so the bridge is updated in place instead of clashing with it.
      updated: ["kubernetes:core/v1:Service::shop-k3s-product-catalog-service"],
    });
    expect(byName(after.resources, "shop-k3s-product-catalog-service").inputs.spec).toMatchObject({
      type: "ClusterIP",
      selector: { "app.kubernetes.io/name": "product-catalog" },
    });
  });

  it("gives a Compose service the moved dependency's K3s address, exposed through ServiceLB", async () => {
    const before = await evaluatePlacement({});
    const after = await evaluatePlacement({ inventory: "k3s" });
    const env = (resources: readonly RegisteredResource[]) =>
      byName(resources, "shop-compose-orders").inputs.envs as string[];
    expect(env(before.resources)).toContain("INVENTORY_ADDRESS=inventory:8084");
    expect(env(after.resources)).toContain("INVENTORY_ADDRESS=10.0.0.20:8084");
    expect(byName(after.resources, "shop-k3s-inventory-service").inputs.spec).toMatchObject({
      type: "LoadBalancer",
    });
    // inventory itself reaches coordination, still on Compose, through a bridge.
    expect(
      byName(after.resources, "shop-k3s-platform-coordination-service").inputs.spec,
    ).toMatchObject({
      type: "ExternalName",
      externalName: "docker-host.internal",
    });
    const changedContainers = diff(before.resources, after.resources).updated;
    expect(changedContainers).toEqual(["docker:index/container:Container::shop-compose-orders"]);
  });

  it("bridges to an IP host with a selector-less Service and Endpoints", async () => {
    const { resources } = await evaluateProgram(
      () => {
        new PlatformServices("shop", {
          services: SEED_SERVICES,
          placement: { orders: "k3s" },
          compose: { hostAddress: "192.168.1.10" },
          k3s: { externalAddress: "10.0.0.20" },
        });
      },
      { outputsFor: platformOutputs },
    );
    expect(byName(resources, "shop-k3s-inventory-service").inputs.spec).toEqual({
      type: "ClusterIP",
      ports: [{ name: "p8084", port: 8084, protocol: "TCP" }],
    });
    expect(byName(resources, "shop-k3s-inventory-endpoints").inputs).toMatchObject({
      metadata: { name: "inventory" },
      subsets: [{ addresses: [{ ip: "192.168.1.10" }], ports: [{ name: "p8084", port: 8084 }] }],
    });
  });

  it("reports where each service runs and its address there", async () => {
    const { result } = await evaluatePlacement(ordersMoved);
    expect(result.addresses).toEqual({
      "platform-coordination": { platform: "k3s", internal: "platform-coordination:8080" },
      "product-catalog": { platform: "compose", internal: "product-catalog:8082" },
      orders: { platform: "k3s", internal: "orders:8083" },
      inventory: { platform: "compose", internal: "inventory:8084" },
    });
  });

  it("builds no Compose platform once every service has moved", async () => {
    const all: Placement = Object.fromEntries(SEED_SERVICES.map((s) => [s.name, "k3s"]));
    const { resources } = await evaluatePlacement(all);
    expect(resources.filter((r) => r.type.startsWith("docker:"))).toEqual([]);
    expect(resources.filter((r) => r.type === "stepwise:platform:ComposePlatform")).toEqual([]);
    expect(
      resources
        .filter((r) => r.name.endsWith("-service"))
        .map((r) => (r.inputs.spec as { type: string }).type),
    ).toEqual(["ClusterIP", "ClusterIP", "ClusterIP", "ClusterIP"]);
  });

  it("rejects a placement that names an unknown service or platform", async () => {
    await expect(evaluatePlacement({ billing: "k3s" })).rejects.toThrow(
      'placement.billing = "k3s": no such service; known services are ["platform-coordination","product-catalog","orders","inventory"]',
    );
    await expect(evaluatePlacement({ orders: "nomad" as never })).rejects.toThrow(
      'placement.orders = "nomad": must be "compose" or "k3s"',
    );
  });

  it("hands the providers it is given to every child on both platforms and to Prometheus", async () => {
    const { resources } = await evaluateProgram(
      async () => {
        const docker = await import("@pulumi/docker");
        const k8s = await import("@pulumi/kubernetes");
        new PlatformServices(
          "shop",
          { services: SEED_SERVICES, placement: ordersMoved, monitoringOn: "k3s" },
          {
            providers: [
              new docker.Provider("ops-docker", { host: "ssh://ops@10.0.0.5" }),
              new k8s.Provider("ops-k3s", { kubeconfig: "apiVersion: v1" }),
            ],
          },
        );
      },
      { outputsFor: platformOutputs },
    );
    const children = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers"));
    // Compose: network + 2 images + 2 containers; K3s: namespace, coordination (4), orders (3),
    // 2 bridges, Prometheus (3).
    expect(children).toHaveLength(18);
    for (const r of children) {
      const expected = r.type.startsWith("docker:")
        ? /::ops-docker::ops-docker-id$/
        : /::ops-k3s::ops-k3s-id$/;
      expect(r.provider, `${r.type} ${r.name}`).toMatch(expected);
    }
    expect(
      children
        .filter((r) => r.name.startsWith("shop-prometheus"))
        .map((r) => r.type)
        .sort(),
    ).toEqual([
      "kubernetes:apps/v1:Deployment",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:Service",
    ]);
  });
});
