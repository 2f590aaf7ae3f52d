import { describe, expect, it } from "vitest";
import { CitusCluster } from "../../../components/database/CitusCluster";
import { evaluateProgram } from "../../../tools/evaluate";
import { byTypeAndName, inventory, plainTextLeaks, value } from "./mock-helpers";
import { composeRef, k3sRef } from "./platform-refs";

const SERVER = "stepwise:database:PostgresServer";
const REGISTRATION = "pulumi-nodejs:dynamic/stepwise-database:CitusNodeRegistration";

describe("CitusCluster", () => {
  it("runs a coordinator and N workers from one image and registers each worker with the coordinator", async () => {
    const { resources, result } = await evaluateProgram(async () => {
      const cluster = new CitusCluster("citus", {
        platform: composeRef,
        superuserPassword: "citus-pw",
        workers: 2,
      });
      return {
        url: await value(cluster.externalConnectionUrl),
        metrics: await Promise.all(
          cluster.metrics.map(async (m) => `${m.system} ${m.job} ${await value(m.address)}`),
        ),
      };
    });
    const containers = resources.filter((r) => r.type === "docker:index/container:Container");
    expect(
      inventory(resources).filter(
        ([type]) =>
          type !== "docker:index/container:Container" && type !== "docker:index/volume:Volume",
      ),
    ).toEqual([
      [REGISTRATION, "citus-worker-0"],
      [REGISTRATION, "citus-worker-1"],
      ["stepwise:database:CitusCluster", "citus"],
      [SERVER, "citus-coordinator"],
      [SERVER, "citus-worker-0"],
      [SERVER, "citus-worker-1"],
    ]);
    expect(
      resources
        .filter((r) => r.type === "docker:index/volume:Volume")
        .map((r) => r.inputs.name)
        .sort(),
    ).toEqual([
      "compose-citus-coordinator-data",
      "compose-citus-worker-0-data",
      "compose-citus-worker-1-data",
    ]);
    expect(containers.map((c) => [c.inputs.name, c.inputs.image, c.inputs.ports]).sort()).toEqual([
      ["compose-citus-coordinator", "citusdata/citus:12.1.5", [{ internal: 5432, external: 5433 }]],
      [
        "compose-citus-coordinator-exporter",
        "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
        undefined,
      ],
      ["compose-citus-worker-0", "citusdata/citus:12.1.5", [{ internal: 5432, external: 5434 }]],
      [
        "compose-citus-worker-0-exporter",
        "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
        undefined,
      ],
      ["compose-citus-worker-1", "citusdata/citus:12.1.5", [{ internal: 5432, external: 5435 }]],
      [
        "compose-citus-worker-1-exporter",
        "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
        undefined,
      ],
    ]);
    // Citus nodes authenticate to each other with the shared password (PGPASSWORD), kept secret.
    const coordinator = containers.find((c) => c.inputs.name === "compose-citus-coordinator");
    expect((coordinator?.inputs.envs as { secret: string[] }).secret).toContain(
      "PGPASSWORD=citus-pw",
    );

    const cluster = byTypeAndName(resources, "stepwise:database:CitusCluster", "citus");
    const coordinatorServer = byTypeAndName(resources, SERVER, "citus-coordinator");
    for (const i of [0, 1]) {
      const registration = byTypeAndName(resources, REGISTRATION, `citus-worker-${i}`);
      const worker = byTypeAndName(resources, SERVER, `citus-worker-${i}`);
      expect(registration.parent).toBe(cluster.urn);
      expect(worker.parent).toBe(cluster.urn);
      // dependsOn a component means on all its children: both servers' volumes and containers.
      const nodeChildren = resources
        .filter((r) => r.parent === coordinatorServer.urn || r.parent === worker.urn)
        .map((r) => r.urn);
      expect(nodeChildren).toHaveLength(6);
      expect([...registration.dependencies].sort()).toEqual(nodeChildren.sort());
      expect(registration.inputs).toMatchObject({
        connectionString: {
          secret: "postgresql://postgres:citus-pw@host.docker.internal:5433/postgres",
        },
        nodeName: `compose-citus-worker-${i}`,
        nodePort: 5432,
        readyTimeoutSeconds: 120,
      });
      expect(typeof registration.inputs.__provider).toBe("string");
    }
    expect(plainTextLeaks(resources, "citus-pw")).toEqual([]);
    expect(result).toEqual({
      url: "postgresql://postgres:citus-pw@host.docker.internal:5433/postgres",
      metrics: [
        "citus citus-coordinator compose-citus-coordinator-exporter:9187",
        "citus citus-worker-0 compose-citus-worker-0-exporter:9187",
        "citus citus-worker-1 compose-citus-worker-1-exporter:9187",
      ],
    });
  });

  it("registers workers by their K3s service names", async () => {
    const { resources } = await evaluateProgram(() => {
      new CitusCluster("citus", { platform: k3sRef, superuserPassword: "pw", workers: 1 });
    });
    expect(byTypeAndName(resources, REGISTRATION, "citus-worker-0").inputs).toMatchObject({
      connectionString: { secret: "postgresql://postgres:pw@10.0.0.5:30433/postgres" },
      nodeName: "k3s-citus-worker-0.shop.svc.cluster.local",
    });
    expect(
      resources
        .filter((r) => r.type === "kubernetes:apps/v1:StatefulSet")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["citus-coordinator", "citus-worker-0"]);
  });

  it.each([
    [
      { workers: 0 },
      "CitusCluster c: workers 0 must be an integer from 1 to 64; a Citus cluster needs at least one worker.",
    ],
    [
      { workers: 2, externalPort: 32766 },
      "CitusCluster c: externalPort 32768 is not usable on k3s; pick an integer from 30000 to 32767 (the NodePort range).",
    ],
  ])("refuses bad arguments before registering anything: %j", (extra, message) => {
    expect(
      () => new CitusCluster("c", { platform: k3sRef, superuserPassword: "pw", ...extra }),
    ).toThrow(message);
  });
});
