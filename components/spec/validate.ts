import type { z } from "zod";
import { EnvFileError, parseEnvFile } from "./env-file";
import { containsPlaintextSecret } from "./plaintext-secret";
import { serviceSpecSchema } from "./service-spec-schema";
import type { ServiceSpec } from "./service-spec";
import { checkWaitFor, START_CONDITIONS, type StartCondition } from "./wait-for";

/** Every problem found in a list of service specs, one line each. */
export class ServiceSpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid service spec:\n  - ${problems.join("\n  - ")}`);
    this.name = "ServiceSpecError";
  }
}

export interface ValidateOptions {
  /** Names of services that run elsewhere but may be depended on. @default none */
  readonly external?: readonly string[];
}

const SECRET_FIELDS = new Set(["secretEnv", "secretEnvFile"]);

/**
 * Checks specs up front: each against the schema, then across services (unique names, known
 * dependencies, no cycles, metrics on a declared port, env files readable). Throws one
 * ServiceSpecError listing every problem; returns the specs unchanged when all is well.
 */
export function validateServiceSpecs(
  specs: readonly unknown[],
  options: ValidateOptions = {},
): readonly ServiceSpec[] {
  const problems: string[] = [];
  const graph: GraphNode[] = [];
  specs.forEach((raw, index) => {
    const node = graphNode(raw);
    if (node) graph.push(node);
    const label = serviceLabel(raw, index);
    const parsed = serviceSpecSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => describeIssue(label, raw, issue)));
      problems.push(...checkEnvFiles(label, raw));
      return;
    }
    problems.push(...checkEnvFiles(label, raw));
    const spec = raw as ServiceSpec;
    problems.push(...checkSingle(label, spec));
  });
  // Names and dependencies are checked across every entry that has them, valid or not, so one
  // run reports all problems.
  problems.push(...checkAcross(graph, options.external ?? []));
  if (problems.length > 0) throw new ServiceSpecError(problems);
  return specs as readonly ServiceSpec[];
}

interface GraphNode {
  readonly name: string;
  readonly dependsOn: readonly string[];
  readonly waitFor: Readonly<Record<string, StartCondition>>;
  readonly healthCheck: unknown;
  readonly hasPorts: boolean;
}

function graphNode(raw: unknown): GraphNode | undefined {
  const { name, dependsOn, ports, waitFor, healthCheck } = (raw ?? {}) as {
    name?: unknown;
    dependsOn?: unknown;
    ports?: unknown;
    waitFor?: unknown;
    healthCheck?: unknown;
  };
  if (typeof name !== "string") return undefined;
  const deps = Array.isArray(dependsOn) ? dependsOn.filter((d) => typeof d === "string") : [];
  const waits = Object.fromEntries(
    Object.entries(typeof waitFor === "object" && waitFor !== null ? waitFor : {}).filter(([, c]) =>
      START_CONDITIONS.includes(c as StartCondition),
    ),
  ) as Record<string, StartCondition>;
  return {
    name,
    dependsOn: deps,
    waitFor: waits,
    healthCheck,
    hasPorts: Array.isArray(ports) && ports.length > 0,
  };
}

function serviceLabel(raw: unknown, index: number): string {
  const name = (raw as { name?: unknown } | null)?.name;
  return typeof name === "string" ? `service "${name}"` : `service #${index}`;
}

function describeIssue(label: string, raw: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  const field = formatPath(issue.path);
  const where = field === "" ? label : `${label}: ${field}`;
  if (issue.code === "unrecognized_keys") {
    return `${where}: unknown field(s) ${issue.keys.join(", ")}; remove them or check the spelling`;
  }
  if (issue.code === "invalid_key") {
    const key = String(issue.path[issue.path.length - 1]);
    const parent = formatPath(issue.path.slice(0, -1));
    return `${label}: ${parent} key ${show(key)}: ${issue.issues[0]?.message ?? issue.message}`;
  }
  const value = valueAt(raw, issue.path);
  const secret = SECRET_FIELDS.has(path[0] ?? "") || containsPlaintextSecret(value, path.at(-1));
  const shown = secret ? "[secret]" : show(value);
  return `${where} = ${shown}: ${issue.message}`;
}

function checkSingle(label: string, spec: ServiceSpec): string[] {
  const problems: string[] = [];
  const declared = (spec.ports ?? []).map((p) => p.port);
  if (spec.metrics && !declared.includes(spec.metrics.port)) {
    problems.push(
      `${label}: metrics.port = ${spec.metrics.port}: must be one of the service's ports ${show(declared)}; add it to ports`,
    );
  }
  const volumeNames = (spec.volumes ?? []).map((v) => v.name);
  for (const name of duplicates(volumeNames)) {
    problems.push(`${label}: volumes: name "${name}" is used twice; give each volume its own name`);
  }
  const published = (spec.ports ?? []).map(
    (p) => `${p.published ?? p.port}/${p.protocol ?? "TCP"}`,
  );
  for (const p of duplicates(published)) {
    problems.push(
      `${label}: ports: ${p} is published twice; each port needs its own published number`,
    );
  }
  return problems;
}

/** Env-file text is checked even when other fields are wrong, so one run shows everything. */
function checkEnvFiles(label: string, raw: unknown): string[] {
  const problems: string[] = [];
  const spec = (raw ?? {}) as { envFile?: unknown; secretEnvFile?: unknown };
  for (const [field, text] of [
    ["envFile", spec.envFile],
    ["secretEnvFile", spec.secretEnvFile],
  ] as const) {
    if (typeof text !== "string") continue;
    try {
      parseEnvFile(text, field);
    } catch (error) {
      if (!(error instanceof EnvFileError)) throw error;
      problems.push(`${label}: ${error.message}`);
    }
  }
  return problems;
}

function checkAcross(specs: readonly GraphNode[], external: readonly string[]): string[] {
  const problems: string[] = [];
  const names = specs.map((s) => s.name);
  for (const name of duplicates(names)) {
    problems.push(`service "${name}": name is used by more than one service; names must be unique`);
  }
  const known = new Set([...names, ...external]);
  const portless = new Set(specs.filter((s) => !s.hasPorts).map((s) => s.name));
  for (const spec of specs) {
    spec.dependsOn.forEach((dep, i) => {
      if (dep === spec.name) {
        problems.push(
          `service "${spec.name}": dependsOn[${i}] = "${dep}": a service cannot depend on itself`,
        );
      } else if (portless.has(dep)) {
        problems.push(
          `service "${spec.name}": dependsOn[${i}] = "${dep}": "${dep}" has no ports, so there is no address to give; add a port to it or drop the dependency`,
        );
      } else if (!known.has(dep)) {
        problems.push(
          `service "${spec.name}": dependsOn[${i}] = "${dep}": no such service; known services are ${show([...known])}`,
        );
      }
    });
  }
  problems.push(...checkWaitFor(specs, external));
  // Waiting orders start-up as a dependency does, so both count for cycles.
  const cycle = findCycle(
    specs.map((s) => ({
      name: s.name,
      dependsOn: [...new Set([...s.dependsOn, ...Object.keys(s.waitFor)])],
    })),
  );
  if (cycle) {
    problems.push(
      `service "${cycle[0]}": dependsOn and waitFor form a cycle ${cycle.join(" -> ")}; remove one of these dependencies`,
    );
  }
  return problems;
}

/** First dependency cycle found (closed: first name repeated at the end), or undefined. */
export function findCycle(
  specs: readonly { name: string; dependsOn?: readonly string[] }[],
): string[] | undefined {
  const deps = new Map(specs.map((s) => [s.name, (s.dependsOn ?? []).filter((d) => d !== s.name)]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      if (!deps.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const spec of specs) {
    const cycle = visit(spec.name);
    if (cycle) return cycle;
  }
  return undefined;
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
