import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ComposePlatform } from "../../../components/platform";
import { renderComposeFile } from "../../../components/platform/compose-file";
import { evaluateProgram } from "../../../tools/evaluate";
import { byName, platformOutputs } from "./support";
import { SEED_SERVICES, seedServices } from "../../support/seed-platform";

interface ComposeFile {
  name: string;
  services: Record<string, Record<string, unknown>>;
  networks: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

const render = () => renderComposeFile({ project: "compose", services: SEED_SERVICES });

describe("renderComposeFile", () => {
  it("renders the four services as docker-compose.yml", async () => {
    await expect(render()).toMatchFileSnapshot("../../fixtures/platform/docker-compose.yml");
  });

  it("has no obsolete version key, and the Compose Specification top level", () => {
    const file = parse(render()) as ComposeFile;
    expect(Object.keys(file)).toEqual(["name", "services", "networks", "volumes"]);
    expect(file.networks).toEqual({ compose: { name: "compose", driver: "bridge" } });
    expect(file.volumes).toEqual({
      "platform-coordination-state": { name: "compose-platform-coordination-state" },
    });
  });

  it("starts services after healthy dependencies, as ComposePlatform orders its containers", () => {
    const file = parse(render()) as ComposeFile;
    expect(Object.keys(file.services)).toEqual([
      "platform-coordination",
      "product-catalog",
      "inventory",
      "orders",
    ]);
    expect(file.services.orders?.depends_on).toEqual({
      "platform-coordination": { condition: "service_healthy" },
      "product-catalog": { condition: "service_healthy" },
      inventory: { condition: "service_healthy" },
    });
    const noHealth = renderComposeFile({
      project: "p",
      services: [
        { name: "a", image: "a:1", ports: [{ port: 1000 }] },
        { name: "b", image: "b:1", dependsOn: ["a"] },
      ],
    });
    expect((parse(noHealth) as ComposeFile).services.b?.depends_on).toEqual({
      a: { condition: "service_started" },
    });
  });

  it("never writes a secret value; it points at a secrets file and says which keys it needs", () => {
    const text = renderComposeFile({
      project: "compose",
      services: seedServices("postgresql://catalog:hunter2@db/catalog"),
    });
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("DATABASE_URL=");
    const file = parse(text) as ComposeFile;
    expect(file.services["product-catalog"]?.env_file).toEqual(["./secrets/product-catalog.env"]);
    expect(text).toContain("# ./secrets/product-catalog.env must define: DATABASE_URL\n");
  });

  it("matches ComposePlatform container by container (names, image, plain env, ports, checks)", async () => {
    const file = parse(render()) as ComposeFile;
    const { resources } = await evaluateProgram(
      () => {
        new ComposePlatform("compose", { services: SEED_SERVICES });
      },
      { outputsFor: platformOutputs },
    );
    for (const [service, entry] of Object.entries(file.services)) {
      const container = byName(resources, `compose-${service}`).inputs;
      expect(entry.container_name).toBe(container.name);
      expect(container.image).toBe(`sha256-of-${String(entry.image)}`);
      // Secret entries are `{ secret }` markers of their own; the Compose file leaves them out.
      const plainEnvs = (container.envs as unknown[]).filter((e) => typeof e === "string");
      const plain = Object.entries(entry.environment as Record<string, string>).map(
        ([k, v]) => `${k}=${v}`,
      );
      expect(plainEnvs).toEqual(plain);
      const ports = container.ports as { internal: number; external: number }[];
      expect(entry.ports).toEqual(ports.map((p) => `${p.external}:${p.internal}`));
      const hc = container.healthcheck as { tests: string[]; interval: string };
      expect(entry.healthcheck).toMatchObject({ test: hc.tests, interval: hc.interval });
      expect(entry.restart).toBe(container.restart);
    }
  });

  it("renders remote dependencies as addresses, not depends_on", () => {
    const file = parse(
      renderComposeFile({
        project: "compose",
        services: SEED_SERVICES.filter((s) => s.name !== "inventory"),
        remoteServices: { inventory: "10.0.0.20:8084" },
      }),
    ) as ComposeFile;
    expect(file.services.orders?.environment).toMatchObject({
      INVENTORY_ADDRESS: "10.0.0.20:8084",
    });
    expect(Object.keys(file.services.orders?.depends_on as object)).toEqual([
      "platform-coordination",
      "product-catalog",
    ]);
  });
});

describe("renderComposeFile escaping", () => {
  it("keeps a literal $ literal (Compose would interpolate it) and quotes ports", () => {
    const text = renderComposeFile({
      project: "p",
      services: [
        {
          name: "web",
          image: "nginx:1.27",
          ports: [
            { port: 80, published: 8080 },
            { port: 53, protocol: "UDP" },
          ],
          env: { PRICE_FORMAT: "$%.2f", HOME_DIR: "${HOME}" },
        },
      ],
    });
    expect(text).toContain('      - "8080:80"\n      - "53:53/udp"\n');
    const file = parse(text) as ComposeFile;
    expect(file.services.web?.environment).toEqual({
      HOME_DIR: "$${HOME}",
      PRICE_FORMAT: "$$%.2f",
    });
  });

  it("carries a scale-to-zero over as deploy.replicas: 0", () => {
    const file = parse(
      renderComposeFile({
        project: "p",
        services: [{ name: "web", image: "nginx:1.27", replicas: 0 }],
      }),
    ) as ComposeFile;
    expect(file.services.web?.deploy).toEqual({ replicas: 0 });
  });
});
