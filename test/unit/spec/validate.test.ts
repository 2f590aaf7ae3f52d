import { describe, expect, it } from "vitest";
import { ServiceSpecError, isPinnedImage, validateServiceSpecs } from "../../../components/spec";
import { SEED_SERVICES } from "../../support/seed-platform";

const ok = { name: "orders", image: "firstviscount/orders:2.0.1", ports: [{ port: 8083 }] };

function problemsOf(specs: unknown[]): readonly string[] {
  try {
    validateServiceSpecs(specs);
  } catch (error) {
    if (error instanceof ServiceSpecError) return error.problems;
    throw error;
  }
  throw new Error("expected the specs to be rejected");
}

describe("validateServiceSpecs", () => {
  it("accepts the four services of the seed platform", () => {
    expect(validateServiceSpecs(SEED_SERVICES)).toBe(SEED_SERVICES);
  });

  it.each([
    [
      "missing image tag",
      [{ ...ok, image: "firstviscount/orders" }],
      'service "orders": image = "firstviscount/orders": must pin a tag or digest, e.g. "repo/app:1.4.2" or "repo/app@sha256:…" ("latest" is not allowed)',
    ],
    [
      "latest tag",
      [{ ...ok, image: "firstviscount/orders:latest" }],
      'service "orders": image = "firstviscount/orders:latest": must pin a tag or digest, e.g. "repo/app:1.4.2" or "repo/app@sha256:…" ("latest" is not allowed)',
    ],
    [
      "single-replica reason with two replicas",
      [{ ...ok, replicas: 2, singleReplicaReason: "saga log" }],
      'service "orders": replicas = 2: must be 0 or 1 when singleReplicaReason is set; drop one of the two',
    ],
    [
      "empty single-replica reason",
      [{ ...ok, singleReplicaReason: "  " }],
      'service "orders": singleReplicaReason = "  ": must say why the service runs as one replica (or leave it out)',
    ],
    [
      "port out of range",
      [{ ...ok, ports: [{ port: 8083 }, { port: 70000 }] }],
      'service "orders": ports[1].port = 70000: must be an integer from 1 to 65535',
    ],
    [
      "port zero",
      [{ ...ok, ports: [{ port: 0 }] }],
      'service "orders": ports[0].port = 0: must be an integer from 1 to 65535',
    ],
    [
      "duplicate names",
      [ok, { ...ok }],
      'service "orders": name is used by more than one service; names must be unique',
    ],
    [
      "unknown dependency",
      [{ ...ok, dependsOn: ["payments"] }],
      'service "orders": dependsOn[0] = "payments": no such service; known services are ["orders"]',
    ],
    [
      "dependency cycle",
      [
        { ...ok, dependsOn: ["inventory"] },
        {
          name: "inventory",
          image: "firstviscount/inventory:1.1.0",
          ports: [{ port: 8084 }],
          dependsOn: ["catalog"],
        },
        {
          name: "catalog",
          image: "firstviscount/product-catalog:1.4.2",
          ports: [{ port: 8082 }],
          dependsOn: ["orders"],
        },
      ],
      'service "orders": dependsOn and waitFor form a cycle orders -> inventory -> catalog -> orders; remove one of these dependencies',
    ],
    [
      "self dependency",
      [{ ...ok, dependsOn: ["orders"] }],
      'service "orders": dependsOn[0] = "orders": a service cannot depend on itself',
    ],
    [
      "dependency without a port",
      [
        ok,
        { name: "web", image: "nginx:1.27", dependsOn: ["worker"] },
        { name: "worker", image: "w:1" },
      ],
      'service "web": dependsOn[0] = "worker": "worker" has no ports, so there is no address to give; add a port to it or drop the dependency',
    ],
    [
      "negative replicas",
      [{ ...ok, replicas: -1 }],
      'service "orders": replicas = -1: must be a whole number, 0 or more',
    ],
    [
      "fractional replicas",
      [{ ...ok, replicas: 1.5 }],
      'service "orders": replicas = 1.5: must be a whole number, 0 or more',
    ],
    [
      "name not a DNS label",
      [{ ...ok, name: "Orders_API" }],
      'service "Orders_API": name = "Orders_API": must be a DNS label: lowercase letters, digits and \'-\', starting with a letter, at most 63 characters',
    ],
    [
      "misspelt field",
      [{ ...ok, replica: 2 }],
      'service "orders": unknown field(s) replica; remove them or check the spelling',
    ],
    [
      "health check with neither command nor http",
      [{ ...ok, healthCheck: { retries: 3 } }],
      'service "orders": healthCheck = {"retries":3}: give exactly one of `command` or `http`',
    ],
    [
      "metrics on an undeclared port",
      [{ ...ok, metrics: { port: 9100 } }],
      'service "orders": metrics.port = 9100: must be one of the service\'s ports [8083]; add it to ports',
    ],
    [
      "bad env file line",
      [{ ...ok, envFile: "LOG_LEVEL=info\nnot a pair" }],
      "service \"orders\": envFile line 2: expected KEY=value (no '=' found)",
    ],
    [
      "bad env key",
      [{ ...ok, env: { "log level": "info" } }],
      "service \"orders\": env key \"log level\": keys must be env names: letters, digits, '_', '-' and '.', not starting with a digit",
    ],
    [
      "two ports published on the same number",
      [{ ...ok, ports: [{ port: 8083 }, { port: 9000, published: 8083 }] }],
      'service "orders": ports: 8083/TCP is published twice; each port needs its own published number',
    ],
  ])("rejects %s with a message naming service, field and value", (_case, specs, message) => {
    expect(problemsOf(specs)).toEqual([message]);
  });

  it("reports every problem of every service in one error", () => {
    const error = (() => {
      try {
        validateServiceSpecs([
          { ...ok, replicas: -2, ports: [{ port: 99999 }] },
          { name: "inventory", image: "inventory", dependsOn: ["ghost"] },
        ]);
      } catch (e) {
        return e as ServiceSpecError;
      }
      throw new Error("expected a ServiceSpecError");
    })();
    expect(error).toBeInstanceOf(ServiceSpecError);
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(
      /^invalid service spec:\n {2}- service "orders": ports\[0\]\.port = 99999/,
    );
  });

  it("never shows a secret value in an error", () => {
    const problems = problemsOf([
      { ...ok, secretEnv: { DATABASE_URL: 42 }, secretEnvFile: "PASSWORD hunter2" },
    ]);
    expect(problems).toEqual([
      'service "orders": secretEnv.DATABASE_URL = [secret]: values must be strings or Pulumi outputs of strings (e.g. config.requireSecret)',
      "service \"orders\": secretEnvFile line 1: expected KEY=value (no '=' found)",
    ]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("accepts dependencies on services declared as running elsewhere", () => {
    const specs = [{ ...ok, dependsOn: ["inventory"] }];
    expect(() => validateServiceSpecs(specs)).toThrow(ServiceSpecError);
    expect(validateServiceSpecs(specs, { external: ["inventory"] })).toBe(specs);
  });
});

describe("isPinnedImage", () => {
  it.each([
    ["firstviscount/product-catalog:1.4.2", true],
    ["registry.local:5000/team/app:2024.11.1", true],
    [`app@sha256:${"a".repeat(64)}`, true],
    [`app:1.0@sha256:${"b".repeat(64)}`, true],
    ["app", false],
    ["app:latest", false],
    ["registry.local:5000/team/app", false],
    ["app:", false],
    ["app@sha256:short", false],
  ])("%s -> %s", (image, pinned) => {
    expect(isPinnedImage(image)).toBe(pinned);
  });
});
