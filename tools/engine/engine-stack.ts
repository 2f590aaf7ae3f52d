/**
 * Running the real engine on a Pulumi project: preview, up and destroy through the Automation
 * API (`@pulumi/pulumi/automation`), and the `pulumi preview --json` document, which the
 * Automation API does not offer, straight from the same binary with the same environment.
 *
 * A throwaway stack (the default) lives in a temp dir of its own: a local file backend, a
 * PULUMI_HOME, and a working copy of the project, so the engine's writes (stack config,
 * encryption salt) never touch the checked-in project. An ambient stack is the user's own: the
 * backend their environment names, the project where it is, a stack that must exist.
 */
import { existsSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { basename, dirname, join, resolve } from "path";
import {
  LocalWorkspace,
  PulumiCommand,
  type ConfigMap,
  type DestroyResult,
  type EngineEvent,
  type PolicyEvent,
  type Stack,
  type UpResult,
} from "@pulumi/pulumi/automation";
import { asLedger, findLedgerResource, type Ledger } from "../../migrations/ledger";
import type { Plan } from "../../migrations/plan-model";
import { policyEventsIn, run, type EngineRun } from "./cli-run";
import { engineEnvironment } from "./engine-environment";
import { failureHints } from "./failure-hints";
import { STEPWISE_ROOT } from "../project/package-root";
import { locateEngine, type EngineLocation } from "./locate";
import { writePolicyLauncher } from "./policy-launcher";
import { copyProject, installPlugins, makeDir, workingCopyDir } from "./stack-folder";
import { parsePreviewDocument } from "./preview-document";

/** Only protects throwaway local stacks; real stacks bring their own secrets provider. */
const THROWAWAY_PASSPHRASE = "stepwise-engine-local";

export interface OpenStackOptions {
  /** Directory holding the project's Pulumi.yaml. */
  readonly projectDir: string;
  readonly stack: string;
  /**
   * "throwaway": a new stack on a temp local backend; "ambient": the existing stack in the
   * backend the environment names (PULUMI_BACKEND_URL or `pulumi login`), with its state.
   * @default "throwaway"
   */
  readonly backend?: "throwaway" | "ambient";
  /** Run in a temp copy of the project (node_modules linked, not copied). @default true for a throwaway stack, false for an ambient one */
  readonly copyProject?: boolean;
  /**
   * Folder a throwaway stack lives in (backend, home, working copy), kept by dispose() and
   * reused by the next open(): state and the working copy's stack file survive.
   * @default a new temp folder, removed by dispose()
   */
  readonly root?: string;
  /**
   * Passphrase of the stack's secrets.
   * @default $PULUMI_CONFIG_PASSPHRASE, else (throwaway stacks only) a fixed throwaway passphrase
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
  /** Policy configuration files, one per pack (`--policy-pack-config`). @default none */
  readonly policyPackConfigs?: readonly string[];
}

/** A preview document plus how the engine ended (it exits non-zero on errors and violations). */
export interface EnginePreview {
  readonly plan: Plan;
  readonly exitCode: number;
  readonly stderr: string;
  /** What the policy packs reported: the `--json` document never holds it, the event log does. */
  readonly policy: PolicyVerdict;
  /** The engine's event log of this preview (JSON lines): what the providers answered, too. */
  readonly eventLog: string;
}

/** What the policy packs said about a preview. */
export interface PolicyVerdict {
  /** False when a mandatory policy was violated (the engine then fails the preview). */
  readonly passed: boolean;
  readonly violations: readonly PolicyEvent[];
}

/** What a stack's state says is deployed, read from its backend. */
export interface DeployedState {
  /** The PhaseLedger's recorded ledger; undefined when none was ever deployed. */
  readonly ledger: Ledger | undefined;
  /** The stack's last update (not preview), if it ever had one. */
  readonly lastUpdate:
    { readonly kind: string; readonly result: string; readonly endTime?: string } | undefined;
  /** Resources in state, the stack itself included. */
  readonly resourceCount: number;
}

export interface UpOptions {
  /** Policy pack directories the update must pass (each handed over as a launcher). */
  readonly policyPacks?: readonly string[];
  /** Policy configuration files, one per pack (`--policy-pack-config`). */
  readonly policyPackConfigs?: readonly string[];
  /** Called with every engine event as the update runs. */
  readonly onEvent?: (event: EngineEvent) => void;
}

export class EngineStack {
  private constructor(
    readonly stack: Stack,
    readonly engine: EngineLocation,
    /** The directory the engine runs the project in. */
    readonly workDir: string,
    private readonly tempRoot: string,
    private readonly env: Record<string, string>,
    private readonly keepRoot: boolean,
  ) {}

  static async open(options: OpenStackOptions): Promise<EngineStack> {
    const engine = options.engine ?? locateEngine({ env: process.env, repoRoot: STEPWISE_ROOT });
    const projectDir = resolve(options.projectDir);
    if (!existsSync(join(projectDir, "Pulumi.yaml"))) {
      throw new Error(`projectDir "${projectDir}" has no Pulumi.yaml: point it at a project`);
    }
    const ambient = options.backend === "ambient";
    const keepRoot = options.root !== undefined;
    const tempRoot =
      options.root !== undefined
        ? makeDir(resolve(options.root), ".")
        : mkdtempSync(join(tmpdir(), "stepwise-engine-"));
    try {
      const copied = workingCopyDir(projectDir, tempRoot);
      const workDir = !(options.copyProject ?? !ambient)
        ? projectDir
        : keepRoot && existsSync(copied)
          ? copied
          : copyProject(projectDir, tempRoot);
      const passphrase =
        options.passphrase ??
        process.env.PULUMI_CONFIG_PASSPHRASE ??
        (ambient ? undefined : THROWAWAY_PASSPHRASE);
      const pulumiHome = ambient ? undefined : makeDir(tempRoot, "home");
      // A throwaway home gets the built plugins installed (linked, not copied); the user's own
      // home may not have them, so there they are found on PATH (the engine warns about that).
      if (pulumiHome !== undefined) installPlugins(pulumiHome, engine.pluginDirs);
      const env = engineEnvironment({
        ...(pulumiHome !== undefined
          ? { backendDir: makeDir(tempRoot, "backend"), pulumiHome }
          : {}),
        ...(passphrase !== undefined ? { passphrase } : {}),
        binDirs: [dirname(engine.pulumi), ...(ambient ? engine.pluginDirs : [])],
        path: process.env.PATH ?? "",
        ...(options.env ? { extra: options.env } : {}),
      });
      const pulumiCommand = await PulumiCommand.get({
        root: commandRoot(engine.pulumi),
        skipVersionCheck: true,
      });
      const workspace = {
        pulumiCommand,
        envVars: env,
        ...(env.PULUMI_HOME !== undefined ? { pulumiHome: env.PULUMI_HOME } : {}),
      };
      const args = { stackName: options.stack, workDir };
      const stack = await (
        ambient
          ? LocalWorkspace.selectStack(args, workspace)
          : LocalWorkspace.createOrSelectStack(args, workspace)
      ).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        const what = ambient
          ? `could not select stack ${options.stack} in ${backendOf(env)} for ${projectDir}`
          : `could not create stack ${options.stack} for ${projectDir}`;
        throw new Error([`${what}: ${message}`].concat(failureHints(message)).join("\n"));
      });
      return new EngineStack(stack, engine, workDir, tempRoot, env, keepRoot);
    } catch (error) {
      if (!keepRoot) rmSync(tempRoot, { recursive: true, force: true });
      throw error;
    }
  }

  /** The variables every engine run of this stack gets (backend, home, passphrase, PATH). */
  environment(): Readonly<Record<string, string>> {
    return this.env;
  }

  /**
   * Sets config values. With `path`, keys are property paths into structured values
   * (`stepwise:externalEngines.kafka.bootstrap`), as `pulumi config set --path` takes them.
   */
  async setConfig(values: ConfigMap, options: { path?: boolean } = {}): Promise<void> {
    await this.stack.setAllConfig(values, options.path ?? false);
  }

  /**
   * `pulumi preview --json --show-sames`: the engine's own document, parsed into a Plan, and in
   * the same run the policy packs' verdict, read from the engine's event log.
   */
  async previewJson(options: PreviewJsonOptions = {}): Promise<EnginePreview> {
    const eventLog = join(makeDir(this.tempRoot, "events"), `preview-${Date.now()}.jsonl`);
    // --show-sames: the document lists every resource, not only the changing ones, so checks
    // that need the whole stack (monitoring of both systems) see it as the offline plan does.
    const args = [
      "preview",
      "--json",
      "--show-sames",
      "--non-interactive",
      "--stack",
      this.stack.name,
    ];
    args.push("--event-log", eventLog);
    for (const pack of this.launchers(options.policyPacks ?? [])) args.push("--policy-pack", pack);
    for (const file of options.policyPackConfigs ?? []) {
      args.push("--policy-pack-config", resolve(file));
    }
    const { stdout, stderr, exitCode } = await run(this.engine.pulumi, args, this.workDir, {
      ...process.env,
      ...this.env,
      // --event-log is one of the CLI's debug flags, as the Automation API uses it.
      PULUMI_DEBUG_COMMANDS: "true",
    });
    if (stdout.trim() === "") {
      throw new Error(
        `pulumi preview --json printed nothing (exit ${exitCode}) in ${this.workDir}:\n` +
          [stderr.trim(), ...failureHints(stderr)].join("\n"),
      );
    }
    const violations = policyEventsIn(eventLog);
    return {
      plan: parsePreviewDocument(stdout, "pulumi preview --json"),
      exitCode,
      stderr,
      eventLog,
      policy: {
        passed: !violations.some((violation) => violation.enforcementLevel === "mandatory"),
        violations,
      },
    };
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

  /**
   * `pulumi up` without a second preview of its own (the caller previews first). With policy
   * packs, a mandatory violation stops the update before any resource changes.
   */
  async up(options: UpOptions = {}): Promise<UpResult> {
    return this.stack.up({
      ...(options.policyPacks ? { policyPacks: this.launchers(options.policyPacks) } : {}),
      ...(options.policyPackConfigs
        ? { policyPackConfigs: options.policyPackConfigs.map((file) => resolve(file)) }
        : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  }

  /**
   * `pulumi up --yes` as at a terminal: the engine's own preview (with the packs) runs first,
   * and a mandatory violation stops the update before any resource changes. `up()` skips that
   * preview (as the Automation API always does), so there a stack policy, which CrossGuard runs
   * once the program has registered everything, only fails an update already applied.
   */
  async upAfterPreview(options: Omit<UpOptions, "onEvent"> = {}): Promise<EngineRun> {
    const args = ["up", "--yes", "--non-interactive", "--stack", this.stack.name];
    for (const pack of this.launchers(options.policyPacks ?? [])) args.push("--policy-pack", pack);
    for (const file of options.policyPackConfigs ?? []) {
      args.push("--policy-pack-config", resolve(file));
    }
    return run(this.engine.pulumi, args, this.workDir, { ...process.env, ...this.env });
  }

  /** The deployed ledger and the last update's outcome, from the stack's state and history. */
  async deployed(): Promise<DeployedState> {
    const exported = (await this.stack.exportStack()) as {
      deployment?: { resources?: { type: string; outputs?: Record<string, unknown> }[] };
    };
    const resources = exported.deployment?.resources ?? [];
    const ledgerResource = findLedgerResource(resources);
    const history = await this.stack.history(10);
    const update = history.find((entry) => entry.kind !== "preview");
    return {
      ledger: asLedger(ledgerResource?.outputs?.ledger),
      lastUpdate: update
        ? {
            kind: update.kind,
            result: update.result,
            ...(update.endTime ? { endTime: update.endTime.toISOString() } : {}),
          }
        : undefined,
      resourceCount: resources.length,
    };
  }

  async destroy(): Promise<DestroyResult> {
    return this.stack.destroy();
  }

  /** Removes the temp backend, home and working copy (the state goes with them), unless kept. */
  dispose(): void {
    if (!this.keepRoot) rmSync(this.tempRoot, { recursive: true, force: true });
  }

  /** A launcher for a policy pack, for a `pulumi` command run by hand on this stack. */
  policyLauncher(pack: string): string {
    return this.launchers([pack])[0] ?? "";
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

/** Where the engine keeps state for these variables, for messages. */
function backendOf(env: Readonly<Record<string, string | undefined>>): string {
  const url = env.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL;
  return url === undefined ? "the backend of `pulumi login`" : `backend ${url}`;
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
