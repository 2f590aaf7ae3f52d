import { describe, expect, it } from "vitest";
import {
  configDigest,
  dockerHealthcheck,
  probeFor,
  resourcesFor,
  secretEnvRefs,
  secretKeyFor,
} from "../../../components/platform";

const check = {
  command: undefined,
  http: { path: "/health", port: 8082 },
  intervalSeconds: 10,
  timeoutSeconds: 3,
  retries: 4,
  startPeriodSeconds: 20,
};

describe("health checks on both platforms", () => {
  it("maps an HTTP check to a K3s httpGet probe with the same timings", () => {
    expect(probeFor(check)).toEqual({
      httpGet: { path: "/health", port: 8082 },
      initialDelaySeconds: 20,
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 4,
    });
  });

  it("maps a command check to exec on K3s and CMD on Docker", () => {
    const command = { ...check, http: undefined, command: ["pg_isready", "-U", "app"] };
    expect(probeFor(command)).toMatchObject({ exec: { command: ["pg_isready", "-U", "app"] } });
    expect(dockerHealthcheck(command)).toEqual({
      tests: ["CMD", "pg_isready", "-U", "app"],
      interval: "10s",
      timeout: "3s",
      retries: 4,
      startPeriod: "20s",
    });
  });
});

describe("resourcesFor", () => {
  it.each([
    [{}, undefined],
    [{ cpu: 0.25 }, { requests: { cpu: "250m" }, limits: { cpu: "250m" } }],
    [
      { cpu: 2, memoryMiB: 1536 },
      { requests: { cpu: "2000m", memory: "1536Mi" }, limits: { cpu: "2000m", memory: "1536Mi" } },
    ],
  ])("%j -> %j", (resources, expected) => expect(resourcesFor(resources)).toEqual(expected));
});

describe("secrets on K3s", () => {
  it("derives Secret keys from variable names, as migration-paths.md does", () => {
    expect(secretKeyFor("DATABASE_URL")).toBe("database-url");
  });

  it("references every secret variable through secretKeyRef, in name order", () => {
    expect(secretEnvRefs("catalog-secret", ["TOKEN", "DATABASE_URL"])).toEqual([
      {
        name: "DATABASE_URL",
        valueFrom: { secretKeyRef: { name: "catalog-secret", key: "database-url" } },
      },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "catalog-secret", key: "token" } } },
    ]);
  });
});

describe("configDigest", () => {
  it("changes with any value and ignores key order", () => {
    const a = configDigest({ A: "1", B: "2" });
    expect(configDigest({ B: "2", A: "1" })).toBe(a);
    expect(configDigest({ A: "1", B: "3" })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});
