import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../tools/cli/main";
import { SEED_PLATFORM_DIR, SEED_STACKS_DIR } from "../../support/seed-platform";

// The CLI end to end on the seed platform's stacks, in-process in its folder, on a temp copy of
// its stacks/ (the example's stack files are never touched). --at pins "now" so that entry times in the files are stable.
const REPO = join(__dirname, "../../..");
const AT = "2026-11-26T12:00:00.000Z";
const SLOW = 120_000;
const tempDirs: string[] = [];

function copyStacks(): string {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-cli-"));
  tempDirs.push(dir);
  cpSync(SEED_STACKS_DIR, dir, { recursive: true });
  return dir;
}

let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation(
    (...args: unknown[]) => void out.push(args.join(" ")),
  );
  vi.spyOn(console, "error").mockImplementation(
    (...args: unknown[]) => void err.push(args.join(" ")),
  );
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  out = [];
  err = [];
  const code = await main(["-C", SEED_PLATFORM_DIR, ...argv]);
  process.exitCode = undefined;
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Lines that differ between two texts of equal line count (the editor never adds lines here). */
function changedLines(a: string, b: string): string[] {
  const left = a.split("\n");
  const right = b.split("\n");
  return right.filter((line, i) => line !== left[i]);
}

describe("stepwise plan", () => {
  it(
    "plans advancing events on dev offline, with verdicts, and leaves the file alone",
    async () => {
      const stacks = copyStacks();
      const before = readFileSync(join(stacks, "Pulumi.dev.yaml"), "utf8");
      const { code, stdout } = await run(
        "plan",
        "dev",
        "--advance",
        "events",
        "--stacks-dir",
        stacks,
        "--at",
        AT,
      );
      expect(code).toBe(0);
      const lines = stdout.split("\n");
      expect(lines[0]).toBe(
        "stepwise: dev: advance events (consumers-on-kafka → kafka-only) (offline plan)",
      );
      // Exactly these changes; the unchanged rest grows with the platform program.
      expect(lines[1]).toMatch(/^Resources: update 7, replace 2, same \d+$/);
      expect(lines[2]).toBe("Verdict: allowed: every rule passed");
      expect(stdout).toContain("Path events: consumers-on-kafka -> kafka-only");
      expect(stdout).toContain('data.EVENTS_PUBLISH_TO: "redpanda,kafka" => "kafka"');
      expect(stdout).toContain("not a provider diff");
      expect(readFileSync(join(stacks, "Pulumi.dev.yaml"), "utf8")).toBe(before);
    },
    SLOW,
  );

  it(
    "prints JSON in the preview shape with the verdicts, and Markdown for a PR",
    async () => {
      const stacks = copyStacks();
      const json = await run(
        "plan",
        "staging",
        "--rollback",
        "database",
        "--json",
        "--stacks-dir",
        stacks,
        "--at",
        AT,
      );
      const plan = JSON.parse(json.stdout) as {
        steps: { op: string; urn: string }[];
        changeSummary: Record<string, number>;
        config: Record<string, string>;
        stepwise: { source: string; verdicts: { ruleId: string }[]; moves: unknown[] };
      };
      expect(plan.stepwise.source).toBe("offline");
      // Secrets: shown as the engine shows them, never their stored (or placeholder) value.
      expect(plan.config["stepwise:databasePassword"]).toBe("[secret]");
      expect(json.stdout).not.toMatch(/v1:c3RlcHdpc2|\[secret:[0-9a-f]/);
      expect(plan.stepwise.moves).toEqual([
        { path: "database", from: "citus-provisioned", to: "postgres" },
      ]);
      expect(plan.stepwise.verdicts.length).toBeGreaterThan(10);
      expect(plan.steps.length).toBe(Object.values(plan.changeSummary).reduce((a, b) => a + b, 0));
      // The JSON is itself a plan document: `review` reads it back and renders the same plan.
      const saved = join(stacks, "plan.json");
      writeFileSync(saved, json.stdout);
      const reviewed = await run("review", saved, "--at", AT);
      const text = await run(
        "plan",
        "staging",
        "--rollback",
        "database",
        "--stacks-dir",
        stacks,
        "--at",
        AT,
      );
      expect(reviewed.stdout.split("\n").slice(1, 3)).toEqual(text.stdout.split("\n").slice(1, 3));
      expect(reviewed.stdout).toContain("Path database: citus-provisioned -> postgres");
      const md = await run(
        "plan",
        "staging",
        "--rollback",
        "database",
        "--markdown",
        "--stacks-dir",
        stacks,
        "--at",
        AT,
      );
      expect(
        md.stdout.startsWith(
          "## stepwise: staging: rollback database (citus-provisioned → postgres)\n",
        ),
      ).toBe(true);
      expect(md.stdout).toContain("### Path `database`: `citus-provisioned` → `postgres`");
      expect(md.stdout).toContain("```mermaid");
    },
    SLOW,
  );

  it(
    "--base compares the stack file at a git ref with the working tree",
    async () => {
      const repo = mkdtempSync(join(tmpdir(), "stepwise-git-"));
      tempDirs.push(repo);
      cpSync(SEED_STACKS_DIR, join(repo, "stacks"), { recursive: true });
      const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
          cwd: repo,
          stdio: "pipe",
        });
      git("init", "-q");
      git("add", ".");
      git("commit", "-q", "-m", "stacks");
      const file = join(repo, "stacks", "Pulumi.staging.yaml");
      writeFileSync(
        file,
        readFileSync(file, "utf8").replace("    events: parallel\n", "    events: dual-publish\n"),
      );
      const { code, stdout } = await run(
        "plan",
        "staging",
        "--base",
        "HEAD",
        "--stacks-dir",
        join(repo, "stacks"),
        "--at",
        AT,
      );
      expect([0, 1]).toContain(code);
      expect(stdout.split("\n")[0]).toBe("stepwise: staging: HEAD → working tree (offline plan)");
      expect(stdout).toContain("Path events: parallel -> dual-publish");
      const missing = await run(
        "plan",
        "staging",
        "--base",
        "no-such-ref",
        "--stacks-dir",
        join(repo, "stacks"),
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(
        /--base "no-such-ref": cannot read .*Pulumi\.staging\.yaml at that ref/,
      );

      // A stack file added in the change under review: its first deployment, from nothing.
      cpSync(file, join(repo, "stacks", "Pulumi.qa.yaml"));
      const added = await run(
        "plan",
        "qa",
        "--base",
        "HEAD",
        "--json",
        "--stacks-dir",
        join(repo, "stacks"),
        "--at",
        AT,
      );
      const plan = JSON.parse(added.stdout) as { steps: { op: string }[] };
      expect(plan.steps.length).toBeGreaterThan(10);
      expect(new Set(plan.steps.map((step) => step.op))).toEqual(new Set(["create"]));
    },
    SLOW,
  );

  it(
    "--initial plans a first deployment: every resource created, each path from the phase the file names before",
    async () => {
      const dir = copyStacks();
      const { code, stdout } = await run(
        "plan",
        "dev",
        "--initial",
        "--stacks-dir",
        dir,
        "--at",
        AT,
      );
      expect(stdout.split("\n")[0]).toBe("stepwise: dev: first deployment (offline plan)");
      expect(stdout).toMatch(/^Resources: create \d+$/m);
      expect(stdout).not.toMatch(/^Resources: .*(update|replace|delete)/m);
      // dev names dual-publish before consumers-on-kafka: that step, and its gate, are judged.
      expect(stdout).toContain("Path events: dual-publish -> consumers-on-kafka");
      expect([0, 1]).toContain(code);
      const both = await run(
        "plan",
        "dev",
        "--initial",
        "--advance",
        "events",
        "--stacks-dir",
        dir,
      );
      expect(both.code).toBe(2);
    },
    SLOW,
  );
});

describe("stepwise advance and rollback", () => {
  it(
    "advance writes exactly one phase step (phase, enteredAt, previous) and keeps the rest byte for byte",
    async () => {
      const stacks = copyStacks();
      const file = join(stacks, "Pulumi.dev.yaml");
      const before = readFileSync(file, "utf8");
      const { code, stdout, stderr } = await run(
        "advance",
        "dev",
        "events",
        "--stacks-dir",
        stacks,
        "--at",
        AT,
      );
      expect(code).toBe(0);
      expect(stdout).toContain("Verdict: allowed");
      expect(stderr).toContain("events consumers-on-kafka → kafka-only");
      const after = readFileSync(file, "utf8");
      expect(changedLines(before, after)).toEqual([
        "    events: kafka-only",
        `    events: "${AT}"`,
        "    events: consumers-on-kafka",
      ]);
      const config = (parse(after) as { config: Record<string, Record<string, string>> }).config;
      expect(config["stepwise:phases"]?.events).toBe("kafka-only");
      expect(config["stepwise:previousPhases"]?.events).toBe("consumers-on-kafka");
    },
    SLOW,
  );

  it(
    "a transition blocked by a mandatory rule exits 1 and leaves the file unchanged",
    async () => {
      const stacks = copyStacks();
      const file = join(stacks, "Pulumi.prod.yaml");
      const before = readFileSync(file, "utf8");
      // prod has recorded no data-model review, which citus-provisioned needs.
      const { code, stdout, stderr } = await run(
        "advance",
        "prod",
        "database",
        "--stacks-dir",
        stacks,
        "--at",
        AT,
      );
      expect(code).toBe(1);
      expect(stdout).toContain("Verdict: BLOCKED by a mandatory rule");
      expect(stdout).toContain(
        '[mandatory] phase-gates: path "database" enters "citus-provisioned" but gate "data-model-reviewed" is not recorded',
      );
      expect(stderr).toContain(`advance blocked by a mandatory rule; ${file} is unchanged`);
      expect(readFileSync(file, "utf8")).toBe(before);
    },
    SLOW,
  );

  it(
    "rollback moves to the path's rollback target",
    async () => {
      const stacks = copyStacks();
      const file = join(stacks, "Pulumi.dev.yaml");
      const before = readFileSync(file, "utf8");
      const { code } = await run("rollback", "dev", "events", "--stacks-dir", stacks, "--at", AT);
      expect(code).toBe(0);
      expect(changedLines(before, readFileSync(file, "utf8"))).toEqual([
        "    events: dual-publish",
        `    events: "${AT}"`,
        "    events: consumers-on-kafka",
      ]);
    },
    SLOW,
  );
});

describe("stepwise drill and status", () => {
  it(
    "drill plans the rollback of every path; it fails where a rollback breaks a rule",
    async () => {
      const stacks = copyStacks();
      const before = readFileSync(join(stacks, "Pulumi.staging.yaml"), "utf8");
      const staging = await run("drill", "staging", "--stacks-dir", stacks, "--at", AT);
      // Rolling back "parallel" removes Kafka, which never received writes: nothing is lost.
      expect(staging.code).toBe(0);
      expect(staging.stdout.split("\n")).toEqual([
        "stepwise drill staging: PASSED",
        "  events: parallel -> redpanda: ok",
        "  platform: coordination-on-k3s -> compose: ok",
        "  database: citus-provisioned -> postgres: ok",
        "  api: at baseline old, nothing to roll back",
        "  consolidation: at baseline microservices, nothing to roll back",
      ]);
      expect(readFileSync(join(stacks, "Pulumi.staging.yaml"), "utf8")).toBe(before);

      // A password left in plain text breaks a mandatory rule on every rollback.
      const leaked = before.replace(
        /(stepwise:databasePassword:)\n\s+secure: \S+/,
        "$1 hunter2-plaintext",
      );
      expect(leaked).not.toBe(before);
      writeFileSync(join(stacks, "Pulumi.staging.yaml"), leaked);
      const failed = await run("drill", "staging", "--stacks-dir", stacks, "--at", AT);
      expect(failed.code).toBe(1);
      const lines = failed.stdout.split("\n");
      expect(lines[0]).toBe("stepwise drill staging: FAILED (3 path(s))");
      expect(lines).toContain("  events: parallel -> redpanda: FAIL");
      expect(failed.stdout).not.toContain("hunter2-plaintext");
      const md = await run("drill", "staging", "--markdown", "--stacks-dir", stacks, "--at", AT);
      expect(md.stdout.split("\n")[0]).toBe("# Rollback drill: staging ⛔ failed");
      expect(md.stdout).toContain(
        "| `events` | `parallel` | `redpanda` | ⛔ rule no-plaintext-secrets",
      );
      const prod = await run("drill", "prod", "--stacks-dir", stacks, "--at", AT);
      expect(prod.code).toBe(0);
      expect(prod.stdout.split("\n")[0]).toBe("stepwise drill prod: PASSED");
    },
    SLOW,
  );

  it("status lists every stack's paths with time in phase and rollback windows", async () => {
    const stacks = copyStacks();
    // The local stack's phases were entered after AT: status refuses entry times in the future.
    const refused = await run("status", "--json", "--stacks-dir", stacks, "--at", AT);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /Pulumi\.local\.yaml: stepwise:enteredAt\.events = .* is in the future/,
    );
    rmSync(join(stacks, "Pulumi.local.yaml"));
    const { code, stdout } = await run("status", "--json", "--stacks-dir", stacks, "--at", AT);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as {
      stack: string;
      path: string;
      phase: string;
      inPhaseMs: number;
    }[];
    expect(rows).toHaveLength(15);
    expect(rows.find((r) => r.stack === "dev" && r.path === "events")).toMatchObject({
      phase: "consumers-on-kafka",
      previous: "dual-publish",
      inPhaseMs: Date.parse(AT) - Date.parse("2026-11-23T10:00:00Z"),
    });
    const table = await run("status", "dev", "--stacks-dir", stacks, "--at", AT);
    expect(table.stdout.split("\n")[0]).toMatch(
      /^stack +path +phase +previous +in phase +may advance +rollback window$/,
    );
    expect(table.stdout).toMatch(/dev +events +consumers-on-kafka +dual-publish +3d 2h +now +-/);
  });
});

describe("errors: exit 2 with a message saying what to fix", () => {
  it("unknown stack, unknown path, impossible step", async () => {
    const stacks = copyStacks();
    const unknownStack = await run("plan", "qa", "--advance", "events", "--stacks-dir", stacks);
    expect(unknownStack.code).toBe(2);
    expect(unknownStack.stderr).toMatch(
      /unknown stack "qa": there is no .*Pulumi\.qa\.yaml; stacks are dev, local, prod, staging/,
    );
    const unknownPath = await run("advance", "dev", "eventz", "--stacks-dir", stacks);
    expect(unknownPath.code).toBe(2);
    expect(unknownPath.stderr).toBe(
      'stepwise: unknown path "eventz"; valid paths are events, platform, database, api, consolidation',
    );
    const atBaseline = await run("rollback", "prod", "events", "--stacks-dir", stacks);
    expect(atBaseline.code).toBe(2);
    expect(atBaseline.stderr).toContain(
      'path events is at its baseline "redpanda"; nothing to roll back to',
    );
  });

  it(
    "malformed config names the key and leaves the file unchanged",
    async () => {
      const stacks = copyStacks();
      const file = join(stacks, "Pulumi.staging.yaml");
      const broken = readFileSync(file, "utf8").replace("    api: old\n", "    api: olde\n");
      writeFileSync(file, broken);
      const { code, stderr } = await run(
        "advance",
        "staging",
        "events",
        "--stacks-dir",
        stacks,
        "--at",
        AT,
      );
      expect(code).toBe(2);
      expect(stderr).toContain(
        'stepwise:phases.api = "olde": must be one of old, canary, new, old-retired',
      );
      expect(readFileSync(file, "utf8")).toBe(broken);
      writeFileSync(file, "config: [unclosed\n");
      const yaml = await run("plan", "staging", "--advance", "events", "--stacks-dir", stacks);
      expect(yaml.code).toBe(2);
      expect(yaml.stderr).toMatch(/Pulumi\.staging\.yaml is not valid YAML/);
    },
    SLOW,
  );

  it("--engine without a Pulumi CLI says how to get one", async () => {
    const saved = { ...process.env };
    process.env.STEPWISE_CACHE = mkdtempSync(join(tmpdir(), "stepwise-nocache-"));
    process.env.PATH = "/nonexistent";
    delete process.env.STEPWISE_PULUMI;
    try {
      const { code, stderr } = await run("plan", "dev", "--engine");
      expect(code).toBe(2);
      expect(stderr).toContain("--engine: No Pulumi engine found");
      expect(stderr).toContain("test/engine/build-engine.sh");
      expect(stderr).toContain("leave out --engine for an offline plan");
    } finally {
      process.env = saved;
    }
  });

  it("--help works on every command", async () => {
    for (const command of ["status", "plan", "review", "advance", "rollback", "drill"]) {
      const { code } = await run(command, "--help");
      expect(code, command).toBe(0);
    }
    const options = await run("plan", "--advance", "events", "--rollback", "events", "dev");
    expect(options.code).toBe(2);
  });
});

describe("stepwise review", () => {
  it("renders an engine preview document and exits 1 when a mandatory rule blocks it", async () => {
    const file = join(REPO, "test/fixtures/plans/engine-preview.json");
    const { code, stdout } = await run("review", file, "--at", AT);
    expect(code).toBe(1);
    expect(stdout.split("\n").slice(0, 3)).toEqual([
      // The file's name only: the local path is nothing to the reader.
      "stepwise: prod: engine-preview.json (engine preview)",
      "Resources: update 1, replace 1, delete 2, same 1",
      "Verdict: BLOCKED by a mandatory rule",
    ]);
    const md = await run("review", file, "--markdown", "--at", AT);
    expect(md.stdout).toContain("> [!CAUTION]");
    const json = await run("review", file, "--json", "--at", AT);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { counts: unknown }).counts).toEqual([
      ["update", 1],
      ["replace", 1],
      ["delete", 2],
      ["same", 1],
    ]);
    // A stack that is not named after an environment is still rendered (exit 0 or 1, never 2).
    const failed = join(REPO, "test/fixtures/engine/record-pair.change-with-policy.preview.json");
    const odd = await run("review", failed, "--stack", "demo", "--markdown");
    expect(odd.code).toBe(1);
    expect(odd.stdout).toContain("❌ **Preview failed**");
    const bad = await run("review", file, "--environment", "qa");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'stepwise: --environment "qa": not an environment; give one of dev, staging, prod',
    );
    const missing = await run("review", "/nonexistent.json");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'stepwise: plan "/nonexistent.json" does not exist; check the path',
    );
  });
});
