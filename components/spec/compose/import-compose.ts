import { basename, dirname } from "node:path";
import { parseEnvFile } from "../env-file";
import { isPinnedImage } from "../pinned-image";
import type { ServiceSpec } from "../service-spec";
import { ServiceSpecError, validateServiceSpecs } from "../validate";
import { ImportContext, compact, isRecord, shown, type Raw } from "./context";
import { loadComposeFiles, type ComposeSource } from "./files";
import type { Variables } from "./interpolate";
import { dnsLabelFor, projectNameFor, type Rename } from "./normalised-names";
import { servicePorts } from "./ports";
import { environment } from "./environment";
import { healthCheck } from "./healthcheck";
import { withDependencies } from "./depends-on";
import { labels } from "./labels";
import { RESOURCE_KEYS, resources } from "./resources";
import { checkRestart } from "./restart";
import { hostPortClashes } from "./host-ports";
import { image } from "./image";
import { networks } from "./networks";
import { activeServices } from "./profiles";
import { commandList, envFileWarning, replicas } from "./service-fields";
import { namedVolumes, sharedVolumes, volumes, type NamedVolume } from "./volumes";

export interface ComposeImportOptions {
  /** Variables for interpolation and key-only env; they win over `.env`. @default none */
  readonly env?: Variables;
  /** Text of the `.env` file beside the Compose file. @default none */
  readonly dotEnv?: string;
  /** Compose project name. @default `name:` in the file, COMPOSE_PROJECT_NAME, the file's folder */
  readonly project?: string;
  /** Active profiles (`--profile`). @default COMPOSE_PROFILES from the variables, else none */
  readonly profiles?: readonly string[];
  /** Refuse the file when anything would be a warning or a to-do. @default false */
  readonly strict?: boolean;
}

export interface ComposeImport {
  /** Valid specs except that an image may be unpinned; a to-do says so, and deploys refuse it. */
  readonly services: ServiceSpec[];
  /** What was not carried over, or carried with a change to know about; one line each. */
  readonly warnings: string[];
  /** What to do before the specs can be deployed (build and push, pin, pass env files). */
  readonly todos: string[];
  /** Names changed to ones Kubernetes and the specs accept. */
  readonly renames: Rename[];
}

/** A file whose meaning cannot be carried; lists every problem and keeps the warnings. */
export class ComposeImportError extends Error {
  constructor(
    readonly problems: readonly string[],
    readonly warnings: readonly string[],
    readonly todos: readonly string[],
  ) {
    super(`cannot import the Compose file:\n  - ${problems.join("\n  - ")}`);
    this.name = "ComposeImportError";
  }
}

// Service keys read below. Others are named in a warning.
const SERVICE_KEYS = new Set([
  "image",
  "build",
  "entrypoint",
  "command",
  "ports",
  "expose",
  "environment",
  "env_file",
  "healthcheck",
  "deploy",
  "volumes",
  "depends_on",
  "labels",
  "restart",
  "networks",
  "container_name",
  "profiles",
  ...RESOURCE_KEYS,
]);
// Top-level keys read below; `version` is obsolete and `x-*` are templates for anchors.
const TOP_KEYS = new Set(["version", "name", "services", "volumes", "networks"]);
// Stands in for an unpinned image while the rest of a spec is validated.
const PINNED_STAND_IN = "stepwise.invalid/unpinned:0";

/**
 * Reads a docker-compose.yml into service specs, the start of a migration: import, then tell.
 * Whatever can be carried is; everything else is a warning, and what must happen before a deploy
 * (build and push an image, pin a tag, supply an env file) is a to-do. Only input whose meaning
 * cannot be carried is refused, with every problem named by service and field.
 */
export function importComposeFile(
  text: string,
  source = "docker-compose.yml",
  options: ComposeImportOptions = {},
): ComposeImport {
  return importComposeFiles([{ text, source }], options);
}

/**
 * Several Compose files merged as `docker compose -f a.yml -f b.yml` merges them (later files
 * override and extend earlier ones), then imported as one. The `.env` is the first file's.
 */
export function importComposeFiles(
  files: readonly ComposeSource[],
  options: ComposeImportOptions = {},
): ComposeImport {
  const ctx = new ImportContext(files.map((f) => f.source).join(" + "));
  const renames: Rename[] = [];
  const specs = read(files, options, ctx, renames);
  const strict = options.strict ? [...ctx.warnings, ...ctx.todos.map((t) => `to-do: ${t}`)] : [];
  if (ctx.problems.length + strict.length > 0) {
    throw new ComposeImportError([...ctx.problems, ...strict], ctx.warnings, ctx.todos);
  }
  return { services: specs, warnings: ctx.warnings, todos: ctx.todos, renames };
}

function read(
  files: readonly ComposeSource[],
  options: ComposeImportOptions,
  ctx: ImportContext,
  renames: Rename[],
): ServiceSpec[] {
  const source = files[0]?.source ?? "docker-compose.yml";
  let vars: Variables = options.env ?? {};
  if (options.dotEnv !== undefined) {
    try {
      vars = { ...parseEnvFile(options.dotEnv, `${dirname(source)}/.env`), ...vars };
    } catch (error) {
      ctx.fail("", (error as Error).message);
      return [];
    }
  }
  const loaded = loadComposeFiles(files, vars, ctx);
  if (loaded === undefined) return [];
  const services = activeServices(loaded.services as Raw, options, vars, ctx);
  const doc: Raw & { services: Raw } = { ...loaded, services };
  for (const key of Object.keys(doc).filter((k) => !TOP_KEYS.has(k) && !k.startsWith("x-"))) {
    ctx.warn(key, "not carried over; the platforms do not model it");
  }
  const project = projectNameFor(
    options.project ??
      (typeof doc.name === "string" ? doc.name : undefined) ??
      vars.COMPOSE_PROJECT_NAME ??
      (basename(dirname(source)) || "compose"),
  );
  const serviceNames = renamedServices(Object.keys(doc.services), ctx, renames);
  const named = namedVolumes(doc.volumes, project, ctx, renames);
  networks(doc, ctx);
  const raws = Object.entries(doc.services);
  const specs = raws.map(([original, raw]) => {
    const name = serviceNames.get(original) ?? original;
    return service(original, name, raw, { project, vars, named, serviceNames, ctx, renames });
  });
  const result = withDependencies(specs, raws, serviceNames, ctx);
  checkRestart(result, raws, ctx);
  sharedVolumes(result, ctx);
  hostPortClashes(result, ctx);
  validate(result, ctx);
  return result;
}

interface ServiceContext {
  readonly project: string;
  readonly vars: Variables;
  readonly named: ReadonlyMap<string, NamedVolume>;
  readonly serviceNames: ReadonlyMap<string, string>;
  readonly ctx: ImportContext;
  readonly renames: Rename[];
}

function service(original: string, name: string, raw: unknown, sc: ServiceContext): ServiceSpec {
  const { ctx } = sc;
  const at = `services.${original}`;
  if (!isRecord(raw)) {
    ctx.fail(at, `${shown(raw)}: expected a mapping`);
    return { name, image: "" };
  }
  for (const key of Object.keys(raw).filter((k) => !SERVICE_KEYS.has(k))) {
    ctx.warn(
      `${at}.${key}`,
      `${shown(raw[key])}: not carried over; set it on the platform or drop it`,
    );
  }
  containerName(raw.container_name, `${sc.project}-${original}`, `${at}.container_name`, ctx);
  envFileWarning(raw.env_file, `${at}.env_file`, ctx);
  const deploy = isRecord(raw.deploy) ? raw.deploy : undefined;
  const { env, secretEnv } = environment(
    raw.environment,
    name,
    sc.vars,
    `${at}.environment`,
    ctx,
    sc.renames,
  );
  return compact({
    name,
    image: image(original, raw, sc.project, at, ctx),
    command: commandList(raw.entrypoint, `${at}.entrypoint`, ctx),
    args: commandList(raw.command, `${at}.command`, ctx),
    ports: servicePorts(raw.ports, raw.expose, at, ctx),
    env,
    secretEnv,
    healthCheck: healthCheck(raw.healthcheck, `${at}.healthcheck`, ctx),
    replicas: replicas(deploy, `${at}.deploy`, ctx),
    resources: resources(raw, at, ctx),
    volumes: volumes(raw.volumes, sc.named, `${at}.volumes`, ctx),
    ...labels(raw.labels, `${at}.labels`, ctx),
  });
}

function containerName(value: unknown, expected: string, at: string, ctx: ImportContext): void {
  if (value === undefined || value === expected) return;
  ctx.warn(
    at,
    `${shown(value)}: not carried over; the platforms name containers <platform>-<service>`,
  );
}

function renamedServices(
  names: string[],
  ctx: ImportContext,
  renames: Rename[],
): Map<string, string> {
  const map = new Map<string, string>();
  const owner = new Map<string, string>();
  for (const name of names) {
    const label = dnsLabelFor(name, "svc");
    const taken = owner.get(label);
    if (taken !== undefined) {
      ctx.fail(
        `services.${name}`,
        `becomes "${label}", like services.${taken}; rename one of them`,
      );
      continue;
    }
    owner.set(label, name);
    map.set(name, label);
    if (label !== name) {
      renames.push({ kind: "service", from: name, to: label });
      ctx.warn(
        `services.${name}`,
        `renamed to "${label}" (a DNS label); other services must reach it as ${label}, not ${name}`,
      );
    }
  }
  return map;
}

/** The specs as every platform validates them, except that an unpinned image is a to-do here. */
function validate(specs: ServiceSpec[], ctx: ImportContext): void {
  try {
    validateServiceSpecs(
      specs.map((s) => (isPinnedImage(s.image) ? s : { ...s, image: PINNED_STAND_IN })),
    );
  } catch (error) {
    if (!(error instanceof ServiceSpecError)) throw error;
    for (const problem of error.problems) ctx.fail("", problem);
  }
}
