/**
 * stepwise as a team installs it: `npm pack`, the tarball installed into a fresh Pulumi project
 * of its own (test/fixtures/user-project: two services that are not the seed's, its own topic),
 * typechecked against the published declarations, then planned offline with the installed
 * `stepwise` command. Nothing here reaches into the repository's sources.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = join(__dirname, "..", "..");
const FIXTURE = join(REPO, "test", "fixtures", "user-project");
const scratch = mkdtempSync(join(tmpdir(), "stepwise-package-"));
const project = join(scratch, "ledger-infra");
let tarball = "";

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: process.env, timeout: 240_000 });
}

function ok(result: SpawnSyncReturns<string>): string {
  if (result.status !== 0) {
    throw new Error(`exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** The version this repository develops against, so the install comes from npm's cache. */
function installedVersion(name: string): string {
  const file = join(REPO, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

beforeAll(() => {
  const packed = ok(run("npm", ["pack", "--silent", "--pack-destination", scratch], REPO));
  tarball = join(scratch, packed.trim().split("\n").pop()!);
  cpSync(FIXTURE, project, { recursive: true });
  const peers = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/docker", "@pulumi/postgresql"];
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify(
      {
        name: "ledger-infra",
        private: true,
        main: "index.ts",
        dependencies: {
          "stepwise-iac": `file:${tarball}`,
          ...Object.fromEntries(peers.map((name) => [name, installedVersion(name)])),
        },
        devDependencies: { "@types/node": installedVersion("@types/node") },
      },
      null,
      2,
    ),
  );
  // --ignore-scripts: the providers' install scripts would download plugins, which stepwise's
  // offline plan does not need.
  ok(
    run(
      "npm",
      ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"],
      project,
    ),
  );
}, 480_000);

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
    const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
    const result = run("node", [tsc, "-p", "tsconfig.json"], project);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
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
