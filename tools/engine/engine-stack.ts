/**
 * Running the real engine on a Pulumi project: preview, up and destroy through the Automation
 * API (`@pulumi/pulumi/automation`), and the `pulumi preview --json` document, which the
 * Automation API does not offer, straight from the same binary with the same environment.
 *
 * Every stack lives in a temp dir of its own: a local file backend, a PULUMI_HOME, and (by
 * default) a working copy of the project, so the engine's writes (stack config, encryption
 * salt) never touch the checked-in project.
 */
import { execFile } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "fs";
import { tmpdir } from "os";
import { basename, dirname, join, resolve } from "path";
import {
  LocalWorkspace,
  PulumiCommand,
  type ConfigMap,
  type DestroyResult,
  type PolicyEvent,
  type Stack,
  type UpResult,
} from "@pulumi/pulumi/automation";
import type { Plan } from "../plan/plan";
import { engineEnvironment } from "./environment";
import { failureHints } from "./failure-hints";
import { locateEngine, type EngineLocation } from "./locate";
import { writePolicyLauncher } from "./policy-launcher";
import { parsePreviewDocument } from "./preview-document";

const REPO_ROOT = resolve(__dirname, "..", "..");
/** Only protects throwaway local stacks; real stacks bring their own secrets provider. */
const THROWAWAY_PASSPHRASE = "stepwise-engine-local";

export interface OpenStackOptions {
  /** Directory holding the project's Pulumi.yaml. */
  readonly projectDir: string;
  readonly stack: string;
  /** Run in a temp copy of the project (node_modules linked, not copied). @default true */
  readonly copyProject?: boolean;
  /**
   * Passphrase of the stack's secrets.
   * @default $PULUMI_CONFIG_PASSPHRASE, else a fixed throwaway passphrase
   */
  readonly passphrase?: string;
  /** More environment for the program and its dynamic providers. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Which engine to run. @default locateEngine() (STEPWISE_PULUMI, build cache, PATH) */
  readonly engine?: EngineLocation;
}

export interface PreviewJsonOptions {
  /** Policy pack directories, each handed to `--policy-pack` as a launcher. @default none */
  readonly policyPacks?: readonly string[];
}

/** A preview document plus how the engine ended (it exits non-zero on errors and violations). */
export interface EnginePreview {
  readonly plan: Plan;
  readonly exitCode: number;
  readonly stderr: string;
}

/** What the policy packs said about a preview. */
export interface PolicyVerdict {
  /** False when a mandatory policy was violated (the engine then fails the preview). */
  readonly passed: boolean;
  readonly violations: readonly PolicyEvent[];
}

export class EngineStack {
  private constructor(
    readonly stack: Stack,
    readonly engine: EngineLocation,
    /** The directory the engine runs the project in. */
    readonly workDir: string,
    private readonly tempRoot: string,
    private readonly env: Record<string, string>,
  ) {}

  static async open(options: OpenStackOptions): Promise<EngineStack> {
    const engine = options.engine ?? locateEngine({ env: process.env, repoRoot: REPO_ROOT });
    const projectDir = resolve(options.projectDir);
    if (!existsSync(join(projectDir, "Pulumi.yaml"))) {
      throw new Error(`projectDir "${projectDir}" has no Pulumi.yaml: point it at a project`);
    }
    const tempRoot = mkdtempSync(join(tmpdir(), "stepwise-engine-"));
    try {
      const workDir =
        options.copyProject === false ? projectDir : copyProject(projectDir, tempRoot);
      const env = engineEnvironment({
        backendDir: makeDir(tempRoot, "backend"),
        pulumiHome: makeDir(tempRoot, "home"),
        passphrase:
          options.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE ?? THROWAWAY_PASSPHRASE,
        binDir: dirname(engine.pulumi),
        path: process.env.PATH ?? "",
        ...(options.env ? { extra: options.env } : {}),
      });
      const pulumiCommand = await PulumiCommand.get({
        root: commandRoot(engine.pulumi),
        skipVersionCheck: true,
      });
      const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: options.stack, workDir },
        { pulumiCommand, envVars: env, pulumiHome: env.PULUMI_HOME },
      ).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(
          [`could not create stack ${options.stack} for ${projectDir}: ${message}`]
            .concat(failureHints(message))
            .join("\n"),
        );
      });
      return new EngineStack(stack, engine, workDir, tempRoot, env);
    } catch (error) {
      rmSync(tempRoot, { recursive: true, force: true });
      throw error;
    }
  }

  async setConfig(values: ConfigMap): Promise<void> {
    await this.stack.setAllConfig(values);
  }

  /** `pulumi preview --json`: the engine's own document, parsed into a Plan. */
  async previewJson(options: PreviewJsonOptions = {}): Promise<EnginePreview> {
    const args = ["preview", "--json", "--non-interactive", "--stack", this.stack.name];
    for (const pack of this.launchers(options.policyPacks ?? [])) args.push("--policy-pack", pack);
    const { stdout, stderr, exitCode } = await run(this.engine.pulumi, args, this.workDir, {
      ...process.env,
      ...this.env,
    });
    if (stdout.trim() === "") {
      throw new Error(
        `pulumi preview --json printed nothing (exit ${exitCode}) in ${this.workDir}:\n` +
          [stderr.trim(), ...failureHints(stderr)].join("\n"),
      );
    }
    return { plan: parsePreviewDocument(stdout, "pulumi preview --json"), exitCode, stderr };
  }

  /**
   * A preview with policy packs, for their verdicts: the engine reports policy violations in
   * its event stream and text output, never in the `--json` document. `configs` are policy
   * configuration files (`--policy-pack-config`), one per pack.
   */
  async previewPolicies(
    policyPacks: readonly string[],
    configs: readonly string[] = [],
  ): Promise<PolicyVerdict> {
    const violations: PolicyEvent[] = [];
    try {
      await this.stack.preview({
        policyPacks: this.launchers(policyPacks),
        policyPackConfigs: configs.map((file) => resolve(file)),
        onEvent: (event) => {
          if (event.policyEvent) violations.push(event.policyEvent);
        },
      });
      return { passed: true, violations };
    } catch (error) {
      // A mandatory violation fails the preview; any other failure is the caller's to see.
      if (violations.some((violation) => violation.enforcementLevel === "mandatory")) {
        return { passed: false, violations };
      }
      throw error;
    }
  }

  /** What `--policy-pack` gets for each pack directory (see policy-launcher.ts). */
  private launchers(policyPacks: readonly string[]): string[] {
    const dir = makeDir(this.tempRoot, "policy-packs");
    return policyPacks.map((pack, index) => writePolicyLauncher(pack, dir, index));
  }

  async up(): Promise<UpResult> {
    return this.stack.up();
  }

  async destroy(): Promise<DestroyResult> {
    return this.stack.destroy();
  }

  /** Removes the temp backend, home and working copy (the state goes with them). */
  dispose(): void {
    rmSync(this.tempRoot, { recursive: true, force: true });
  }
}

export interface OneShotPreviewOptions
  extends Omit<OpenStackOptions, "projectDir" | "stack">, PreviewJsonOptions {
  /** Config set on the stack before the preview (e.g. secrets). @default none */
  readonly config?: ConfigMap;
}

/**
 * The real `pulumi preview --json` document for a stack with no prior state (a fresh local
 * backend): what the engine would create for this program and config. Throws with the
 * engine's error diagnostics when the preview fails.
 */
export async function previewJson(
  stackDir: string,
  stack: string,
  options: OneShotPreviewOptions = {},
): Promise<Plan> {
  const engineStack = await EngineStack.open({ ...options, projectDir: stackDir, stack });
  try {
    if (options.config) await engineStack.setConfig(options.config);
    const preview = await engineStack.previewJson(options);
    if (preview.exitCode !== 0) {
      const errors = (preview.plan.diagnostics ?? [])
        .filter((diagnostic) => diagnostic.severity === "error")
        .map((diagnostic) => diagnostic.message.trim());
      const output = errors.length > 0 ? errors.join("\n") : preview.stderr;
      throw new Error(
        `pulumi preview of ${stackDir} (stack ${stack}) failed with exit ${preview.exitCode}:\n` +
          [output, ...failureHints(output)].join("\n"),
      );
    }
    return preview.plan;
  } finally {
    engineStack.dispose();
  }
}

/** PulumiCommand wants the directory above bin/pulumi. */
function commandRoot(pulumi: string): string {
  if (basename(dirname(pulumi)) !== "bin") {
    throw new Error(
      `the Automation API runs <root>/bin/pulumi, but the engine is at ${pulumi}: ` +
        `put the binary in a directory named bin`,
    );
  }
  return dirname(dirname(pulumi));
}

function makeDir(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Neither part of a program nor small: never copied into a working copy. */
const NOT_COPIED = new Set(["node_modules", ".git", ".cache", "dist"]);

/** Copies the project (without node_modules) and links the node_modules it resolves from. */
function copyProject(projectDir: string, tempRoot: string): string {
  const workDir = join(tempRoot, "project");
  cpSync(projectDir, workDir, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(basename(source)),
  });
  symlinkSync(findNodeModules(projectDir), join(workDir, "node_modules"), "dir");
  return workDir;
}

function findNodeModules(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules");
    if (existsSync(join(candidate, "@pulumi", "pulumi"))) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(`no node_modules with @pulumi/pulumi above ${from}: run npm ci first`);
    }
  }
}

function run(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        reject(new Error(`could not run ${file}: ${error.message}`));
        return;
      }
      resolvePromise({
        stdout,
        stderr,
        exitCode: typeof error?.code === "number" ? error.code : 0,
      });
    });
  });
}
