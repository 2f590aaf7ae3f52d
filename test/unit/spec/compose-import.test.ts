import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ServiceSpecError,
  composeDurationSeconds,
  importComposeFile,
  mebibytes,
} from "../../../components/spec";

const rendered = readFileSync(
  join(__dirname, "../../fixtures/platform/docker-compose.yml"),
  "utf8",
);

describe("importComposeFile", () => {
  it("reads back the rendered four-service file, naming what it could not carry over", () => {
    const { services, warnings } = importComposeFile(rendered);
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
      volumes: [{ name: "platform-coordination-state", mountPath: "/var/lib/coordination" }],
      labels: { "stepwise.platform": "compose", "stepwise.service": "platform-coordination" },
    });
    expect(services[3]?.dependsOn).toEqual([
      "platform-coordination",
      "product-catalog",
      "inventory",
    ]);
    expect(warnings).toEqual([
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
    expect(warnings).toEqual([]);
    expect(services).toEqual([
      {
        name: "db",
        image: "postgres:15.8",
        ports: [
          { port: 5432, published: 15432 },
          { port: 9187, published: 19187 },
          { port: 53, protocol: "UDP" },
        ],
        env: { POSTGRES_DB: "app", EMPTY: "" },
        healthCheck: { command: ["sh", "-c", "pg_isready -U app"], intervalSeconds: 90 },
        replicas: 1,
        resources: { memoryMiB: 1024 },
      },
      {
        name: "api",
        image: "repo/api:3.1.0",
        command: ["/bin/api"],
        args: ["serve", "--port", "80"],
        dependsOn: ["db"],
        labels: { team: "core" },
      },
    ]);
  });

  it("warns about what Kompose drops silently: bind mounts, unknown keys, port ranges", () => {
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
    expect(services[0]?.volumes).toEqual([{ name: "cache", mountPath: "/var/cache/nginx" }]);
    expect(warnings).toEqual([
      "docker-compose.yml: services.web.privileged: not carried over; set it on the platform or drop it",
      'docker-compose.yml: services.web.ports[0] "8000-8010:80": ranges and other forms are not carried over',
      'docker-compose.yml: services.web.volumes[0] "./html:/usr/share/nginx/html": bind mounts and anonymous volumes are not carried over; use a named volume',
    ]);
  });

  it("validates what it imports: an unpinned image is reported, not imported", () => {
    expect(() => importComposeFile("services:\n  web:\n    image: nginx\n")).toThrow(
      ServiceSpecError,
    );
    expect(() => importComposeFile("services:\n  web:\n    image: nginx\n")).toThrow(
      'service "web": image = "nginx": must pin a tag or digest',
    );
  });

  it("refuses a file without a services mapping", () => {
    expect(() => importComposeFile("version: '3'\n", "old.yml")).toThrow(
      "old.yml: services: expected a mapping, found nothing",
    );
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
  ])("memory %s = %d MiB", (text, mib) => expect(mebibytes(text)).toBe(mib));

  it("rejects an unreadable memory size", () => {
    expect(() => mebibytes("lots")).toThrow('memory "lots": write it like "512M" or "1G"');
  });
});
