/**
 * stepwise as a team installs it: `npm pack`, the tarball installed into a fresh Pulumi project
 * of its own (test/fixtures/user-project: two services that are not the seed's, its own topic),
 * typechecked against the published declarations, then planned offline with the installed
 * `stepwise` command. Nothing here reaches into the repository's sources. The pack and install
 * are installed-project.ts's, shared with the engine layer's test/engine/user-project-preview
 * test, which previews the same installed project with the real engine.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { installedVersion, npmInstall, ok, packAndInstall, REPO, run } from "./installed-project";

const PACK_EXAMPLE = join(REPO, "examples", "policy-pack");
let scratch = "";
let project = "";
let pack = "";
let tarball = "";

beforeAll(() => {
  ({ scratch, project, tarball } = packAndInstall("stepwise-package-"));
  // The pack folder as users copy it, with its dependency on the package pointed at the tarball.
  pack = join(scratch, "policy-pack");
  cpSync(PACK_EXAMPLE, pack, { recursive: true });
  const packJson = JSON.parse(readFileSync(join(pack, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  packJson.dependencies["stepwise-iac"] = `file:${tarball}`;
  packJson.dependencies["@pulumi/pulumi"] = installedVersion("@pulumi/pulumi");
  writeFileSync(join(pack, "package.json"), JSON.stringify(packJson, null, 2));
  npmInstall(pack);
}, 600_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the packed tarball", () => {
  it("holds the compiled package and its docs, no sources, tests, fixtures or caches", () => {
    const files = ok(run("tar", ["-tzf", tarball], scratch))
      .trim()
      .split("\n");
    const outside = files.filter(
      (file) =>
        !/^package\/dist\/(api|components|migrations|policies|tools)\/.+\.(js|d\.ts|js\.map|d\.ts\.map)$/.test(
          file,
        ) && !/^package\/(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(file),
    );
    expect(outside).toEqual([]);
    expect(files).toContain("package/dist/tools/cli/main.js");
    expect(files).toContain("package/dist/api/index.d.ts");
  });

  // `internal/*.js` exists only for Pulumi: a dynamic provider is serialized as a require of
  // the module defining it, and Pulumi names that module through the exports map.
  it("exposes its four entry points, and its modules only under internal/", () => {
    const script = [
      `for (const entry of ["stepwise-iac", "stepwise-iac/policies", "stepwise-iac/events", "stepwise-iac/db"]) {`,
      `  const exported = Object.keys(require(entry));`,
      `  console.log(entry + " " + exported.length);`,
      `}`,
      `try { require.resolve("stepwise-iac/dist/components/index.js"); console.log("deep import"); }`,
      `catch (error) { console.log(error.code); }`,
      `console.log(require.resolve("stepwise-iac/internal/components/events/Topic.js"));`,
    ].join("\n");
    const out = ok(run("node", ["-e", script], project));
    for (const entry of [
      "stepwise-iac",
      "stepwise-iac/policies",
      "stepwise-iac/events",
      "stepwise-iac/db",
    ]) {
      expect(out).toMatch(new RegExp(`^${entry} [1-9]\\d*$`, "m"));
    }
    expect(out).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
    expect(out).toContain(
      join("node_modules", "stepwise-iac", "dist", "components", "events", "Topic.js"),
    );
  });
});

describe("a team's own Pulumi project with stepwise installed", () => {
  it("typechecks against the published declarations", () => {
    const tsc = join(project, "node_modules", ".bin", "tsc");
    const result = run(tsc, ["-p", "tsconfig.json"], project);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  // pulumi's CommonJS branch calls the module's exports only when they are the function
  // itself (`export =`); an `export default` function there would register nothing.
  it("exports its program as pulumi's Node.js host calls a CommonJS program", () => {
    const script = `require("tsx/cjs/api").register(); console.log(require("./index.ts") instanceof Function);`;
    expect(ok(run("node", ["-e", script], project)).trim()).toBe("true");
  });

  it("plans its own resources with the installed command, found from its Pulumi.yaml", () => {
    const stepwise = join(project, "node_modules", ".bin", "stepwise");
    const result = run(stepwise, ["plan", "dev", "--advance", "events", "--json"], project);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const plan = JSON.parse(result.stdout) as { steps: { op: string; urn: string }[] };
    const steps = plan.steps.map((step) => `${step.op} ${step.urn.split("::").pop()}`);
    expect(steps).toEqual(
      expect.arrayContaining([
        "same platform-compose-ledger-api",
        "same platform-compose-ledger-worker",
        "create kafka-broker-0",
        "same topics-redpanda-ledger-entries",
        "create topics-kafka-ledger-entries",
        "update phase-ledger",
      ]),
    );
    expect(plan.steps.every((step) => step.urn.startsWith("urn:pulumi:dev::ledger-infra::"))).toBe(
      true,
    );
    expect(steps.filter((step) => /product-catalog|platform-coordination/.test(step))).toEqual([]);
  });

  it("advances, rolls back and drills its own stack; the monolith weights name its own services", () => {
    const stepwise = join(project, "node_modules", ".bin", "stepwise");
    const stackFile = join(project, "stacks", "Pulumi.dev.yaml");
    const original = readFileSync(stackFile, "utf8");
    const config = () =>
      (parse(readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> }).config;
    try {
      // The monolith needs its image before the consolidation path may leave microservices.
      writeFileSync(
        stackFile,
        original.replace(
          "config:\n",
          "config:\n  stepwise:monolithImage: example/ledger-monolith:1.0.0\n",
        ),
      );
      const at = ["--at", "2026-12-01T12:00:00Z"];
      const advance = run(stepwise, ["advance", "dev", "consolidation", ...at], project);
      expect(advance.status).toBe(0);
      expect(advance.stderr).toContain("consolidation microservices → monolith-parallel");
      expect(config()["stepwise:phases"]).toMatchObject({ consolidation: "monolith-parallel" });
      // No coordination service in this project: the monolith absorbs both of its services.
      expect(config()["stepwise:monolithWeights"]).toEqual({ "ledger-api": 0, "ledger-worker": 0 });
      const later = ["--at", "2026-12-01T13:00:00Z"];
      const back = run(stepwise, ["rollback", "dev", "consolidation", ...later], project);
      expect(back.status).toBe(0);
      expect(back.stderr).toContain("consolidation monolith-parallel → microservices");
      expect(config()["stepwise:phases"]).toMatchObject({ consolidation: "microservices" });
      expect(config()["stepwise:monolithWeights"]).toBeUndefined();
      const drill = run(stepwise, ["drill", "dev", ...later], project);
      expect([drill.status, drill.stdout]).toEqual([0, expect.stringContaining("dev")]);
    } finally {
      writeFileSync(stackFile, original);
    }
  });

  it("reviews a preview of any program with the installed command", () => {
    const stepwise = join(project, "node_modules", ".bin", "stepwise");
    const preview = join(REPO, "test", "fixtures", "plans", "engine-preview.json");
    const review = run(stepwise, ["review", preview, "--markdown"], project);
    // The recorded preview breaks three mandatory rules: exit 1, the review says so.
    expect([review.status, review.stderr]).toEqual([1, ""]);
    expect(review.stdout).toMatch(/^## stepwise: prod: engine-preview\.json\n\n⛔ \*\*Blocked\*\*/);
  });

  it("runs the data-plane commands from its installed files, up to their first connection", async () => {
    // A port that takes connections and never answers: each command loads its client (kafkajs and
    // its fenced internals, node-postgres) from the installed package, then gives up on time.
    const silent = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    const address = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const stepwise = join(project, "node_modules", ".bin", "stepwise");
    const timeout = ["--connect-timeout", "1"];
    try {
      const events = run(
        stepwise,
        [
          "events",
          "verify",
          "--source",
          address,
          "--target",
          address,
          "--topic",
          "ledger-entries",
          ...timeout,
        ],
        project,
      );
      expect([events.status, events.stderr]).toEqual([
        2,
        `stepwise: the cluster at --source ${address}: no answer within 1 s; check the address and that the server runs, or raise --connect-timeout (or $STEPWISE_CONNECT_TIMEOUT)\n`,
      ]);
      const plan = join(REPO, "test", "fixtures", "database", "shop-ready.plan.yaml");
      const url = `postgres://ledger@${address}/ledger`;
      const database = run(
        stepwise,
        ["database", "readiness", "--url", url, "--plan", plan, ...timeout],
        project,
      );
      expect(database.status).toBe(2);
      expect(database.stderr).toContain(
        `database postgres://ledger@${address}/ledger: timeout expired`,
      );
    } finally {
      silent.close();
    }
  });

  it("runs from another folder with -C, and says what is missing outside a project", () => {
    const stepwise = join(project, "node_modules", ".bin", "stepwise");
    const elsewhere = run(stepwise, ["-C", project, "status", "dev"], scratch);
    expect(elsewhere.stderr).toBe("");
    expect(elsewhere.stdout).toContain("events");
    const outside = run(stepwise, ["status", "dev"], scratch);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toContain(`no Pulumi.yaml in ${scratch} or any folder above it`);
  });
});

// The installed files are the package's, not the repository's: prove the project's copy runs.
it("installs stepwise as files in the project, not a link to the repository", () => {
  expect(readdirSync(join(project, "node_modules", "stepwise-iac"))).toEqual(
    expect.arrayContaining(["dist", "package.json"]),
  );
});

describe("the policy pack folder (examples/policy-pack) installed on its own", () => {
  it("starts as the engine starts a pack and lists stepwise's pack rules over the analyzer protocol", async () => {
    const info = await analyzerInfo(pack);
    const { RULES } = createRequire(join(project, "package.json"))("stepwise-iac/policies") as {
      RULES: { id: string; coverage: { pack: boolean } }[];
    };
    expect(info.name).toBe("stepwise-no-big-bang");
    expect(info.policies).toEqual(
      RULES.filter((rule) => rule.coverage.pack).map((rule) => rule.id),
    );
  });
});

/**
 * Runs the pack with the SDK's run-policy-pack, as the engine does (its address is unused until
 * the pack logs), and asks the analyzer it serves for its name and policies.
 */
async function analyzerInfo(packDir: string): Promise<{ name: string; policies: string[] }> {
  /* eslint-disable @typescript-eslint/no-require-imports -- the SDK's generated gRPC stubs */
  const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
  const stubs = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as {
    AnalyzerClient: new (
      address: string,
      credentials: unknown,
    ) => {
      getAnalyzerInfo(
        request: unknown,
        done: (
          error: Error | null,
          info: { getName(): string; getPoliciesList(): { getName(): string }[] },
        ) => void,
      ): void;
    };
  };
  const { Empty } = require("google-protobuf/google/protobuf/empty_pb") as {
    Empty: new () => unknown;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  const child = spawn(process.execPath, [runner, "127.0.0.1:1", packDir], { cwd: packDir });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const found = /^(\d+)\s*$/m.exec(out)?.[1];
        if (found !== undefined) resolve(found);
      });
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("exit", (code) =>
        reject(new Error(`the pack exited (${code}) before serving:\n${out}\n${err}`)),
      );
    });
    const client = new stubs.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return await new Promise((resolve, reject) =>
      client.getAnalyzerInfo(new Empty(), (error, info) =>
        error
          ? reject(error)
          : resolve({
              name: info.getName(),
              policies: info.getPoliciesList().map((p) => p.getName()),
            }),
      ),
    );
  } finally {
    child.kill();
  }
}

describe("the plan action (.github/actions/stepwise-plan) in that project", () => {
  it("plans the stack a commit changed, with the installed command, and reports the worst exit", () => {
    const action = parse(
      readFileSync(join(REPO, ".github", "actions", "stepwise-plan", "action.yml"), "utf8"),
    ) as { runs: { steps: { id?: string; run?: string }[] } };
    const script = action.runs.steps.find((step) => step.id === "plan")?.run ?? "";
    const repo = join(scratch, "repo");
    const infra = join(repo, "infra");
    cpSync(project, infra, { recursive: true, filter: (path) => !path.includes("node_modules") });
    symlinkSync(join(project, "node_modules"), join(infra, "node_modules"));
    const git = (...args: string[]) =>
      ok(run("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], repo));
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, ".gitignore"), "node_modules\n");
    git("add", ".");
    git("commit", "-q", "-m", "base");
    const base = git("rev-parse", "HEAD").trim();
    const stackFile = join(infra, "stacks", "Pulumi.dev.yaml");
    writeFileSync(
      stackFile,
      readFileSync(stackFile, "utf8").replace("events: redpanda", "events: parallel"),
    );
    git("commit", "-q", "-am", "dev: events to parallel");

    const temp = join(scratch, "runner");
    mkdirSync(temp, { recursive: true });
    const outputs = join(temp, "outputs");
    const result = spawnSync("bash", ["-c", script], {
      cwd: infra,
      encoding: "utf8",
      env: {
        ...process.env,
        BASE_SHA: base,
        STEPWISE: join(project, "node_modules", ".bin", "stepwise"),
        RUNNER_TEMP: temp,
        GITHUB_OUTPUT: outputs,
      },
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readFileSync(outputs, "utf8")).toContain("worst=0\n");
    const review = readFileSync(join(temp, "stepwise-review", "dev.md"), "utf8");
    expect(review).toContain("redpanda");
    expect(review).toContain("parallel");
    expect(readdirSync(join(temp, "stepwise-review")).filter((f) => f.endsWith(".md"))).toEqual([
      "dev.md",
    ]);
  });
});
