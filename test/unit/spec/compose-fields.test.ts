import { describe, expect, it } from "vitest";
import { importComposeFile, importComposeFiles } from "../../../components/spec";
import { ImportContext } from "../../../components/spec/compose/context";
import { shellWords } from "../../../components/spec/compose/shell-words";
import { healthCheck } from "../../../components/spec/compose/healthcheck";

describe("shellWords (string command and entrypoint)", () => {
  it.each([
    ["npm start", ["npm", "start"]],
    [`sh -c "a b"`, ["sh", "-c", "a b"]],
    [`sh -c 'echo "$HOME" && exit 1'`, ["sh", "-c", `echo "$HOME" && exit 1`]],
    [`echo a\\ b "c\\"d" 'e\\f'`, ["echo", "a b", `c"d`, "e\\f"]],
    [`printf "%s\\n" x`, ["printf", "%s\\n", "x"]],
    [`a""b ''`, ["ab", ""]],
    ["  spaced\t\targs  ", ["spaced", "args"]],
    ["echo a && echo b | cat > f", ["echo", "a", "&&", "echo", "b", "|", "cat", ">", "f"]],
  ])("%s", (line, words) => expect(shellWords(line)).toEqual(words));

  it.each([
    [`sh -c "unterminated`, `unterminated " at character 7`],
    [`it's`, "unterminated ' at character 3"],
    ["trailing\\", "a backslash ends the text"],
  ])("refuses %s", (line, message) => expect(() => shellWords(line)).toThrow(message));

  it("names the service and field of an unsplittable command", () => {
    const file = `services:\n  web:\n    image: a/b:1.0.0\n    command: sh -c "oops\n`;
    expect(() => importComposeFile(file)).toThrow(
      `docker-compose.yml: services.web.command: "sh -c \\"oops": unterminated " at character 7`,
    );
  });
});

describe("healthcheck import", () => {
  const read = (value: unknown) => {
    const ctx = new ImportContext("c.yml");
    return { check: healthCheck(value, "hc", ctx), ctx };
  };

  it("fills what the file leaves out with Docker's defaults", () => {
    expect(read({ test: "curl -f localhost" }).check).toEqual({
      command: ["sh", "-c", "curl -f localhost"],
      intervalSeconds: 30,
      timeoutSeconds: 30,
      retries: 3,
      startPeriodSeconds: 0,
    });
    expect(read({ test: ["CMD", "true"], interval: "0s", retries: 5 }).check).toMatchObject({
      intervalSeconds: 30,
      retries: 5,
    });
  });

  it("keeps a timing-only check as a warning and a to-do, not as a check", () => {
    const { check, ctx } = read({ interval: "5s", retries: 2 });
    expect(check).toBeUndefined();
    expect(ctx.warnings[0]).toContain("timings without a test change the image's own HEALTHCHECK");
    expect(ctx.todos[0]).toContain("copy the image's HEALTHCHECK command");
  });

  it("warns that disabling keeps no check", () => {
    for (const value of [{ disable: true }, { test: ["NONE"] }]) {
      const { check, ctx } = read(value);
      expect(check).toBeUndefined();
      expect(ctx.warnings[0]).toContain("the image's own health check is turned off");
    }
  });

  it.each([
    [{ test: ["CMD"] }, 'hc.test: ["CMD"]: write it as a command string'],
    [{ test: "true", retries: 0 }, "hc.retries: 0: give a whole number of at least 1"],
    [{ test: "true", timeout: "soon" }, 'hc.timeout: "soon": write it like "10s"'],
  ])("refuses %j naming the field", (value, problem) => {
    expect(read(value).ctx.problems.join("\n")).toContain(problem);
  });
});

describe("environment import", () => {
  const file = (env: string) => `services:\n  app:\n    image: a/b:1.0.0\n    environment:\n${env}`;

  it("moves credentials to secretEnv without printing them", () => {
    const result = importComposeFile(
      file(
        "      DB_PASSWORD: hunter2x\n      DATABASE_URL: postgres://u:pw9@db/x\n      LOG_LEVEL: info\n      discovery.type: single-node\n",
      ),
    );
    const [app] = result.services;
    expect(app?.env).toEqual({ LOG_LEVEL: "info", "discovery.type": "single-node" });
    expect(app?.secretEnv).toEqual({
      DB_PASSWORD: "hunter2x",
      DATABASE_URL: "postgres://u:pw9@db/x",
    });
    expect(result.renames).toEqual([]);
    const printed = [...result.warnings, ...result.todos].join("\n");
    expect(printed).toContain(
      "services.app.environment.DB_PASSWORD: DB_PASSWORD is credential-like",
    );
    expect(printed).toContain("DATABASE_URL holds a URL with a password: moved to secretEnv");
    expect(printed).not.toMatch(/hunter2x|pw9/);
  });

  it("takes key-only entries from the environment, with a to-do when unset", () => {
    const result = importComposeFile(
      file("      - SESSION_SECRET\n      - REGION\n      - MISSING\n"),
      "c.yml",
      {
        env: { SESSION_SECRET: "s3cr3t-value", REGION: "eu" },
      },
    );
    expect(result.services[0]?.env).toEqual({ REGION: "eu" });
    expect(result.services[0]?.secretEnv).toEqual({ SESSION_SECRET: "s3cr3t-value" });
    expect(result.todos).toContain(
      "c.yml: services.app.environment.MISSING: set MISSING in the environment or .env before importing, or give it in the spec (secretEnv if it is a credential)",
    );
    expect(result.todos.join("\n")).toContain(
      "services.app.environment.SESSION_SECRET: taken from the environment: give SESSION_SECRET from a secret store",
    );
  });
});

describe("several files, profiles, v1", () => {
  const base = `services:
  app:
    image: a/app:1.0.0
    ports: ["80:80"]
    environment: [A=1, B=2]
    labels: [tier=web]
    healthcheck: { test: ["CMD", "old"], retries: 5 }
  tools:
    image: a/tools:1.0.0
    profiles: [ops]
`;
  const over = `services:
  app:
    ports: ["443:443"]
    environment: { B: "3" }
    labels: { team: core }
    healthcheck: { test: ["CMD", "new"] }
`;

  it("merges maps by key, appends ports, replaces lists such as a health test", () => {
    const [app] = importComposeFiles([
      { text: base, source: "a.yml" },
      { text: over, source: "b.yml" },
    ]).services;
    expect(app?.ports).toEqual([{ port: 80 }, { port: 443 }]);
    expect(app?.env).toEqual({ A: "1", B: "3" });
    expect(app?.labels).toEqual({ tier: "web", team: "core" });
    expect(app?.healthCheck).toMatchObject({ command: ["new"], retries: 5 });
  });

  it("activates profiles from the options or COMPOSE_PROFILES", () => {
    const names = (options: Parameters<typeof importComposeFiles>[1]) =>
      importComposeFiles([{ text: base, source: "a.yml" }], options).services.map((s) => s.name);
    expect(names({})).toEqual(["app"]);
    expect(names({ profiles: ["ops"] })).toEqual(["app", "tools"]);
    expect(names({ env: { COMPOSE_PROFILES: "x, ops" } })).toEqual(["app", "tools"]);
    expect(names({ profiles: ["*"] })).toEqual(["app", "tools"]);
  });

  it("names the file a YAML error is in", () => {
    expect(() =>
      importComposeFiles([
        { text: base, source: "a.yml" },
        { text: "services: [", source: "b.yml" },
      ]),
    ).toThrow("b.yml: not valid YAML");
  });
});

describe("host port clashes", () => {
  it("are a to-do only when the host addresses overlap", () => {
    const file = (a: string, b: string) =>
      `services:\n  a:\n    image: x/a:1.0.0\n    ports: ["${a}"]\n  b:\n    image: x/b:1.0.0\n    ports: ["${b}"]\n`;
    expect(importComposeFile(file("127.0.0.1:80:80", "127.0.0.2:80:80")).todos).toEqual([]);
    expect(importComposeFile(file("127.0.0.1:80:80", "80:8080")).todos).toEqual([
      "docker-compose.yml: services.b.ports: host port 80/tcp is also published by a (ComposePlatform publishes every service port on the host); give one of them another published port",
    ]);
    expect(importComposeFile(file("53:53/udp", "53:53")).todos).toEqual([]);
  });
});

describe("a dependency that is not imported", () => {
  it("is refused naming the profile as a likely reason, unless required: false", () => {
    const file = `services:
  app:
    image: x/app:1.0.0
    depends_on: { db: { condition: service_started } }
  db:
    image: x/db:1.0.0
    profiles: [db]
`;
    expect(() => importComposeFile(file)).toThrow(
      'services.app.depends_on.db: "db": not among the imported services (no such service, or only in an inactive profile: pass --profile)',
    );
    expect(importComposeFile(file, "c.yml", { profiles: ["db"] }).services[0]?.waitFor).toEqual({
      db: "started",
    });
  });
});
