import { describe, expect, it } from "vitest";
import { resolveService } from "../../../components/spec/resolve";
import {
  bridgeObjects,
  configDigest,
  deploymentSpec,
  probeFor,
  resourcesFor,
  secretEnvRefs,
  secretKeyFor,
} from "../../../components/platform/k3s-workload";
import { dockerHealthcheck } from "../../../components/platform/compose-service";
import { SINGLE_REPLICA_ANNOTATION } from "../../../components/platform/annotations";
import { SINGLE_REPLICA_ANNOTATION as POLICY_SINGLE_REPLICA_ANNOTATION } from "../../../policies/rules/k3s-prod-workloads";

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
  it("derives Secret keys from variable names, as the seed platform does", () => {
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

describe("deploymentSpec", () => {
  it("reads no ConfigMap or Secret when a service has neither, and passes command and args", () => {
    const service = resolveService({
      name: "worker",
      image: "repo/worker:1.0.0",
      command: ["/bin/worker"],
      args: ["--queue", "orders"],
      replicas: 3,
    });
    expect(deploymentSpec("k3s", service, { configDigest: "abc" })).toEqual({
      replicas: 3,
      selector: {
        matchLabels: {
          "app.kubernetes.io/name": "worker",
          "app.kubernetes.io/instance": "k3s-worker",
        },
      },
      template: {
        metadata: {
          labels: {
            "app.kubernetes.io/name": "worker",
            "app.kubernetes.io/instance": "k3s-worker",
            "app.kubernetes.io/part-of": "k3s",
            "app.kubernetes.io/managed-by": "stepwise",
          },
          annotations: { "stepwise.dev/config-digest": "abc" },
        },
        spec: {
          containers: [
            {
              name: "worker",
              image: "repo/worker:1.0.0",
              command: ["/bin/worker"],
              args: ["--queue", "orders"],
              ports: [],
              envFrom: undefined,
              env: undefined,
              readinessProbe: undefined,
              livenessProbe: undefined,
              resources: undefined,
              volumeMounts: [],
            },
          ],
          volumes: [],
        },
      },
    });
  });

  it("records a single-replica reason on the pods, where the prod workload rule reads it", () => {
    const service = resolveService({
      name: "coordination",
      image: "repo/coordination:1.0.0",
      volumes: [{ name: "state", mountPath: "/var/lib/state" }],
      singleReplicaReason: " saga log on a ReadWriteOnce volume ",
    });
    const spec = deploymentSpec("k3s", service, { configDigest: "x" }) as {
      replicas: number;
      template: { metadata: { annotations: Record<string, string> } };
    };
    expect(spec.replicas).toBe(1);
    expect(spec.template.metadata.annotations).toEqual({
      "stepwise.dev/config-digest": "x",
      [SINGLE_REPLICA_ANNOTATION]: "saga log on a ReadWriteOnce volume",
    });
    // The policy pack reads the same annotation name.
    expect(SINGLE_REPLICA_ANNOTATION).toBe(POLICY_SINGLE_REPLICA_ANNOTATION);
  });

  it("never lets a spec label override the selector labels", () => {
    const service = resolveService({
      name: "web",
      image: "nginx:1.27",
      labels: { "app.kubernetes.io/name": "spoofed", team: "core" },
    });
    const spec = deploymentSpec("k3s", service, { configDigest: "x" }) as {
      template: { metadata: { labels: Record<string, string> } };
    };
    const labels = spec.template.metadata.labels;
    expect(labels).toMatchObject({ "app.kubernetes.io/name": "web", team: "core" });
  });
});

describe("bridgeObjects", () => {
  it.each([
    [
      { name: "inventory", host: "docker-host.lan", ports: [8084] },
      {
        service: {
          type: "ExternalName",
          externalName: "docker-host.lan",
          ports: [{ name: "p8084", port: 8084, protocol: "TCP" }],
        },
        endpoints: undefined,
      },
    ],
    [
      { name: "inventory", host: "192.168.1.10", ports: [8084, 9000] },
      {
        service: {
          type: "ClusterIP",
          ports: [
            { name: "p8084", port: 8084, protocol: "TCP" },
            { name: "p9000", port: 9000, protocol: "TCP" },
          ],
        },
        endpoints: [
          {
            addresses: [{ ip: "192.168.1.10" }],
            ports: [
              { name: "p8084", port: 8084 },
              { name: "p9000", port: 9000 },
            ],
          },
        ],
      },
    ],
  ])("%j", (external, expected) => expect(bridgeObjects(external)).toEqual(expected));
});
