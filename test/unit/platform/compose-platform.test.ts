import * as docker from "@pulumi/docker";
import { describe, expect, it } from "vitest";
import { ComposePlatform } from "../../../components/platform";
import { evaluateProgram } from "../../../tools/evaluate";
import { byName, countByType, parentName, platformOutputs, typesAndNames } from "./support";
import { SEED_SERVICES, seedServices } from "../../support/seed-platform";

async function evaluateCompose(services = SEED_SERVICES) {
  return evaluateProgram(
    () => {
      const platform = new ComposePlatform("compose", { services });
      return {
        ref: platform.ref,
        addresses: platform.addresses,
        external: platform.externalAddresses,
      };
    },
    { outputsFor: platformOutputs },
  );
}

describe("ComposePlatform with the four services of the seed platform", () => {
  it("registers exactly one network, one volume, and an image + container per service", async () => {
    const { resources } = await evaluateCompose();
    // Registration order interleaves with image resolution, so compare as sets; ordering is
    // asserted through dependencies below.
    expect(typesAndNames(resources).sort()).toEqual(
      [
        ["stepwise:platform:ComposePlatform", "compose"],
        ["docker:index/network:Network", "compose-network"],
        ["docker:index/remoteImage:RemoteImage", "compose-platform-coordination-image"],
        ["docker:index/volume:Volume", "compose-platform-coordination-state"],
        ["docker:index/remoteImage:RemoteImage", "compose-product-catalog-image"],
        ["docker:index/remoteImage:RemoteImage", "compose-inventory-image"],
        ["docker:index/remoteImage:RemoteImage", "compose-orders-image"],
        ["docker:index/container:Container", "compose-platform-coordination"],
        ["docker:index/container:Container", "compose-product-catalog"],
        ["docker:index/container:Container", "compose-inventory"],
        ["docker:index/container:Container", "compose-orders"],
      ].sort(),
    );
    expect(countByType(resources)).toEqual({
      "stepwise:platform:ComposePlatform": 1,
      "docker:index/network:Network": 1,
      "docker:index/volume:Volume": 1,
      "docker:index/remoteImage:RemoteImage": 4,
      "docker:index/container:Container": 4,
    });
    for (const r of resources.slice(1)) expect(parentName(r)).toBe("compose");
  });

  it("gives product-catalog its image, port 8082, health check, restart policy, labels and limits", async () => {
    const { resources } = await evaluateCompose();
    const catalog = byName(resources, "compose-product-catalog");
    expect(catalog.inputs).toMatchObject({
      name: "compose-product-catalog",
      image: "sha256-of-firstviscount/product-catalog:1.4.2",
      ports: [{ internal: 8082, external: 8082, protocol: "tcp" }],
      networksAdvanced: [{ name: "compose", aliases: ["product-catalog"] }],
      healthcheck: {
        tests: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8082/health || exit 1"],
        interval: "10s",
        timeout: "3s",
        retries: 3,
        startPeriod: "15s",
      },
      wait: true,
      restart: "unless-stopped",
      cpus: "0.5",
      memory: 512,
      labels: [
        { label: "stepwise.platform", value: "compose" },
        { label: "stepwise.service", value: "product-catalog" },
      ],
    });
    expect(byName(resources, "compose-product-catalog-image").inputs).toEqual({
      name: "firstviscount/product-catalog:1.4.2",
      keepLocally: true,
    });
  });

  it("mounts the named volume and keeps the secret env list secret in state", async () => {
    const { resources } = await evaluateCompose();
    expect(byName(resources, "compose-platform-coordination-state").inputs).toEqual({
      name: "compose-platform-coordination-state",
    });
    // Moving the service away must leave its data on the host for a rollback.
    expect(byName(resources, "compose-platform-coordination-state").retainOnDelete).toBe(true);
    expect(resources.filter((r) => r.retainOnDelete).map((r) => r.name)).toEqual([
      "compose-platform-coordination-state",
    ]);
    expect(byName(resources, "compose-platform-coordination").inputs.volumes).toEqual([
      { volumeName: "compose-platform-coordination-state", containerPath: "/var/lib/coordination" },
    ]);
    // Each secret entry is secret on its own; the plain ones stay reviewable beside it.
    expect(byName(resources, "compose-product-catalog").inputs.envs).toEqual([
      { secret: "DATABASE_URL=postgresql://catalog@postgres:5432/catalog" },
      "LOG_LEVEL=info",
      "PLATFORM_COORDINATION_ADDRESS=platform-coordination:8080",
    ]);
    expect(byName(resources, "compose-orders").inputs.envs).toEqual([
      "INVENTORY_ADDRESS=inventory:8084",
      "LOG_LEVEL=info",
      "PLATFORM_COORDINATION_ADDRESS=platform-coordination:8080",
      "PRODUCT_CATALOG_ADDRESS=product-catalog:8082",
    ]);
  });

  it("keeps a secret from stack config secret even when it is an Output", async () => {
    const { resources } = await evaluateProgram(
      async () => {
        const pulumi = await import("@pulumi/pulumi");
        const url = new pulumi.Config().requireSecret("catalogDatabaseUrl");
        new ComposePlatform("compose", { services: seedServices(url) });
      },
      {
        config: { catalogDatabaseUrl: "postgresql://catalog:pw@db/catalog" },
        secretConfigKeys: ["catalogDatabaseUrl"],
        outputsFor: platformOutputs,
      },
    );
    expect(byName(resources, "compose-product-catalog").inputs.envs).toContainEqual({
      secret: "DATABASE_URL=postgresql://catalog:pw@db/catalog",
    });
  });

  it("creates each container after the containers it depends on", async () => {
    const { resources } = await evaluateCompose();
    const urn = (name: string) => byName(resources, name).urn;
    expect(byName(resources, "compose-orders").dependencies).toEqual(
      expect.arrayContaining([
        urn("compose-platform-coordination"),
        urn("compose-product-catalog"),
        urn("compose-inventory"),
      ]),
    );
    expect(byName(resources, "compose-platform-coordination").dependencies).not.toContain(
      urn("compose-product-catalog"),
    );
    expect(byName(resources, "compose-inventory").dependencies).toContain(
      urn("compose-platform-coordination"),
    );
  });

  it("exposes a ref other components run on, and addresses on and off the platform", async () => {
    const { result } = await evaluateCompose();
    expect(result.ref).toMatchObject({
      kind: "compose",
      name: "compose",
      hostAddress: "host.docker.internal",
      resourceOptions: {},
    });
    expect(result.addresses).toEqual({
      "platform-coordination": "platform-coordination:8080",
      "product-catalog": "product-catalog:8082",
      inventory: "inventory:8084",
      orders: "orders:8083",
    });
    expect(result.external["product-catalog"]).toBe("host.docker.internal:8082");
  });

  it("honours a Docker provider passed in the options, and hands it on in ref", async () => {
    const { resources, result } = await evaluateProgram(
      () => {
        const provider = new docker.Provider("remote-docker", { host: "ssh://ops@10.0.0.5" });
        const platform = new ComposePlatform(
          "compose",
          { services: SEED_SERVICES },
          { providers: [provider] },
        );
        return { refProvider: platform.ref.resourceOptions.provider === provider };
      },
      { outputsFor: platformOutputs },
    );
    expect(result.refProvider).toBe(true);
    const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers"));
    expect(custom).toHaveLength(10);
    for (const r of custom) expect(r.provider).toMatch(/::remote-docker::remote-docker-id$/);
  });

  it("refuses an invalid spec before creating anything", async () => {
    await expect(
      evaluateCompose([{ name: "orders", image: "firstviscount/orders" }]),
    ).rejects.toThrow('service "orders": image = "firstviscount/orders": must pin a tag or digest');
  });

  it("creates but does not start a service scaled to zero", async () => {
    const { resources } = await evaluateCompose([
      { name: "web", image: "nginx:1.27", replicas: 0, healthCheck: { command: ["true"] } },
    ]);
    expect(byName(resources, "compose-web").inputs).toMatchObject({ start: false, wait: false });
    const running = await evaluateCompose([{ name: "web", image: "nginx:1.27" }]);
    expect(byName(running.resources, "compose-web").inputs).toMatchObject({
      start: true,
      wait: false,
    });
  });

  it("refuses a dependency without a port up front instead of wiring an empty address", async () => {
    await expect(
      evaluateCompose([
        { name: "worker", image: "w:1" },
        { name: "api", image: "a:1", ports: [{ port: 80 }], dependsOn: ["worker"] },
      ]),
    ).rejects.toThrow(
      'service "api": dependsOn[0] = "worker": "worker" has no ports, so there is no address to give; add a port to it or drop the dependency',
    );
  });
});
