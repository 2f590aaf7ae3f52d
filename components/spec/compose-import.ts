import { parse } from "yaml";
import type { ServicePort, ServiceSpec, ServiceVolume } from "./service-spec";
import { validateServiceSpecs } from "./validate";

export interface ComposeImport {
  readonly services: ServiceSpec[];
  /** What was not carried over and why, one line each; nothing is dropped silently. */
  readonly warnings: string[];
}

type Raw = Record<string, unknown>;

// Keys handled below, or platform-level settings the platforms set themselves.
const HANDLED = new Set([
  "image",
  "entrypoint",
  "command",
  "ports",
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
]);

/**
 * Reads a docker-compose.yml into service specs, the start of a migration. Bind mounts,
 * `env_file`s (their text is not in the file), string commands and unknown keys become
 * warnings instead of disappearing, which is the most repeated complaint about Kompose.
 * The result is validated like any spec, so an unpinned image is reported, not imported.
 */
export function importComposeFile(text: string, source = "docker-compose.yml"): ComposeImport {
  const doc = parse(text) as Raw | null;
  const services = asRecord(doc?.services, `${source}: services`);
  const namedVolumes = new Set(Object.keys(asRecord(doc?.volumes ?? {}, `${source}: volumes`)));
  const warnings: string[] = [];
  const specs = Object.entries(services).map(([name, raw]) => {
    const at = `${source}: services.${name}`;
    const service = asRecord(raw, at);
    const warn = (message: string) => warnings.push(`${at}.${message}`);
    for (const key of Object.keys(service).filter((k) => !HANDLED.has(k))) {
      warn(`${key}: not carried over; set it on the platform or drop it`);
    }
    return compact({
      name,
      image: service.image as string,
      command: commandList(service.entrypoint, "entrypoint", warn),
      args: commandList(service.command, "command", warn),
      ports: ports(service.ports, warn),
      env: keyValues(service.environment),
      healthCheck: healthCheck(service.healthcheck, warn),
      replicas: (service.deploy as Raw | undefined)?.replicas as number | undefined,
      resources: resources(service.deploy),
      volumes: volumes(service.volumes, namedVolumes, warn),
      dependsOn: dependsOn(service.depends_on),
      labels: keyValues(service.labels),
      ...envFileWarning(service.env_file, warn),
    });
  });
  validateServiceSpecs(specs);
  return { services: specs, warnings };
}

function envFileWarning(value: unknown, warn: (m: string) => void): object {
  for (const file of value === undefined ? [] : [value].flat()) {
    const path = typeof file === "object" && file !== null ? (file as Raw).path : file;
    warn(
      `env_file ${String(path)}: its text is not in the Compose file; pass it as envFile or secretEnvFile`,
    );
  }
  return {};
}

function commandList(value: unknown, key: string, warn: (m: string) => void): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(text);
  // Compose splits a string command shell-style; splitting on spaces keeps the simple cases.
  const parts = text(value).split(/\s+/).filter(Boolean);
  if (/["'\\$]/.test(text(value))) {
    warn(
      `${key}: string form with quotes or variables split on spaces; check it or use the list form`,
    );
  }
  return parts;
}

function ports(value: unknown, warn: (m: string) => void): ServicePort[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((entry, i): ServicePort[] => {
    if (typeof entry === "object" && entry !== null) {
      const long = entry as Raw;
      return [portSpec(Number(long.target), long.published, long.protocol)];
    }
    const match = /^(?:(?:[\d.]+|\[[^\]]+\]):)?(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(
      String(entry),
    );
    if (!match) {
      warn(`ports[${i}] ${JSON.stringify(entry)}: ranges and other forms are not carried over`);
      return [];
    }
    return [portSpec(Number(match[2]), match[1], match[3])];
  });
}

function portSpec(port: number, published: unknown, protocol: unknown): ServicePort {
  return compact({
    port,
    published:
      published === undefined || Number(published) === port ? undefined : Number(published),
    protocol: protocol === "udp" ? "UDP" : undefined,
  });
}

function keyValues(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((entry) => {
        const [key, ...rest] = String(entry).split("=");
        return [key ?? "", rest.join("=")];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(value as Raw).map(([k, v]) => [k, v === null ? "" : text(v)]),
  );
}

function healthCheck(value: unknown, warn: (m: string) => void): ServiceSpec["healthCheck"] {
  if (typeof value !== "object" || value === null) return undefined;
  const hc = value as Raw;
  if (hc.disable === true) return undefined;
  const test = hc.test;
  let command: string[];
  if (typeof test === "string") command = ["sh", "-c", test];
  else if (Array.isArray(test) && test[0] === "CMD") command = test.slice(1).map(String);
  else if (Array.isArray(test) && test[0] === "CMD-SHELL") command = ["sh", "-c", String(test[1])];
  else {
    warn(
      `healthcheck.test ${JSON.stringify(test)}: not a CMD or CMD-SHELL check; not carried over`,
    );
    return undefined;
  }
  return compact({
    command,
    intervalSeconds: seconds(hc.interval),
    timeoutSeconds: seconds(hc.timeout),
    retries: hc.retries as number | undefined,
    startPeriodSeconds: seconds(hc.start_period),
  });
}

/** Compose durations ("1m30s", "500ms", "10s") in seconds. */
export function composeDurationSeconds(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g, (_all, n: string, unit: string) => {
    total += Number(n) * (units[unit] ?? 0);
    return "";
  });
  if (rest !== "" || text === "") {
    throw new Error(`duration ${JSON.stringify(text)}: write it like "10s", "1m30s" or "500ms"`);
  }
  return total;
}

function seconds(value: unknown): number | undefined {
  return typeof value === "string" ? composeDurationSeconds(value) : undefined;
}

function resources(deploy: unknown): ServiceSpec["resources"] {
  const limits = ((deploy as Raw | undefined)?.resources as Raw | undefined)?.limits as
    Raw | undefined;
  if (!limits) return undefined;
  return compact({
    cpu: limits.cpus === undefined ? undefined : Number(limits.cpus),
    memoryMiB: limits.memory === undefined ? undefined : mebibytes(text(limits.memory)),
  });
}

/** Docker byte sizes ("512m", "1g", "1073741824") in MiB. */
export function mebibytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(text.trim());
  if (!match) throw new Error(`memory ${JSON.stringify(text)}: write it like "512M" or "1G"`);
  const factor = { "": 1 / 2 ** 20, b: 1 / 2 ** 20, k: 1 / 1024, m: 1, g: 1024 }[
    (match[2] ?? "").toLowerCase() as "" | "b" | "k" | "m" | "g"
  ];
  return Math.round(Number(match[1]) * factor);
}

function volumes(
  value: unknown,
  named: ReadonlySet<string>,
  warn: (m: string) => void,
): ServiceVolume[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((entry, i): ServiceVolume[] => {
    const [from, to] =
      typeof entry === "object" && entry !== null
        ? [String((entry as Raw).source), String((entry as Raw).target)]
        : String(entry).split(":");
    if (from && to && named.has(from)) return [{ name: from, mountPath: to }];
    warn(
      `volumes[${i}] ${JSON.stringify(entry)}: bind mounts and anonymous volumes are not carried over; use a named volume`,
    );
    return [];
  });
}

function dependsOn(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "object" && value !== null) return Object.keys(value);
  return undefined;
}

function asRecord(value: unknown, where: string): Raw {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected a mapping, found ${JSON.stringify(value) ?? "nothing"}`);
  }
  return value as Raw;
}

/** Drops undefined fields so specs compare and print cleanly. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

/** A scalar as text; anything else as JSON, so an object never becomes "[object Object]". */
function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : (JSON.stringify(value) ?? "");
}
