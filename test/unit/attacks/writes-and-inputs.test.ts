import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SAVED_MEANWHILE } from "./editing-program";
import { cli, stackRepo } from "./stack-repo";
import { SEED_PLATFORM_DIR, SEED_STACKS_DIR } from "../../support/seed-platform";

// Section 7 of the red-team findings: writes to a stack file are serialized and all or
// nothing; stack names and git refs cannot leave their place; user errors are one-line
// messages (exit 2), never stack traces; a silent server cannot hang a command.
const REPO = join(__dirname, "../../..");
const TSX = join(REPO, "node_modules", ".bin", "tsx");
const AT = "2026-11-26T12:00:00.000Z";
const SLOW = 120_000;
const repo = stackRepo();
afterAll(() => repo.remove());

/** A fresh copy of the bundled stacks, for a test that writes, and its dev stack file. */
function stacksCopy(): { dir: string; file: string } {
  const dir = mkdtempSync(join(repo.dir, "stacks-"));
  cpSync(SEED_STACKS_DIR, dir, { recursive: true });
  return { dir, file: join(dir, "Pulumi.dev.yaml") };
}

/** The CLI in its own process, as two people (or two CI jobs) would run it at once. */
function stepwiseProcess(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ["tools/cli/main.ts", "-C", SEED_PLATFORM_DIR, ...args], {
      cwd: REPO,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const phasesOf = (file: string) =>
  (parse(readFileSync(file, "utf8")) as { config: Record<string, Record<string, string>> }).config[
    "stepwise:phases"
  ];

/** Files a command left beside the stack files: lock files, temporary files. */
const leftovers = (dir: string) =>
  readdirSync(dir).filter((f) => !/^Pulumi\.[\w-]+\.yaml$/.test(f));

describe("writes to a stack file are serialized and all or nothing", () => {
  it(
    "two advance runs on one stack at once: never both written over each other; the refused one exits 2 and says why",
    async () => {
      const { dir, file } = stacksCopy();
      const before = phasesOf(file);
      const runs = await Promise.all(
        (["events", "platform"] as const).map((path) =>
          stepwiseProcess("advance", "dev", path, "--stacks-dir", dir, "--at", AT).then((run) => ({
            path,
            ...run,
          })),
        ),
      );
      const after = phasesOf(file);
      const written = runs.filter((r) => r.code === 0).map((r) => r.path);
      const refused = runs.filter((r) => r.code !== 0);
      // Whatever the interleaving, every run that says it wrote did, and nothing else changed.
      expect(written.length).toBeGreaterThan(0);
      for (const run of runs) {
        expect(after[run.path] !== before[run.path], run.path).toBe(run.code === 0);
      }
      for (const run of refused) {
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(
          /^stepwise: .*Pulumi\.dev\.yaml (is being edited by "stepwise advance dev (events|platform)" \(pid \d+|changed while this command ran)/m,
        );
        expect(run.stderr).not.toContain("    at ");
      }
      expect(leftovers(dir)).toEqual([]);
    },
    SLOW,
  );

  it(
    "an edit saved while advance is planning is kept: advance writes nothing and exits 2",
    async () => {
      const { dir, file } = stacksCopy();
      const original = readFileSync(file, "utf8");
      process.env.STEPWISE_TEST_EDIT_FILE = file;
      try {
        const { code, err } = await cli(
          "advance",
          "dev",
          "events",
          "--stacks-dir",
          dir,
          "--at",
          AT,
          "--program",
          join(__dirname, "editing-program.ts"),
        );
        expect(code).toBe(2);
        expect(err).toContain(
          `stepwise: ${file} changed while this command ran (another edit or command wrote it); nothing was written`,
        );
      } finally {
        delete process.env.STEPWISE_TEST_EDIT_FILE;
      }
      expect(readFileSync(file, "utf8")).toBe(original + SAVED_MEANWHILE);
      expect(leftovers(dir)).toEqual([]);
    },
    SLOW,
  );

  it(
    "while another advance holds the lock: exit 2 naming it, file byte-identical; once it has died, the lock is taken over",
    async () => {
      const { dir, file } = stacksCopy();
      const original = readFileSync(file);
      const holder = spawn("sleep", ["60"]);
      const lock = (pid: number | undefined) =>
        writeFileSync(
          `${file}.lock`,
          JSON.stringify({
            pid,
            host: hostname(),
            command: "stepwise advance dev platform",
            since: AT,
            token: "other",
          }),
        );
      const advance = () => cli("advance", "dev", "events", "--stacks-dir", dir, "--at", AT);
      try {
        lock(holder.pid);
        const held = await advance();
        expect(held.code).toBe(2);
        expect(held.err).toBe(
          `stepwise: ${file} is being edited by "stepwise advance dev platform" (pid ${holder.pid} on ${hostname()}, since ${AT}); nothing was changed. Wait for it to finish and run this again; if no such command is running, remove ${file}.lock`,
        );
        expect(readFileSync(file).equals(original)).toBe(true);
      } finally {
        holder.kill();
      }
      lock(spawnSync("true").pid);
      const afterCrash = await advance();
      expect(afterCrash.code).toBe(0);
      expect(phasesOf(file).events).toBe("kafka-only");
      expect(leftovers(dir)).toEqual([]);
    },
    SLOW,
  );
});

describe("stack names and git refs stay in their place", () => {
  const ESCAPE = "x/../../elsewhere/dev";
  const outside = join(repo.dir, "elsewhere", "dev.yaml");
  beforeAll(() => {
    // Where the name leads from stacks/: a stack file outside the stacks folder.
    mkdirSync(join(repo.dir, "elsewhere"), { recursive: true });
    cpSync(join(repo.stacksDir, "Pulumi.dev.yaml"), outside);
  });

  const commands: [string, (name: string) => string[]][] = [
    ["advance", (n) => ["advance", n, "events"]],
    ["rollback", (n) => ["rollback", n, "events"]],
    ["plan", (n) => ["plan", n, "--advance", "events"]],
    ["status", (n) => ["status", n]],
    ["drill", (n) => ["drill", n]],
    ["policies list", (n) => ["policies", "list", "--stack", n]],
    ["policies pack-config", (n) => ["policies", "pack-config", "--stack", n]],
  ];
  it.each(commands)(
    "%s: a stack name that climbs out of stacks/ is refused (exit 2) and nothing outside is touched",
    async (_name, argv) => {
      const before = readFileSync(outside);
      const { code, err } = await cli(...argv(ESCAPE), "--stacks-dir", repo.stacksDir);
      expect(code).toBe(2);
      expect(err).toMatch(
        /^stepwise: (stack|--stack) "x\/\.\.\/\.\.\/elsewhere\/dev" is not a stack name; use lowercase letters, digits and "-"/,
      );
      expect(readFileSync(outside).equals(before)).toBe(true);
    },
  );

  it.each(["Dev", "dev.yaml", "dev_1", "-dev", "..", ""])(
    "stack name %j is refused before any file is read",
    async (name) => {
      const { code, err } = await cli("status", "--stacks-dir", repo.stacksDir, "--", name);
      expect(code).toBe(2);
      expect(err).toBe(
        `stepwise: stack ${JSON.stringify(name)} is not a stack name; use lowercase letters, digits and "-", starting with a letter or digit (e.g. dev, prod-eu)`,
      );
    },
  );

  it.each([
    ["plan", ["plan", "dev"]],
    ["policies pack-config", ["policies", "pack-config", "--stack", "dev"]],
  ])("%s: --base that reads as a git option is refused, not passed to git", async (_n, argv) => {
    const written = join(repo.dir, "written-by-git");
    const { code, err } = await cli(
      ...argv,
      `--base=--output=${written}`,
      "--stacks-dir",
      repo.stacksDir,
    );
    expect(code).toBe(2);
    expect(err).toBe(
      `stepwise: --base "--output=${written}" is not a git ref; give a commit, branch or tag (e.g. --base origin/main)`,
    );
    expect(existsSync(written)).toBe(false);
  });
});

describe("plan --json into a pipe read by a slow process", () => {
  it(
    "arrives whole (far over 64 KiB) with exit 0",
    () => {
      // The reader starts late, so the pipe fills and the CLI must wait for it before exiting.
      const run = spawnSync(
        "bash",
        [
          "-c",
          `set -o pipefail; "${TSX}" tools/cli/main.ts -C "${SEED_PLATFORM_DIR}" plan dev --advance events --json --at ${AT} | (sleep 2; cat)`,
        ],
        { cwd: REPO, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      );
      expect([run.status, run.stderr]).toEqual([0, ""]);
      expect(run.stdout.length).toBeGreaterThan(256 * 1024);
      expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
    },
    SLOW,
  );
});

describe("user errors are one-line messages with exit 2, never stack traces", () => {
  const inputs = join(repo.dir, "inputs");
  const preview = JSON.parse(
    readFileSync(join(REPO, "test/fixtures/plans/engine-preview.json"), "utf8"),
  ) as { steps: Record<string, unknown>[] };
  /** The fixture preview with one field of step `index` replaced. */
  function previewWith(index: number, field: string, value: unknown): string {
    const copy = structuredClone(preview);
    const step = copy.steps[index];
    if (step === undefined) throw new Error(`the fixture has no step ${index}`);
    step[field] = value;
    return JSON.stringify(copy);
  }
  const ledgerStep = preview.steps.findIndex((s) => String(s.urn).endsWith("::phase-ledger"));
  const ledgerState = preview.steps[ledgerStep]?.newState as { inputs: { ledger: object } };
  const withLedger = (ledger: object) =>
    previewWith(ledgerStep, "newState", {
      ...ledgerState,
      inputs: { ...ledgerState.inputs, ledger },
    });
  /** The fixture preview with a list nested `depth` deep in one resource's inputs. */
  function previewNested(depth: number): string {
    const marker = "NESTED-HERE";
    const text = previewWith(ledgerStep, "newState", {
      ...ledgerState,
      inputs: { ...ledgerState.inputs, nested: marker },
    });
    return text.replace(JSON.stringify(marker), `${"[".repeat(depth)}${"]".repeat(depth)}`);
  }

  const file = (name: string, content: string | Buffer) => {
    const path = join(inputs, name);
    writeFileSync(path, content);
    return path;
  };
  /** A stack file like dev's with `edit` applied, as stack `name` in its own folder. */
  function stackLike(name: string, edit: (text: string) => string): string {
    const dir = mkdtempSync(join(repo.dir, "edited-"));
    const text = readFileSync(join(repo.stacksDir, "Pulumi.dev.yaml"), "utf8");
    writeFileSync(join(dir, `Pulumi.${name}.yaml`), edit(text));
    return dir;
  }

  beforeAll(() => {
    mkdirSync(inputs, { recursive: true });
    mkdirSync(join(repo.stacksDir, "Pulumi.folder.yaml"));
  });

  const cases: [string, () => string[], string][] = [
    [
      "a folder where the stack file should be (plan)",
      () => ["plan", "folder", "--initial", "--stacks-dir", repo.stacksDir],
      `stack file "${join(repo.stacksDir, "Pulumi.folder.yaml")}" is a folder, not a file; give the file itself`,
    ],
    [
      "a folder where the stack file should be (advance)",
      () => ["advance", "folder", "events", "--stacks-dir", repo.stacksDir],
      "is a folder, not a file; give the file itself",
    ],
    [
      "a file as --stacks-dir (status)",
      () => ["status", "--stacks-dir", file("not-a-folder", "x")],
      `--stacks-dir "${join(inputs, "not-a-folder")}" is a file; give the folder holding Pulumi.<stack>.yaml`,
    ],
    [
      "a file as --stacks-dir (plan)",
      () => ["plan", "dev", "--stacks-dir", file("not-a-folder", "x")],
      "is a file; give the folder holding Pulumi.<stack>.yaml",
    ],
    [
      "a file as --stacks-dir (policies list)",
      () => ["policies", "list", "--stack", "dev", "--stacks-dir", file("not-a-folder", "x")],
      "is a file; give the folder holding Pulumi.<stack>.yaml",
    ],
    [
      "minimumTime beyond the date range (plan --advance)",
      () => [
        "plan",
        "dev",
        "--advance",
        "events",
        "--at",
        AT,
        "--stacks-dir",
        stackLike("dev", (t) => t.replace('default: "0"', 'default: "99999999999999d"')),
      ],
      'stepwise:minimumTime.default = "99999999999999d": must be a duration',
    ],
    [
      "minimumTime beyond the date range (status)",
      () => [
        "status",
        "dev",
        "--at",
        AT,
        "--stacks-dir",
        stackLike("dev", (t) => t.replace('default: "0"', 'default: "99999999999999d"')),
      ],
      'stepwise:minimumTime for events at consumers-on-kafka: "99999999999999d" is not a duration',
    ],
    [
      "a rollback window beyond the date range (status)",
      () => [
        "status",
        "dev",
        "--at",
        AT,
        "--stacks-dir",
        stackLike("dev", (t) =>
          t.replace("config:\n", "config:\n  stepwise:policy:\n    rollbackWindowDays: 1e300\n"),
        ),
      ],
      "rollbackWindowDays",
    ],
    [
      "review: newState that is text",
      () => ["review", file("ns-text.json", previewWith(1, "newState", "x"))],
      'steps[1].newState is "x", not an object; leave it out or give the resource\'s state as the engine prints it',
    ],
    [
      "review: newState that is null",
      () => ["review", file("ns-null.json", previewWith(2, "newState", null))],
      "steps[2].newState is null, not an object",
    ],
    [
      "review: newState whose type is a number",
      () => ["review", file("ns-type.json", previewWith(2, "newState", { type: 5 }))],
      "steps[2].newState.type is 5, not a type token",
    ],
    [
      "review: oldState whose inputs are a list",
      () => [
        "review",
        file(
          "os-inputs.json",
          previewWith(5, "oldState", { type: "docker:index/container:Container", inputs: [1] }),
        ),
      ],
      "steps[5].oldState.inputs is [1], not an object",
    ],
    [
      "review: diffReasons that is not a list of names",
      () => ["review", file("diff-reasons.json", previewWith(1, "diffReasons", "ledger"))],
      'steps[1].diffReasons is "ledger", expected a list of property names',
    ],
    [
      "review: a ledger whose phases are text",
      () => ["review", file("ledger-text.json", withLedger({ phases: "x", gates: {} }))],
      `the phase-ledger step's newState.inputs.ledger.phases is "x", not a map of path to phase record`,
    ],
    [
      "review: a ledger whose phase record is a number",
      () => [
        "review",
        file("ledger-number.json", withLedger({ phases: { events: 5 }, gates: {} })),
      ],
      `the phase-ledger step's newState.inputs.ledger.phases["events"] is 5, not a phase record`,
    ],
    [
      "review: deeply nested JSON",
      () => ["review", file("deep.json", `${"[".repeat(200_000)}${"]".repeat(200_000)}`)],
      "nested more than 100 levels deep, which no preview document is",
    ],
    [
      "review: deeply nested JSON inside a resource's inputs",
      () => ["review", file("deep-inputs.json", previewNested(50_000))],
      "nested more than 100 levels deep",
    ],
    [
      "review: a folder as the plan",
      () => ["review", inputs],
      `plan "${inputs}" is a folder, not a file; give the file itself`,
    ],
    [
      "binary --services",
      () => [
        "platform",
        "compose-file",
        "--services",
        file("services.bin", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff])),
      ],
      "is not a text file (a NUL byte at offset 4); give a YAML or JSON file",
    ],
    [
      "--services that is not UTF-8",
      () => [
        "platform",
        "compose-file",
        "--services",
        file("services.latin1", Buffer.from([0x2d, 0x20, 0xe9, 0xe8])),
      ],
      "is not a text file (not valid UTF-8); give a YAML or JSON file",
    ],
    [
      "--services that is a program, not YAML",
      () => [
        "platform",
        "compose-file",
        "--services",
        file("services.sh", "#!/bin/sh\nexec true\n: [\n"),
      ],
      "is not valid YAML or JSON (",
    ],
    [
      "--services nested deeper than the YAML parser goes",
      () => [
        "platform",
        "compose-file",
        "--services",
        file("services-deep.json", `${"[".repeat(100_000)}${"]".repeat(100_000)}`),
      ],
      "is not valid YAML or JSON (Maximum call stack size exceeded",
    ],
  ];
  it.each(cases)("%s", async (_name, argv, message) => {
    // main() rethrows what is not a usage error: resolving with 2 is the proof of handling.
    const { code, err } = await cli(...argv());
    expect(code).toBe(2);
    expect(err).toMatch(/^stepwise: /);
    expect(err).toContain(message);
    expect(err).not.toMatch(/\n\s+at /);
    // A stack config's schema errors list every problem, one per line; all else is one line.
    if (!/invalid (stack config|policy settings)/.test(err))
      expect(err.split("\n")).toHaveLength(1);
  });
});

describe("a server that accepts the connection and never answers", () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  /** Runs the CLI and how long it took. */
  async function timed(...argv: string[]) {
    const started = Date.now();
    const run = await cli(...argv);
    return { ...run, seconds: (Date.now() - started) / 1000 };
  }

  it("database readiness gives up after --connect-timeout, naming the database and the option", async () => {
    const { code, err, seconds } = await timed(
      "database",
      "readiness",
      "--url",
      `postgres://stepwise:hunter2@127.0.0.1:${port}/shop`,
      "--plan",
      join(REPO, "test/fixtures/database/shop-ready.plan.yaml"),
      "--connect-timeout",
      "1",
    );
    expect(code).toBe(2);
    expect(err).toBe(
      `stepwise: database postgres://stepwise:***@127.0.0.1:${port}/shop: timeout expired; no answer within 1 s; check the address and that the server runs, or raise --connect-timeout (or $STEPWISE_CONNECT_TIMEOUT)`,
    );
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(5);
  });

  it.each([
    ["compat", ["--topic", "orders"]],
    ["verify", ["--topic", "orders"]],
    ["migrate-offsets", ["--group", "g", "--progress", join(tmpdir(), "never-written.json")]],
  ])(
    "events %s gives up after the connect timeout set in the environment",
    async (command, rest) => {
      process.env.STEPWISE_CONNECT_TIMEOUT = "1";
      try {
        const { code, err, seconds } = await timed(
          "events",
          command,
          "--source",
          `127.0.0.1:${port}`,
          "--target",
          `127.0.0.1:${port}`,
          ...rest,
        );
        expect(code).toBe(2);
        expect(err).toBe(
          `stepwise: the cluster at --source 127.0.0.1:${port}: no answer within 1 s; check the address and that the server runs, or raise --connect-timeout (or $STEPWISE_CONNECT_TIMEOUT)`,
        );
        expect(seconds).toBeGreaterThanOrEqual(0.9);
        expect(seconds).toBeLessThan(5);
      } finally {
        delete process.env.STEPWISE_CONNECT_TIMEOUT;
      }
    },
  );
});
