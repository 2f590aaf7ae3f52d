import { basename, dirname } from "node:path";
import { parseEnvFile } from "../env-file";
import { PINNING_HINT, isPinnedImage, unpinnedReason } from "../pinned-image";
import type { ServiceSpec } from "../service-spec";
import { ServiceSpecError, validateServiceSpecs } from "../validate";
import { ImportContext, compact, isRecord, shown, text, type Raw } from "./context";
import { loadComposeFiles, type ComposeSource } from "./files";
import type { Variables } from "./interpolate";
import { dnsLabelFor, projectNameFor, type Rename } from "./names";
import { servicePorts } from "./ports";
import { environment } from "./environment";
import { healthCheck } from "./healthcheck";
import { withDependencies } from "./depends-on";
import { labels } from "./labels";
import { RESOURCE_KEYS, resources } from "./resources";
import { checkRestart } from "./restart";
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

/**
 * Services without `profiles` always run; the others only when one of their profiles is active,
 * as in Compose. Skipped services are named in a warning.
 */
function activeServices(
  services: Raw,
  options: ComposeImportOptions,
  vars: Variables,
  ctx: ImportContext,
): Raw {
  const active = new Set(
    options.profiles ?? (vars.COMPOSE_PROFILES ?? "").split(",").map((p) => p.trim()),
  );
  if (active.has("*")) return services;
  return Object.fromEntries(
    Object.entries(services).filter(([name, raw]) => {
      const profiles = isRecord(raw) && Array.isArray(raw.profiles) ? raw.profiles.map(text) : [];
      if (profiles.length === 0 || profiles.some((p) => active.has(p))) return true;
      ctx.warn(
        `services.${name}`,
        `skipped: only in profile ${profiles.join(", ")}, which is not active (pass --profile ${profiles[0]} to import it)`,
      );
      return false;
    }),
  );
}

/** The image, or for a build-only service the one Compose would build: `<project>-<service>`. */
function image(
  original: string,
  raw: Raw,
  project: string,
  at: string,
  ctx: ImportContext,
): string {
  const build =
    raw.build === undefined
      ? undefined
      : isRecord(raw.build)
        ? text(raw.build.context ?? ".")
        : text(raw.build);
  if (raw.image === undefined || raw.image === null) {
    if (build === undefined) {
      ctx.fail(`${at}.image`, "missing; give image, or build to have one named after the service");
      return "";
    }
    const built = `${project}-${original}`.toLowerCase();
    ctx.warn(
      `${at}.build`,
      `no image given; named it "${built}" after project and service, as Compose does`,
    );
    ctx.todo(
      `${at}.build`,
      `build ${build} and push it to a registry both platforms pull from, then set image to its pinned tag (e.g. "registry.example/${built}:1.0.0")`,
    );
    return built;
  }
  const value = text(raw.image);
  if (build !== undefined) {
    ctx.todo(
      `${at}.build`,
      `build ${build} as ${value} and push it; the platforms pull images, they do not build them`,
    );
  }
  const reason = unpinnedReason(value);
  if (reason !== undefined && build === undefined) {
    ctx.warn(`${at}.image`, `${shown(value)} is not pinned: ${reason}`);
    ctx.todo(
      `${at}.image`,
      `${shown(value)}: ${PINNING_HINT} before deploying; platform compose-file and the platforms refuse it until then`,
    );
  } else if (reason !== undefined) {
    ctx.todo(`${at}.image`, `${shown(value)}: after pushing, ${PINNING_HINT}`);
  }
  return value;
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

/** One network for everything is what the platforms give; more (or aliases, addresses) is warned. */
function networks(doc: Raw, ctx: ImportContext): void {
  const used = new Set<string>();
  for (const [name, raw] of Object.entries(doc.services as Raw)) {
    const value = isRecord(raw) ? raw.networks : undefined;
    if (value === undefined) {
      used.add("default");
      continue;
    }
    if (Array.isArray(value)) value.forEach((n) => used.add(text(n)));
    else if (isRecord(value)) {
      for (const [network, settings] of Object.entries(value)) {
        used.add(network);
        if (isRecord(settings) && Object.keys(settings).length > 0) {
          ctx.warn(
            `services.${name}.networks.${network}`,
            `${shown(settings)}: not carried over; the service is reached by its name`,
          );
        }
      }
    }
  }
  if (used.size > 1) {
    ctx.warn(
      "networks",
      `services are on ${used.size} networks (${[...used].join(", ")}); the platforms put all of them on one, so each can reach every other`,
    );
  }
  if (isRecord(doc.networks)) {
    for (const [key, raw] of Object.entries(doc.networks)) {
      const settings = isRecord(raw) ? raw : {};
      // A bridge network is what the platforms make; its name is theirs to choose.
      const carried = (f: string) =>
        f === "name" || (f === "driver" && settings.driver === "bridge");
      for (const field of Object.keys(settings).filter((f) => !carried(f))) {
        ctx.warn(`networks.${key}.${field}`, `${shown((raw as Raw)[field])}: not carried over`);
      }
    }
  }
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

/** ComposePlatform publishes every port on the host, so two services may not share one. */
function hostPortClashes(specs: readonly ServiceSpec[], ctx: ImportContext): void {
  // Published ports so far: port/protocol, the host address (undefined: all of them), the owner.
  const taken: { key: string; ip: string | undefined; owner: string }[] = [];
  for (const spec of specs) {
    for (const port of spec.ports ?? []) {
      const key = `${port.published ?? port.port}/${(port.protocol ?? "TCP").toLowerCase()}`;
      const clash = taken.find(
        (t) =>
          t.key === key &&
          t.owner !== spec.name &&
          (t.ip === undefined || port.hostIp === undefined || t.ip === port.hostIp),
      );
      taken.push({ key, ip: port.hostIp, owner: spec.name });
      if (clash) {
        ctx.todo(
          `services.${spec.name}.ports`,
          `host port ${key} is also published by ${clash.owner} (ComposePlatform publishes every service port on the host); give one of them another published port`,
        );
      }
    }
  }
}
