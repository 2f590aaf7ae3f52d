import { describe, expect, it } from "vitest";
import { addressEnvName, resolveService, startOrder } from "../../../components/spec/resolve";
import { SEED_SERVICES } from "../../support/seed-platform";

describe("resolveService", () => {
  it("fills every default of a minimal spec", () => {
    expect(resolveService({ name: "web", image: "nginx:1.27" })).toEqual({
      name: "web",
      image: "nginx:1.27",
      command: undefined,
      args: undefined,
      ports: [],
      env: {},
      secretEnv: {},
      healthCheck: undefined,
      replicas: 2,
      resources: {},
      volumes: [],
      dependsOn: [],
      waitFor: {},
      labels: {},
      annotations: {},
      metrics: undefined,
    });
  });

  it("defaults a service with a volume to one replica and 1024 MiB", () => {
    const resolved = resolveService({
      name: "db",
      image: "postgres:15.8",
      volumes: [{ name: "data", mountPath: "/var/lib/postgresql/data" }],
    });
    expect(resolved.replicas).toBe(1);
    expect(resolved.volumes).toEqual([
      { name: "data", mountPath: "/var/lib/postgresql/data", sizeMiB: 1024 },
    ]);
  });

  it("overlays explicit env on .env and explicit secret env on .env.secret", () => {
    const resolved = resolveService({
      name: "web",
      image: "nginx:1.27",
      envFile: "LOG_LEVEL=debug\nREGION=eu",
      env: { LOG_LEVEL: "info" },
      secretEnvFile: "API_KEY=from-file\nDB_PASSWORD=pw",
      secretEnv: { API_KEY: "explicit" },
    });
    expect(resolved.env).toEqual({ LOG_LEVEL: "info", REGION: "eu" });
    expect(resolved.secretEnv).toEqual({ API_KEY: "explicit", DB_PASSWORD: "pw" });
  });

  it("fills port, health check and metrics defaults", () => {
    const resolved = resolveService({
      name: "web",
      image: "nginx:1.27",
      ports: [
        { port: 80, published: 8080 },
        { port: 53, protocol: "UDP" },
      ],
      healthCheck: { command: ["true"] },
      metrics: { port: 80 },
    });
    expect(resolved.ports).toEqual([
      { port: 80, published: 8080, protocol: "TCP", name: "p80" },
      { port: 53, published: 53, protocol: "UDP", name: "p53" },
    ]);
    expect(resolved.healthCheck).toEqual({
      command: ["true"],
      http: undefined,
      intervalSeconds: 10,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: 0,
    });
    expect(resolved.metrics).toEqual({ port: 80, path: "/metrics" });
  });
});

describe("startOrder", () => {
  it("puts dependencies first and keeps input order otherwise", () => {
    expect(startOrder(SEED_SERVICES).map((s) => s.name)).toEqual([
      "platform-coordination",
      "product-catalog",
      "inventory",
      "orders",
    ]);
  });

  it("refuses a cycle rather than looping", () => {
    expect(() =>
      startOrder([
        { name: "a", dependsOn: ["b"] },
        { name: "b", dependsOn: ["a"] },
      ]),
    ).toThrow("dependency cycle a -> b -> a");
  });
});

describe("addressEnvName", () => {
  it.each([
    ["orders", "ORDERS_ADDRESS"],
    ["product-catalog", "PRODUCT_CATALOG_ADDRESS"],
  ])("%s -> %s", (name, env) => expect(addressEnvName(name)).toBe(env));
});
