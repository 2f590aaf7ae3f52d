import { existsSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { parse, stringify } from "yaml";
import { composeFileForPlacement } from "../../../components/platform/compose-for-placement";
import { type Placement } from "../../../components/platform/discovery";
import { DEFAULT_K3S_EXTERNAL_ADDRESS } from "../../../components/platform/platform-ref";
import {
  ComposeImportError,
  ServiceSpecError,
  importComposeFiles,
  type ServiceSpec,
} from "../../../components/spec";
import { WITHHELD_SECRET } from "../../../components/spec/plaintext-secret";
import { UsageError } from "../exit";
import { firstLine, readInputFile, shown } from "./input-files";

interface ComposeFileOptions {
  services: string;
  placement: string[];
  project: string;
  k3sAddress: string;
  secretsDir: string;
  out?: string;
}

/** `stepwise platform compose-file`: the docker-compose.yml for whoever still runs Compose. */
export function registerPlatformCommands(program: Command): void {
  const platform = program.command("platform").description("Compose → K3s platform tools");
  platform
    .command("compose-file")
    .description(
      "Print the docker-compose.yml of the services placed on Compose (no secret values)",
    )
    .requiredOption(
      "--services <file>",
      "service specs (YAML or JSON list), e.g. what `platform import-compose --out` wrote",
    )
    .option(
      "--placement <service=platform>",
      "a service on k3s or compose (repeatable); others stay on compose",
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option(
      "--project <name>",
      "Compose project name (the ComposePlatform's name)",
      "platform-compose",
    )
    .option(
      "--k3s-address <host>",
      "address Compose reaches K3s services at",
      DEFAULT_K3S_EXTERNAL_ADDRESS,
    )
    .option("--secrets-dir <dir>", "folder of the per-service secret env files", "./secrets")
    .option("--out <file>", "write to this file instead of stdout")
    .action((options: ComposeFileOptions) => {
      const text = renderForCli(options);
      if (options.out) writeFileSync(options.out, text);
      else process.stdout.write(text);
    });
  platform
    .command("import-compose")
    .description(
      "Read a docker-compose.yml into service specs (YAML); warnings, to-dos and renames go to stderr",
    )
    .argument(
      "[file]",
      "the docker-compose.yml to import (a .env beside it is read too); or give -f",
    )
    .option(
      "-f, --file <file>",
      "a Compose file (repeatable): later files are merged over earlier ones, as docker compose -f does",
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option(
      "--profile <name>",
      "an active profile (repeatable); default COMPOSE_PROFILES; services only in other profiles are skipped",
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option("--out <file>", "write the specs to this file instead of stdout")
    .option("--strict", "refuse the file (exit 2) when anything would be a warning or a to-do")
    .option("--json", "print { services, warnings, todos, renames } as JSON instead")
    .action((file: string | undefined, options: ImportOptions) => importForCli(file, options));
}

interface ImportOptions {
  file: string[];
  profile: string[];
  out?: string;
  strict?: boolean;
  json?: boolean;
}

function importForCli(file: string | undefined, options: ImportOptions): void {
  const paths = [...(file === undefined ? [] : [file]), ...options.file];
  const first = paths[0];
  if (first === undefined) {
    throw new UsageError("import-compose: give the Compose file, or -f <file> (repeatable)");
  }
  const files = paths.map((path) => ({ text: readInputFile(path, "compose file"), source: path }));
  // Compose reads the .env of the project folder, the first file's.
  const dotEnvPath = join(dirname(first), ".env");
  const dotEnv = existsSync(dotEnvPath) ? readInputFile(dotEnvPath, ".env") : undefined;
  let result;
  try {
    result = importComposeFiles(files, {
      env: process.env,
      dotEnv,
      project: basename(dirname(resolve(first))),
      profiles: options.profile.length > 0 ? options.profile : undefined,
      strict: options.strict,
    });
  } catch (error) {
    if (!(error instanceof ComposeImportError)) throw error;
    if (options.json) {
      const { problems, warnings, todos } = error;
      process.stdout.write(`${JSON.stringify({ problems, warnings, todos }, null, 2)}\n`);
    } else if (!options.strict) {
      // Printed for a refused file too: a warning often explains the refusal.
      for (const warning of error.warnings) console.error(`warning: ${warning}`);
      for (const todo of error.todos) console.error(`to-do: ${todo}`);
    }
    throw new UsageError(error.message);
  }
  if (!options.json) {
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    for (const todo of result.todos) console.error(`to-do: ${todo}`);
  }
  // Secret values never reach the terminal or a file; a to-do asks for them from a secret store.
  const services = result.services.map(withheldSecrets);
  const output = options.json
    ? `${JSON.stringify({ ...result, services }, null, 2)}\n`
    : stringify(services, { lineWidth: 0 });
  if (options.out) writeFileSync(options.out, output);
  else process.stdout.write(output);
}

function withheldSecrets(spec: ServiceSpec): ServiceSpec {
  if (!spec.secretEnv) return spec;
  const keys = Object.keys(spec.secretEnv);
  return { ...spec, secretEnv: Object.fromEntries(keys.map((k) => [k, WITHHELD_SECRET])) };
}

function renderForCli(options: ComposeFileOptions): string {
  const services = readServices(options.services);
  try {
    return composeFileForPlacement({
      services,
      placement: parsePlacement(options.placement),
      project: options.project,
      k3sAddress: options.k3sAddress,
      secretsDir: options.secretsDir,
    });
  } catch (error) {
    if (error instanceof ServiceSpecError)
      throw new UsageError(`${options.services}: ${error.message}`);
    if (error instanceof Error && error.message.startsWith("placement.")) {
      throw new UsageError(`--placement: ${error.message}`);
    }
    throw error;
  }
}

export function parsePlacement(values: readonly string[]): Placement {
  const placement: Record<string, string> = {};
  for (const value of values) {
    const [service, platform, ...rest] = value.split("=");
    if (!service || !platform || rest.length > 0) {
      throw new UsageError(
        `--placement ${JSON.stringify(value)}: write it as <service>=k3s or <service>=compose`,
      );
    }
    placement[service] = platform;
  }
  return placement as Placement;
}

function readServices(file: string): readonly ServiceSpec[] {
  const text = readInputFile(file, "--services");
  let specs: unknown;
  try {
    specs = parse(text);
  } catch (error) {
    throw new UsageError(
      `--services ${shown(file)} is not valid YAML or JSON (${firstLine((error as Error).message)}); give a list of service specs`,
    );
  }
  if (!Array.isArray(specs)) {
    throw new UsageError(
      `--services ${file}: must hold a list of service specs, found ${typeof specs}`,
    );
  }
  return specs as ServiceSpec[];
}
