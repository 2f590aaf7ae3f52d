/**
 * The environment every engine run gets: a local file backend, a throwaway passphrase secrets
 * provider, its own PULUMI_HOME, and no network: no update check, no plugin downloads.
 */
import { delimiter } from "path";

export interface EngineEnvironmentInput {
  /** Directory of the local file backend (`file://<dir>`). */
  readonly backendDir: string;
  /** PULUMI_HOME for this run (plugin cache, credentials), so runs never share state. */
  readonly pulumiHome: string;
  /** Passphrase of the stack's secrets provider. */
  readonly passphrase: string;
  /** Directory holding pulumi and its plugins; goes first on PATH so the engine finds them. */
  readonly binDir: string;
  /** PATH to extend (node must be on it: the language host runs `node`). */
  readonly path: string;
  /** More variables for the program and its dynamic providers. */
  readonly extra?: Readonly<Record<string, string>>;
}

export function engineEnvironment(input: EngineEnvironmentInput): Record<string, string> {
  return {
    ...input.extra,
    PULUMI_BACKEND_URL: `file://${input.backendDir}`,
    PULUMI_HOME: input.pulumiHome,
    PULUMI_CONFIG_PASSPHRASE: input.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // Plain text output: previews are read by tests and people, not terminals.
    NO_COLOR: "1",
    PATH: [input.binDir, ...input.path.split(delimiter).filter((dir) => dir !== "")].join(
      delimiter,
    ),
  };
}
