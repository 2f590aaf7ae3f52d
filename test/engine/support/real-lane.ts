/**
 * The real lane: the seed platform's stacks/Pulumi.local.yaml deployed by the real engine with the kubernetes
 * provider on the test Kubernetes API server, its engines external and pointed at the test
 * services' two Kafka clusters and PostgreSQL. Each step is taken as a team takes it: the
 * stack file is changed (by `stepwise advance`/`rollback`, or edited), `stepwise plan` plans
 * the change against the committed base, the engine previews it with the policy pack, `pulumi
 * up` applies it, and the change is committed. The working copy is a git repository for that.
 */
import { textWithQuotedTimes } from "../../../migrations/config/stack-file-reader";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { inject, vi } from "vitest";
import type { EngineEvent, UpResult } from "@pulumi/pulumi/automation";
import type { Ledger } from "../../../migrations/ledger";
import type { PathId } from "../../../migrations/path";
import { main } from "../../../tools/cli/main";
import { EngineStack, type EnginePreview, type EngineRun } from "../../../tools/engine";
import type { Plan } from "../../../migrations/plan-model";
import type { ServiceEndpoints } from "../../services/manager";
import {
  linkPackageSources,
  PROGRAM_ENV,
  PACK,
  PASSPHRASE,
  pointAtServices,
  PROJECT_DIR,
  REPO_ROOT,
  STACK,
} from "./local-stack";

export { REPO_ROOT, STACK };

export function services(): ServiceEndpoints {
  return inject("services");
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The stepwise CLI in this process, its output captured; `env` is set only while it runs. */
export async function stepwise(
  argv: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
    out.push(a.join(" "));
  });
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => {
    err.push(a.join(" "));
  });
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const code = await main([...argv]);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    process.exitCode = undefined;
    log.mockRestore();
    error.mockRestore();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** One step of the walk as the engine saw it. */
export interface EngineStep {
  readonly preview: EnginePreview;
  /** Undefined when the preview was refused (the update is then not attempted). */
  readonly up: UpResult | undefined;
}

export class RealLane {
  private constructor(
    readonly engine: EngineStack,
    /** The stack's namespace: a new one per run, so a reused API server holds no leftovers. */
    readonly namespace: string,
  ) {}

  /** A throwaway local backend and working copy of the project, pointed at the test services. */
  static async open(): Promise<RealLane> {
    const engine = await EngineStack.open({
      projectDir: PROJECT_DIR,
      stack: STACK,
      passphrase: PASSPHRASE,
      env: PROGRAM_ENV,
    });
    const lane = new RealLane(engine, `stepwise-${Date.now().toString(36)}`);
    try {
      linkPackageSources(engine.workDir);
      await pointAtServices(engine, services());
      await engine.setConfig(
        { "stepwise:k3s.namespace": { value: lane.namespace } },
        { path: true },
      );
      lane.git("init", "-q");
      lane.git("add", "stacks");
      lane.git("commit", "-q", "-m", "the real lane at its baselines");
    } catch (error) {
      engine.dispose();
      throw error;
    }
    return lane;
  }

  /** The working copy of the seed platform's project (stepwise runs there, `-C`). */
  get projectDir(): string {
    return this.engine.workDir;
  }

  get stacksDir(): string {
    return join(this.engine.workDir, "stacks");
  }

  get stackFile(): string {
    return join(this.stacksDir, `Pulumi.${STACK}.yaml`);
  }

  /** The engine's own environment (backend, home, passphrase), for the CLI's engine commands. */
  get engineEnv(): Readonly<Record<string, string>> {
    return this.engine.environment();
  }

  git(...args: string[]): string {
    return execFileSync(
      "git",
      ["-c", "user.name=stepwise", "-c", "user.email=stepwise@example.com", ...args],
      { cwd: this.engine.workDir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  }

  /** `stepwise advance|rollback local <path>`: one phase step written to the stack file. */
  async move(direction: "advance" | "rollback", path: PathId, at: Date): Promise<CliResult> {
    return stepwise([direction, STACK, path, "-C", this.projectDir, "--at", at.toISOString()]);
  }

  /** An edit by hand (YAML keeps its comments), e.g. a traffic weight: `stepwise:apiWeights`. */
  edit(key: readonly (string | number)[], value: unknown): void {
    const document = parseDocument(this.text());
    document.setIn(["config", ...key], value);
    // As a user would write it: times quoted, or the engine reads them as dates.
    this.write(textWithQuotedTimes(document));
  }

  /** Removes a key by hand, as an edit of the stack file. */
  remove(key: readonly (string | number)[]): void {
    const document = parseDocument(this.text());
    document.deleteIn(["config", ...key]);
    this.write(document.toString());
  }

  /** `stepwise plan local --base HEAD --json`: the offline plan of the uncommitted change. */
  async plan(at: Date): Promise<{ plan: Plan; code: number }> {
    const result = await stepwise([
      "plan",
      STACK,
      "--base",
      "HEAD",
      "--json",
      "-C",
      this.projectDir,
      "--at",
      at.toISOString(),
    ]);
    if (result.code !== 0 && result.code !== 1) {
      throw new Error(`stepwise plan exited ${result.code}:\n${result.stderr}`);
    }
    return { plan: JSON.parse(result.stdout) as Plan, code: result.code };
  }

  /** Commits the stack file: the change has landed (the next plan's base). */
  land(message: string): void {
    this.git("commit", "-q", "-am", message);
  }

  /** Drops an uncommitted change to the stack file. */
  discard(): void {
    this.git("checkout", "--", join("stacks", `Pulumi.${STACK}.yaml`));
  }

  /** The pack's configuration for the stack: the levels in force, from the change's base. */
  async packConfig(): Promise<string> {
    const result = await stepwise([
      "policies",
      "pack-config",
      "--stack",
      STACK,
      "--base",
      "HEAD",
      "-C",
      this.projectDir,
    ]);
    if (result.code !== 0) throw new Error(`pack-config exited ${result.code}: ${result.stderr}`);
    const file = join(this.engine.workDir, "..", "pack-config.json");
    writeFileSync(file, result.stdout);
    return file;
  }

  /** `pulumi preview --json` with the policy pack. */
  async preview(packConfig: string): Promise<EnginePreview> {
    return this.engine.previewJson({ policyPacks: [PACK], policyPackConfigs: [packConfig] });
  }

  /** `pulumi up --yes` with the pack as at a terminal: its own preview first (the gate). */
  async upAfterPreview(packConfig: string): Promise<EngineRun> {
    return this.engine.upAfterPreview({ policyPacks: [PACK], policyPackConfigs: [packConfig] });
  }

  /** `pulumi up` with the policy pack, its preview skipped (the one before was checked). */
  async up(packConfig: string, onEvent?: (event: EngineEvent) => void): Promise<UpResult> {
    return this.engine.up({
      policyPacks: [PACK],
      policyPackConfigs: [packConfig],
      ...(onEvent ? { onEvent } : {}),
    });
  }

  /** The pack's preview, then (if it passes) the update under the same pack. */
  async apply(): Promise<EngineStep> {
    const packConfig = await this.packConfig();
    const preview = await this.preview(packConfig);
    if (preview.exitCode !== 0) return { preview, up: undefined };
    return { preview, up: await this.up(packConfig) };
  }

  /** The ledger the stack's outputs carry after the last update. */
  async ledgerOutput(): Promise<Ledger> {
    const outputs = await this.engine.stack.outputs();
    return outputs.ledger?.value as Ledger;
  }

  /** The stack's state as the backend stores it (`pulumi stack export` would decrypt secrets). */
  rawState(): string {
    const backend = (this.engineEnv.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
    const dir = join(backend, ".pulumi", "stacks", "stepwise");
    const file = readdirSync(dir).find((name) =>
      [`${STACK}.json`, `${STACK}.json.gz`].includes(name),
    );
    if (!file) throw new Error(`no state of stack ${STACK} in ${dir}`);
    const bytes = readFileSync(join(dir, file));
    return (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  }

  /** A path's phase as the stack file says now. */
  phaseInFile(path: PathId): string {
    const phases = parseDocument(this.text()).getIn(["config", "stepwise:phases"]) as {
      get(key: string): unknown;
    };
    return String(phases.get(path));
  }

  text(): string {
    return readFileSync(this.stackFile, "utf8");
  }

  write(text: string): void {
    writeFileSync(this.stackFile, text);
  }

  async dispose(): Promise<void> {
    try {
      await this.engine.destroy();
    } finally {
      this.engine.dispose();
    }
  }
}
