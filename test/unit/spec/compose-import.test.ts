import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ComposeImportError,
  ServiceSpecError,
  importComposeFile,
  validateServiceSpecs,
} from "../../../components/spec";
import { composeDurationSeconds, mebibytes } from "../../../components/spec/compose/units";
import { dnsLabelFor, envKeyFor } from "../../../components/spec/compose/normalised-names";

const rendered = readFileSync(
  join(__dirname, "../../fixtures/platform/docker-compose.yml"),
  "utf8",
);

describe("importComposeFile", () => {
  it("reads back the rendered four-service file, naming what it could not carry over", () => {
    const { services, warnings, todos } = importComposeFile(rendered, "docker-compose.yml");
    expect(services.map((s) => s.name)).toEqual([
      "platform-coordination",
      "product-catalog",
      "inventory",
      "orders",
    ]);
    expect(services[0]).toEqual({
      name: "platform-coordination",
      image: "firstviscount/platform-coordination:1.2.0",
      ports: [{ port: 8080 }],
      env: { LOG_LEVEL: "info" },
      healthCheck: {
        command: ["sh", "-c", "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1"],
        intervalSeconds: 10,
        timeoutSeconds: 3,
        retries: 3,
        startPeriodSeconds: 15,
      },
      resources: { cpu: 0.5, memoryMiB: 256 },
      // The rendered file's Docker volume, so ComposePlatform re-attaches the same data.
      volumes: [
        {
          name: "platform-coordination-state",
          mountPath: "/var/lib/coordination",
          dockerName: "compose-platform-coordination-state",
        },
      ],
      labels: { "stepwise.platform": "compose", "stepwise.service": "platform-coordination" },
      replicas: 1,
    });
    expect(services[3]?.dependsOn).toEqual([
      "platform-coordination",
      "product-catalog",
      "inventory",
    ]);
    expect(warnings).toEqual([]);
    expect(todos).toEqual([
      'docker-compose.yml: volumes.platform-coordination-state: ComposePlatform re-attaches the Docker volume "compose-platform-coordination-state" (dockerName); on K3s the volume starts empty: copy the data across before moving a service that mounts it',
      "docker-compose.yml: services.product-catalog.env_file ./secrets/product-catalog.env: its text is not in the Compose file; pass it as envFile or secretEnvFile",
    ]);
  });

  it("reads the other Compose forms: list env, list depends_on, long ports, string health test", () => {
    const { services, warnings } = importComposeFile(`
services:
  db:
    image: postgres:15.8
    environment: ["POSTGRES_DB=app", "EMPTY="]
    ports:
      - "127.0.0.1:15432:5432"
      - target: 9187
        published: 19187
      - "53/udp"
    healthcheck:
      test: pg_isready -U app
      interval: 1m30s
    deploy: { replicas: 1, resources: { limits: { memory: 1g } } }
  api:
    image: repo/api:3.1.0
    command: ["serve", "--port", "80"]
    entrypoint: /bin/api
    depends_on: [db]
    labels: ["team=core"]
`);
    expect(warnings).toEqual([
      "docker-compose.yml: services.db.ports[2]: Compose publishes container port 53 on a random host port; the spec publishes it on 53",
    ]);
    expect(services).toEqual([
      {
        name: "db",
        image: "postgres:15.8",
        ports: [
          { port: 5432, published: 15432, hostIp: "127.0.0.1" },
          { port: 9187, published: 19187 },
          { port: 53, protocol: "UDP" },
        ],
        env: { POSTGRES_DB: "app", EMPTY: "" },
        // Docker's defaults for what the file leaves out, not the spec's shorter ones.
        healthCheck: {
          command: ["sh", "-c", "pg_isready -U app"],
          intervalSeconds: 90,
          timeoutSeconds: 30,
          retries: 3,
          startPeriodSeconds: 0,
        },
        replicas: 1,
        resources: { memoryMiB: 1024 },
      },
      {
        name: "api",
        image: "repo/api:3.1.0",
        command: ["/bin/api"],
        args: ["serve", "--port", "80"],
        replicas: 1,
        dependsOn: ["db"],
        // The short form waits until started, though db has a health check.
        waitFor: { db: "started" },
        labels: { team: "core" },
      },
    ]);
  });

  it("warns about what other converters drop silently: bind mounts, unknown keys, a host port range", () => {
    const { services, warnings } = importComposeFile(`
services:
  web:
    image: nginx:1.27
    volumes: ["./html:/usr/share/nginx/html", "cache:/var/cache/nginx"]
    ports: ["8000-8010:80"]
    privileged: true
volumes:
  cache: {}
`);
    expect(services[0]?.volumes).toEqual([
      { name: "cache", mountPath: "/var/cache/nginx", dockerName: "p_cache" },
    ]);
    expect(services[0]?.ports).toEqual([{ port: 80, published: 8000 }]);
    expect(warnings).toEqual([
      "docker-compose.yml: services.web.privileged: true: not carried over; set it on the platform or drop it",
      'docker-compose.yml: services.web.ports[0]: "8000-8010:80": Compose takes the first free host port of 8000-8010; the spec publishes it on 8000',
      'docker-compose.yml: services.web.volumes[0]: "./html:/usr/share/nginx/html": bind mounts, anonymous volumes and tmpfs are not carried over; use a named volume',
    ]);
  });

  it("imports an unpinned image with a warning and a to-do; deploys refuse it until pinned", () => {
    const result = importComposeFile("services:\n  web:\n    image: nginx\n    ports: [80]\n");
    expect(result.services).toEqual([
      { name: "web", image: "nginx", ports: [{ port: 80 }], replicas: 1 },
    ]);
    expect(result.warnings).toContain(
      'docker-compose.yml: services.web.image: "nginx" is not pinned: it has no tag, which means :latest',
    );
    expect(result.todos).toEqual([
      'docker-compose.yml: services.web.image: "nginx": pin a version tag (e.g. "repo/app:1.4.2") or a digest ("repo/app@sha256:…") before deploying; platform compose-file and the platforms refuse it until then',
    ]);
    expect(() => validateServiceSpecs(result.services)).toThrow(ServiceSpecError);
    expect(() => validateServiceSpecs(result.services)).toThrow(
      'service "web": image = "nginx": must pin a tag or digest',
    );
  });

  it("--strict refuses what would be a warning or a to-do, listing each", () => {
    const text = "services:\n  web:\n    image: nginx:1.27.3\n    privileged: true\n";
    expect(() => importComposeFile(text, "a.yml", { strict: true })).toThrow(ComposeImportError);
    expect(() => importComposeFile(text, "a.yml", { strict: true })).toThrow(
      "cannot import the Compose file:\n  - a.yml: services.web.privileged: true: not carried over",
    );
    expect(importComposeFile(text, "a.yml").services).toHaveLength(1);
  });

  it("refuses a file without a services mapping", () => {
    expect(() => importComposeFile("version: '3'\n", "old.yml")).toThrow(
      "old.yml: services: expected a mapping, found nothing",
    );
  });

  it("keeps the warnings of a refused file and names service and field in each problem", () => {
    let error: unknown;
    try {
      importComposeFile(
        "services:\n  api:\n    image: a/b:1.0.0\n    cap_add: [NET_ADMIN]\n    deploy: { resources: { limits: { memory: 512MiBs } } }\n",
        "x.yml",
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ComposeImportError);
    expect((error as ComposeImportError).problems).toEqual([
      'x.yml: services.api.deploy.resources.limits.memory: "512MiBs": write it like "512M", "1G" or "512MiB" (at least 1 MiB)',
    ]);
    expect((error as ComposeImportError).warnings).toEqual([
      'x.yml: services.api.cap_add: ["NET_ADMIN"]: not carried over; set it on the platform or drop it',
    ]);
  });
});

describe("Compose ports", () => {
  const ports = (entries: string) =>
    importComposeFile(`services:\n  s:\n    image: a/b:1.0.0\n    ports: ${entries}\n`);

  it.each([
    ['["5050:80"]', [{ port: 80, published: 5050 }]],
    ['["127.0.0.1:8080:80"]', [{ port: 80, published: 8080, hostIp: "127.0.0.1" }]],
    ['["0.0.0.0:8080:80"]', [{ port: 80, published: 8080 }]],
    ['["[::1]:8080:80"]', [{ port: 80, published: 8080, hostIp: "::1" }]],
    ['["8080:80/tcp"]', [{ port: 80, published: 8080 }]],
    ['["1234:1235/udp"]', [{ port: 1235, published: 1234, protocol: "UDP" }]],
    ['["53:53/tcp", "53:53/udp"]', [{ port: 53 }, { port: 53, protocol: "UDP", name: "p53-udp" }]],
    [
      '["8000-8001:9000-9001"]',
      [
        { port: 9000, published: 8000 },
        { port: 9001, published: 8001 },
      ],
    ],
    [
      '["8080:80", "8081:80"]',
      [
        { port: 80, published: 8080 },
        { port: 80, published: 8081, name: "p80-2" },
      ],
    ],
    [
      "[{ target: 80, published: 8080, protocol: tcp }, { target: 53, published: '5353', protocol: udp, host_ip: 127.0.0.1 }]",
      [
        { port: 80, published: 8080 },
        { port: 53, published: 5353, protocol: "UDP", hostIp: "127.0.0.1" },
      ],
    ],
  ])("%s", (entries, expected) => {
    expect(ports(entries).services[0]?.ports).toEqual(expected);
  });

  it("keeps host and container port apart in a Service-ready way and never yields an empty port list", () => {
    const result = importComposeFile("services:\n  w:\n    image: a/b:1.0.0\n");
    expect(result.services[0]).toEqual({ name: "w", image: "a/b:1.0.0", replicas: 1 });
  });

  it.each([
    ['["eighty:80"]', 's.ports[0]: "eighty:80": not a port'],
    ['["8000-8002:80-81"]', "3 host ports"],
    ["[{ target: 80, published: 'x' }]", 's.ports[0].published: "x": give a host port or range'],
    ['["80/sctp"]', 'protocol "sctp": only tcp and udp are carried over'],
    ['["70000:80"]', "ports must run from 1 to 65535"],
  ])("refuses %s naming the field", (entries, message) => {
    expect(() => ports(entries)).toThrow(message);
  });
});

describe("Compose interpolation", () => {
  const env = { TAG: "1.2.3", EMPTY: "" };
  const one = (value: string, vars: Record<string, string> = env) =>
    importComposeFile(
      `services:\n  s:\n    image: a/b:1.0.0\n    environment:\n      V: ${JSON.stringify(value)}\n`,
      "c.yml",
      { env: vars },
    );

  it.each([
    ["${TAG}", "1.2.3"],
    ["$TAG", "1.2.3"],
    ["v$TAG-x", "v1.2.3-x"],
    ["${MISSING:-dflt}", "dflt"],
    ["${EMPTY:-dflt}", "dflt"],
    ["${EMPTY-dflt}", ""],
    ["${MISSING-dflt}", "dflt"],
    ["${TAG:+set}", "set"],
    ["${EMPTY:+set}", ""],
    ["${MISSING:-${TAG}}", "1.2.3"],
    ["$$TAG", "$TAG"],
    ["$$(cat /pid)", "$(cat /pid)"],
    ["cost: 5$", "cost: 5$"],
  ])("%s -> %s", (value, expected) => {
    expect(one(value).services[0]?.env).toEqual({ V: expected });
  });

  it("takes .env beside the file under the environment", () => {
    const result = importComposeFile(
      "services:\n  s:\n    image: a/b:${TAG}\n    environment: [A=$A, KEYONLY]\n",
      "dir/docker-compose.yml",
      { env: { TAG: "2.0.0" }, dotEnv: "TAG=1.0.0\nA=from-dotenv\nKEYONLY=k\n" },
    );
    expect(result.services[0]).toMatchObject({
      image: "a/b:2.0.0",
      env: { A: "from-dotenv", KEYONLY: "k" },
    });
  });

  it("warns about an unset variable, which becomes empty as in Compose", () => {
    expect(one("${NOPE}").warnings).toEqual([
      'c.yml: services.s.environment.V: variable NOPE is not set; it became "" (as in Compose); set it in the environment or in .env',
    ]);
  });

  it.each([
    ["${NEED:?give the token}", "variable NEED is not set: give the token"],
    ["${EMPTY:?}", "variable EMPTY is empty"],
    ["${NEED?}", "variable NEED is not set"],
    ["${TAG", '"${TAG": "${" has no closing "}"'],
  ])("refuses %s naming the variable and field", (value, message) => {
    expect(() => one(value)).toThrow(`c.yml: services.s.environment.V: ${message}`);
  });
});

describe("Compose names", () => {
  it.each([
    ["front_end", "front-end"],
    ["NGINX", "nginx"],
    ["db_data", "db-data"],
    ["my.service", "my-service"],
    ["1st", "svc-1st"],
    ["web", "web"],
  ])("%s -> %s", (name, label) => expect(dnsLabelFor(name, "svc")).toBe(label));

  it.each([
    // Kept: Kubernetes and Docker accept dots and dashes, and programs read them literally.
    ["discovery.type", "discovery.type"],
    ["server-port", "server-port"],
    ["my var", "my_var"],
    ["9LIVES", "_9LIVES"],
    ["PATH", "PATH"],
  ])("env %s -> %s", (key, name) => expect(envKeyFor(key)).toBe(name));

  it("refuses two names that normalise alike", () => {
    expect(() =>
      importComposeFile("services:\n  a_b: { image: x/y:1.0.0 }\n  a-b: { image: x/y:1.0.0 }\n"),
    ).toThrow('services.a-b: becomes "a-b", like services.a_b; rename one of them');
  });

  it("renames dependencies with their services", () => {
    const { services } = importComposeFile(
      "services:\n  Web_App: { image: x/y:1.0.0, depends_on: [DB] }\n  DB: { image: p/q:1.0.0, ports: [5432] }\n",
    );
    expect(services.map((s) => [s.name, s.dependsOn])).toEqual([
      ["web-app", ["db"]],
      ["db", undefined],
    ]);
  });
});

describe("Compose units", () => {
  it.each([
    ["10s", 10],
    ["1m30s", 90],
    ["500ms", 0.5],
    ["1h", 3600],
  ])("duration %s = %d s", (text, seconds) => expect(composeDurationSeconds(text)).toBe(seconds));

  it("rejects a duration without a unit", () => {
    expect(() => composeDurationSeconds("10")).toThrow(
      'duration "10": write it like "10s", "1m30s" or "500ms"',
    );
  });

  it.each([
    ["512M", 512],
    ["512m", 512],
    ["1g", 1024],
    ["1.5G", 1536],
    ["2048k", 2],
    ["1073741824", 1024],
    ["512MiB", 512],
  ])("memory %s = %d MiB", (text, mib) => expect(mebibytes(text)).toBe(mib));

  it("rejects an unreadable memory size", () => {
    expect(() => mebibytes("lots")).toThrow('memory "lots": write it like "512M" or "1G"');
  });
});
