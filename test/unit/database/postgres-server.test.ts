import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { PostgresServer } from "../../../components/database/PostgresServer";
import { evaluateProgram } from "../../../tools/evaluate";
import { byName, byTypeAndName, inventory, plainTextLeaks, value } from "./mock-helpers";
import { composeRef, k3sRef } from "./platform-refs";

describe("PostgresServer on Compose", () => {
  it("creates a volume, the server container and an exporter neighbour, secrets kept secret", async () => {
    const { resources, result } = await evaluateProgram(async () => {
      const server = new PostgresServer("orders-db", {
        platform: composeRef,
        superuserPassword: "s3cret/pw",
        database: "orders",
      });
      return {
        url: await value(server.connectionUrl),
        external: await value(server.externalConnectionUrl),
        secret: await pulumi.isSecret(server.connectionUrl),
        metrics: { ...server.metrics, address: await value(server.metrics.address) },
      };
    });
    expect(inventory(resources)).toEqual([
      ["docker:index/container:Container", "orders-db"],
      ["docker:index/container:Container", "orders-db-exporter"],
      ["docker:index/volume:Volume", "orders-db-data"],
      ["stepwise:database:PostgresServer", "orders-db"],
    ]);
    const component = byTypeAndName(resources, "stepwise:database:PostgresServer", "orders-db");
    const server = byTypeAndName(resources, "docker:index/container:Container", "orders-db");
    const volume = byName(resources, "orders-db-data");
    const exporter = byName(resources, "orders-db-exporter");
    for (const child of [volume, server, exporter]) expect(child.parent).toBe(component.urn);
    expect(volume.inputs).toEqual({ name: "compose-orders-db-data" });
    expect(server.inputs).toMatchObject({
      name: "compose-orders-db",
      image: "postgres:15.8",
      ports: [{ internal: 5432, external: 5432 }],
      volumes: [
        { volumeName: "compose-orders-db-data", containerPath: "/var/lib/postgresql/data" },
      ],
      networksAdvanced: [{ name: "compose-net", aliases: ["compose-orders-db"] }],
      restart: "unless-stopped",
      envs: {
        secret: [
          "POSTGRES_USER=postgres",
          "POSTGRES_PASSWORD=s3cret/pw",
          "POSTGRES_DB=orders",
          "PGDATA=/var/lib/postgresql/data/pgdata",
        ],
      },
    });
    expect(exporter.inputs).toMatchObject({
      name: "compose-orders-db-exporter",
      image: "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
      envs: {
        secret: [
          "DATA_SOURCE_NAME=postgresql://postgres:s3cret%2Fpw@compose-orders-db:5432/orders?sslmode=disable",
        ],
      },
    });
    expect(exporter.dependencies).toContain(server.urn);
    expect(result).toEqual({
      url: "postgresql://postgres:s3cret%2Fpw@compose-orders-db:5432/orders",
      external: "postgresql://postgres:s3cret%2Fpw@host.docker.internal:5432/orders",
      secret: true,
      metrics: {
        job: "orders-db",
        address: "compose-orders-db-exporter:9187",
        path: "/metrics",
        system: "postgres",
      },
    });
    expect(plainTextLeaks(resources, "s3cret")).toEqual([]);
    expect(JSON.stringify(resources)).toContain("s3cret"); // present, but only inside secrets
  });

  it("refuses an external port outside the platform's range, naming the field", () => {
    expect(
      () =>
        new PostgresServer("db", { platform: k3sRef, superuserPassword: "x", externalPort: 5432 }),
    ).toThrow(
      "PostgresServer db: externalPort 5432 is not usable on k3s; pick an integer from 30000 to 32767 (the NodePort range).",
    );
  });
});

describe("PostgresServer on K3s", () => {
  it("creates a Secret, headless and NodePort Services and a StatefulSet with an exporter sidecar", async () => {
    const { resources, result } = await evaluateProgram(async () => {
      const server = new PostgresServer("orders-db", {
        platform: k3sRef,
        superuserPassword: "k3s-pw-123",
        image: "postgres:15.8-bookworm",
      });
      return {
        host: await value(server.host),
        external: await value(server.externalConnectionUrl),
      };
    });
    expect(inventory(resources)).toEqual([
      ["kubernetes:apps/v1:StatefulSet", "orders-db"],
      ["kubernetes:core/v1:Secret", "orders-db-credentials"],
      ["kubernetes:core/v1:Service", "orders-db"],
      ["kubernetes:core/v1:Service", "orders-db-external"],
      ["stepwise:database:PostgresServer", "orders-db"],
    ]);
    const component = byTypeAndName(resources, "stepwise:database:PostgresServer", "orders-db");
    for (const child of resources.filter((r) => r !== component))
      expect(child.parent).toBe(component.urn);
    const secret = byName(resources, "orders-db-credentials");
    expect(secret.inputs.stringData).toEqual({
      secret: {
        "postgres-password": "k3s-pw-123",
        "data-source-name":
          "postgresql://postgres:k3s-pw-123@localhost:5432/postgres?sslmode=disable",
      },
    });
    const statefulSet = byTypeAndName(resources, "kubernetes:apps/v1:StatefulSet", "orders-db");
    const spec = statefulSet.inputs.spec as {
      serviceName: string;
      template: { spec: { containers: { name: string; image: string; env: unknown[] }[] } };
      volumeClaimTemplates: unknown[];
    };
    expect(spec.serviceName).toBe("k3s-orders-db");
    expect(spec.template.spec.containers.map((c) => [c.name, c.image])).toEqual([
      ["postgres", "postgres:15.8-bookworm"],
      ["exporter", "quay.io/prometheuscommunity/postgres-exporter:v0.15.0"],
    ]);
    expect(spec.template.spec.containers[0].env).toEqual([
      { name: "POSTGRES_USER", value: "postgres" },
      { name: "POSTGRES_DB", value: "postgres" },
      { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
      {
        name: "POSTGRES_PASSWORD",
        valueFrom: {
          secretKeyRef: { name: "k3s-orders-db-credentials", key: "postgres-password" },
        },
      },
    ]);
    expect(spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: "data" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: "local-path",
          resources: { requests: { storage: "10Gi" } },
        },
      },
    ]);
    const external = byName(resources, "orders-db-external").inputs.spec as {
      type: string;
      ports: unknown[];
    };
    expect(external).toMatchObject({ type: "NodePort", ports: [{ port: 5432, nodePort: 30432 }] });
    expect(plainTextLeaks(resources, "k3s-pw-123")).toEqual([]);
    expect(result).toEqual({
      host: "k3s-orders-db.shop.svc.cluster.local",
      external: "postgresql://postgres:k3s-pw-123@10.0.0.5:30432/postgres",
    });
  });
});
