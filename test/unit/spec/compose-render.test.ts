import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ComposePlatform, K3sPlatform } from "../../../components/platform";
import { containerLabels } from "../../../components/platform/compose-service";
import {
  deploymentSpec,
  resourcesFor,
  startWaits,
  waitContainers,
  WAIT_IMAGE,
} from "../../../components/platform/k3s-workload";
import { renderComposeFile } from "../../../components/platform/compose-file";
import { validateServiceSpecs, type ServiceSpec } from "../../../components/spec";
import { resolveService } from "../../../components/spec/resolve";
import { evaluateProgram } from "../../../tools/evaluate";
import { byName, platformOutputs } from "../platform/support";

// A database with a health check, a migration job others wait for, a worker without ports, and
// a web process that waits for all three in Compose's three ways.
const check = { command: ["pg_isready"], intervalSeconds: 5 };
const SPECS: ServiceSpec[] = [
  { name: "db", image: "postgres:16.4", ports: [{ port: 5432 }], healthCheck: check, replicas: 1 },
  { name: "migrate", image: "shop/web:2.0.0", args: ["migrate"], dependsOn: ["db"], replicas: 1 },
  { name: "worker", image: "shop/worker:2.0.0", replicas: 1 },
  {
    name: "web",
    image: "shop/web:2.0.0",
    ports: [{ port: 8000 }],
    dependsOn: ["db"],
    waitFor: { migrate: "completed", worker: "started" },
    replicas: 1,
  },
];

describe("waitFor (Compose's depends_on conditions) on both platforms", () => {
  it("validates names, healthy without a check, and cycles through waitFor", () => {
    expect(() =>
      validateServiceSpecs([
        { name: "a", image: "x/a:1.0.0", waitFor: { b: "healthy", c: "started", a: "started" } },
        { name: "b", image: "x/b:1.0.0", waitFor: { a: "started" } },
      ]),
    ).toThrow(
      [
        'service "a": waitFor.b = "healthy": "b" has no healthCheck; give it one or wait for "started"',
        'service "a": waitFor.c = "started": no such service; known services are a, b',
        'service "a": waitFor.a = "started": a service cannot wait for itself',
        'service "a": dependsOn and waitFor form a cycle a -> b -> a',
      ].join("\n  - "),
    );
  });

  it("renders depends_on conditions, and a run-once service with restart no, in the Compose file", () => {
    const file = parse(renderComposeFile({ project: "shop", services: SPECS })) as {
      services: Record<string, { depends_on?: unknown; restart: string }>;
    };
    expect(file.services.web?.depends_on).toEqual({
      db: { condition: "service_healthy" },
      migrate: { condition: "service_completed_successfully" },
      worker: { condition: "service_started" },
    });
    expect(file.services.migrate?.depends_on).toEqual({ db: { condition: "service_healthy" } });
    expect(file.services.migrate?.restart).toBe("no");
    expect(file.services.web?.restart).toBe("unless-stopped");
  });

  it("runs a run-once service attached on ComposePlatform, and gates its dependents on exit 0", async () => {
    const { resources } = await evaluateProgram(
      () => ({ ref: new ComposePlatform("shop", { services: SPECS }).ref }),
      { outputsFor: platformOutputs },
    );
    const migrate = byName(resources, "shop-migrate").inputs;
    expect(migrate).toMatchObject({ attach: true, mustRun: false, restart: "no", wait: false });
    const web = byName(resources, "shop-web").inputs as { labels: { label: string }[] };
    expect(web.labels.map((l) => l.label)).toContain("stepwise.completed-shop-migrate");
    expect(byName(resources, "shop-db").inputs).toMatchObject({
      wait: true,
      restart: "unless-stopped",
    });
  });

  it("waits on K3s with an init container per dependency that has a port, and refuses completed", () => {
    const resolved = SPECS.map(resolveService);
    expect(() => startWaits(resolved, [])).toThrow(
      'service "web": waitFor.migrate = "completed": K3sPlatform runs services as Deployments, which never complete',
    );
    const k3s = [
      resolved[0],
      resolved[2],
      { ...resolved[3], waitFor: { worker: "started" as const } },
    ];
    const waits = startWaits(
      k3s.filter((s) => s !== undefined),
      [{ name: "cache", host: "10.0.0.5", ports: [6379] }],
    );
    expect(waits.get("web")).toEqual([{ service: "db", port: 5432 }]);
    const [init] = waitContainers([{ service: "db", port: 5432 }]);
    expect(init).toEqual({
      name: "wait-db",
      image: WAIT_IMAGE,
      command: [
        "sh",
        "-c",
        'until nc -z -w 2 db 5432; do echo "waiting for db:5432"; sleep 2; done',
      ],
    });
  });

  it("gives a K3s service without ports no Service (the API server refuses one without ports)", async () => {
    const services = SPECS.filter((s) => s.name !== "migrate").map((s) =>
      s.name === "web" ? { ...s, waitFor: { worker: "started" as const } } : s,
    );
    const { resources } = await evaluateProgram(() => ({
      ref: new K3sPlatform("k3s", { services }).ref,
    }));
    const kinds = resources.map((r) => `${r.type} ${r.name}`);
    expect(kinds).toContain("kubernetes:apps/v1:Deployment k3s-worker");
    expect(kinds).not.toContain("kubernetes:core/v1:Service k3s-worker-service");
    const web = byName(resources, "k3s-web").inputs as {
      spec: { template: { spec: { initContainers: { name: string }[] } } };
    };
    expect(web.spec.template.spec.initContainers.map((c) => c.name)).toEqual(["wait-db"]);
  });
});

describe("reservations on both platforms", () => {
  const api: ServiceSpec = {
    name: "api",
    image: "shop/api:1.0.0",
    ports: [{ port: 80 }],
    replicas: 1,
    resources: { cpu: 1.5, memoryMiB: 512, cpuRequest: 0.25, memoryRequestMiB: 256 },
  };

  it("gives K3s requests from the reservations and limits from the limits", () => {
    expect(resourcesFor(resolveService(api).resources)).toEqual({
      requests: { cpu: "250m", memory: "256Mi" },
      limits: { cpu: "1500m", memory: "512Mi" },
    });
    expect(resourcesFor({ memoryRequestMiB: 64 })).toEqual({ requests: { memory: "64Mi" } });
  });

  it("writes both into the Compose file", () => {
    const file = parse(renderComposeFile({ project: "shop", services: [api] })) as {
      services: { api: { deploy: unknown } };
    };
    expect(file.services.api.deploy).toEqual({
      resources: {
        limits: { cpus: "1.5", memory: "512M" },
        reservations: { cpus: "0.25", memory: "256M" },
      },
    });
  });
});

describe("labels and annotations", () => {
  const proxy = {
    name: "whoami",
    image: "traefik/whoami:v1.10.3",
    labels: { "traefik.enable": "true" },
    annotations: { "traefik.http.routers.whoami.rule": "Host(`a.test`)" },
  };

  it("refuses a label Kubernetes would refuse, pointing at annotations", () => {
    expect(() =>
      validateServiceSpecs([{ ...proxy, labels: { rule: "Host(`a.test`)", "bad key!": "x" } }]),
    ).toThrow(
      /labels.*put other text in annotations[\s\S]*keys must be Kubernetes qualified names/,
    );
  });

  it("puts annotations on the K3s pod and among the Docker labels", () => {
    const resolved = resolveService(proxy);
    const spec = deploymentSpec("k3s", resolved, { configDigest: "d" });
    expect(spec.template).toMatchObject({
      metadata: { annotations: proxy.annotations, labels: proxy.labels },
    });
    expect(containerLabels("compose", resolved)).toMatchObject({
      ...proxy.labels,
      ...proxy.annotations,
    });
  });
});

describe("host addresses and existing Docker volumes on Compose", () => {
  const specs: ServiceSpec[] = [
    {
      name: "admin",
      image: "shop/admin:1.0.0",
      ports: [
        { port: 80, published: 8080, hostIp: "127.0.0.1" },
        { port: 53, protocol: "UDP", hostIp: "::1" },
      ],
      volumes: [{ name: "data", mountPath: "/data", dockerName: "shop_data" }],
      replicas: 1,
    },
    {
      name: "backup",
      image: "shop/backup:1.0.0",
      volumes: [{ name: "data", mountPath: "/backup", dockerName: "shop_data" }],
      replicas: 1,
    },
  ];

  it("writes the host address and the real volume name into the Compose file", () => {
    const file = parse(renderComposeFile({ project: "shop", services: specs })) as {
      services: { admin: { ports: string[] } };
      volumes: Record<string, { name: string }>;
    };
    expect(file.services.admin.ports).toEqual(["127.0.0.1:8080:80", "[::1]:53:53/udp"]);
    expect(file.volumes).toEqual({
      "admin-data": { name: "shop_data" },
      "backup-data": { name: "shop_data" },
    });
  });

  it("binds the host address and shares one Docker volume on ComposePlatform", async () => {
    const { resources } = await evaluateProgram(
      () => ({ ref: new ComposePlatform("shop", { services: specs }).ref }),
      { outputsFor: platformOutputs },
    );
    const admin = byName(resources, "shop-admin").inputs as { ports: unknown[] };
    expect(admin.ports).toEqual([
      { internal: 80, external: 8080, protocol: "tcp", ip: "127.0.0.1" },
      { internal: 53, external: 53, protocol: "udp", ip: "::1" },
    ]);
    const volumes = resources.filter((r) => r.type === "docker:index/volume:Volume");
    expect(volumes.map((v) => v.name)).toEqual(["shop_data"]);
  });
});

describe("commands on K3s", () => {
  it("keeps $(…) and $$ literal, as Docker runs them (Kubernetes would expand or reduce them)", () => {
    const spec = deploymentSpec(
      "k3s",
      resolveService({
        name: "echo",
        image: "busybox:1.36.1",
        command: ["sh", "-c"],
        args: ['echo "started at $(date) by $$"'],
      }),
      { configDigest: "d" },
    ) as { template: { spec: { containers: { args: string[] }[] } } };
    expect(spec.template.spec.containers[0]?.args).toEqual(['echo "started at $$(date) by $$$$"']);
  });
});
