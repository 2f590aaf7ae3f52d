/**
 * The environment every engine run gets: no network (no update check, no plugin downloads),
 * the engine and its plugins first on PATH, and either a throwaway stack (a local file backend,
 * its own PULUMI_HOME, a passphrase) or, with those left out, the backend the caller's
 * environment already names (PULUMI_BACKEND_URL or `pulumi login`).
 */
import { delimiter } from "path";

export interface EngineEnvironmentInput {
  /** Directory of the local file backend (`file://<dir>`). @default the caller's backend */
  readonly backendDir?: string;
  /** PULUMI_HOME for this run (plugin cache, credentials). @default the caller's */
  readonly pulumiHome?: string;
  /** Passphrase of the stack's secrets provider. @default the caller's PULUMI_CONFIG_PASSPHRASE */
  readonly passphrase?: string;
  /** Directories holding pulumi and its plugins; they go first on PATH so the engine finds them. */
  readonly binDirs: readonly string[];
  /** PATH to extend (node must be on it: the language host runs `node`). */
  readonly path: string;
  /** More variables for the program and its dynamic providers. */
  readonly extra?: Readonly<Record<string, string>>;
}

export function engineEnvironment(input: EngineEnvironmentInput): Record<string, string> {
  return {
    ...input.extra,
    ...(input.backendDir !== undefined ? { PULUMI_BACKEND_URL: `file://${input.backendDir}` } : {}),
    ...(input.pulumiHome !== undefined ? { PULUMI_HOME: input.pulumiHome } : {}),
    ...(input.passphrase !== undefined ? { PULUMI_CONFIG_PASSPHRASE: input.passphrase } : {}),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // Plain text output: previews are read by tests and people, not terminals.
    NO_COLOR: "1",
    PATH: [...input.binDirs, ...input.path.split(delimiter).filter((dir) => dir !== "")].join(
      delimiter,
    ),
  };
}
