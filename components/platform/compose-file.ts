import { Scalar, stringify } from "yaml";
import {
  ServiceSpecError,
  validateServiceSpecs,
  type ServiceSpec,
  type StartCondition,
} from "../spec";
import { plaintextSecretReason } from "../spec/plaintext-secret";
import { resolveService } from "../spec/resolve";
import {
  DEFAULT_RESTART_POLICY,
  planComposeServices,
  type ComposeServicePlan,
  type RestartPolicy,
} from "./compose-service";

export interface ComposeFileArgs {
  /** Compose project name; also the prefix of container and volume names, as in ComposePlatform. */
  readonly project: string;
  readonly services: readonly ServiceSpec[];
  /** @default the project name */
  readonly networkName?: string;
  /** @default "unless-stopped" */
  readonly restart?: RestartPolicy;
  /** `host:port` of dependencies on another platform. @default none */
  readonly remoteServices?: Readonly<Record<string, string>>;
  /** Folder of the per-service secret env files, relative to the Compose file. @default "./secrets" */
  readonly secretsDir?: string;
}

/**
 * The docker-compose.yml equivalent of a ComposePlatform with the same arguments: same
 * container, network and volume names, env, health checks and start order. Secret values are
 * never written; each service with secret env reads `<secretsDir>/<service>.env` instead.
 * There is no `version:` key: the Compose Specification made it obsolete.
 */
export function renderComposeFile(args: ComposeFileArgs): string {
  const remoteServices = args.remoteServices ?? {};
  validateServiceSpecs(args.services, { external: Object.keys(remoteServices) });
  const networkName = args.networkName ?? args.project;
  const restart = args.restart ?? DEFAULT_RESTART_POLICY;
  const secretsDir = args.secretsDir ?? "./secrets";
  const plans = planComposeServices(
    args.project,
    args.services.map(resolveService),
    remoteServices,
  );
  const leaks = plans.flatMap((plan) => plaintextSecrets(plan, secretsDir));
  if (leaks.length > 0) throw new ServiceSpecError(leaks);

  const document = {
    name: args.project,
    services: Object.fromEntries(
      plans.map((plan) => [
        plan.service.name,
        composeService(plan, { networkName, restart, secretsDir }),
      ]),
    ),
    networks: { [networkName]: { name: networkName, driver: "bridge" } },
    ...(plans.some((p) => p.volumes.length > 0) && {
      volumes: Object.fromEntries(
        plans.flatMap((p) => p.volumes.map((v) => [v.key, { name: v.dockerName }])),
      ),
    }),
  };
  return `${header(plans, secretsDir)}${stringify(document, { lineWidth: 0 })}`;
}

/**
 * What the file would print in plain text that is a secret (rule no-plaintext-secrets): each
 * env variable and label by name and shape, commands and health checks by shape. Reasons name
 * the place, never the value.
 */
function plaintextSecrets(plan: ComposeServicePlan, secretsDir: string): string[] {
  const { service } = plan;
  const named = (field: string, map: Readonly<Record<string, string>>) =>
    Object.entries(map).map(([name, value]) => ({ label: `${field}.${name}`, name, value }));
  const listed = (field: string, items: readonly string[] = []) =>
    items.map((value, i) => ({ label: `${field}[${i}]`, name: "", value }));
  const texts = [
    ...named("env", plan.env),
    ...named("labels", service.labels),
    ...named("annotations", service.annotations),
    ...listed("command", service.command),
    ...listed("args", service.args),
    ...listed("healthCheck", plan.healthcheck?.tests),
  ];
  return texts.flatMap(({ label, name, value }) => {
    const reason = plaintextSecretReason(name, value, label);
    if (!reason) return [];
    return [
      `service "${service.name}": ${reason}: move it to secretEnv (the Compose file then reads it from ${secretsDir}/${service.name}.env); rule no-plaintext-secrets`,
    ];
  });
}

function composeService(
  plan: ComposeServicePlan,
  context: {
    networkName: string;
    restart: RestartPolicy;
    secretsDir: string;
  },
): Record<string, unknown> {
  const { service } = plan;
  const entry: Record<string, unknown> = {
    image: service.image,
    container_name: plan.containerName,
  };
  if (service.command) entry.entrypoint = [...service.command];
  if (service.args) entry.command = [...service.args];
  // A service others wait for to complete runs once: restarting it would run it again.
  entry.restart = plan.runOnce ? "no" : context.restart;
  if (service.ports.length > 0) {
    // Quoted, as Compose asks: YAML 1.1 readers take unquoted 80:80-like values as base-60.
    entry.ports = service.ports.map((p) =>
      quoted(
        `${hostAddress(p.hostIp)}${p.published}:${p.port}${p.protocol === "UDP" ? "/udp" : ""}`,
      ),
    );
  }
  if (Object.keys(plan.env).length > 0) {
    entry.environment = Object.fromEntries(
      Object.keys(plan.env)
        .sort()
        .map((k) => [k, plan.env[k]]),
    );
  }
  if (Object.keys(service.secretEnv).length > 0) {
    entry.env_file = [`${context.secretsDir}/${service.name}.env`];
  }
  entry.labels = plan.labels;
  if (plan.healthcheck) {
    entry.healthcheck = {
      test: plan.healthcheck.tests,
      interval: plan.healthcheck.interval,
      timeout: plan.healthcheck.timeout,
      retries: plan.healthcheck.retries,
      start_period: plan.healthcheck.startPeriod,
    };
  }
  if (plan.localDependencies.length > 0) {
    entry.depends_on = Object.fromEntries(
      Object.entries(plan.conditions).map(([dep, condition]) => [
        dep,
        { condition: COMPOSE_CONDITION[condition] },
      ]),
    );
  }
  if (plan.volumes.length > 0) entry.volumes = plan.volumes.map((v) => `${v.key}:${v.mountPath}`);
  const limits = composeLimits(service.resources.cpu, service.resources.memoryMiB);
  const reservations = composeLimits(
    service.resources.cpuRequest,
    service.resources.memoryRequestMiB,
  );
  // One container per service (it publishes host ports); only "scaled to zero" carries over.
  const deploy = {
    ...(service.replicas === 0 && { replicas: 0 }),
    ...((limits ?? reservations) && {
      resources: { ...(limits && { limits }), ...(reservations && { reservations }) },
    }),
  };
  if (Object.keys(deploy).length > 0) entry.deploy = deploy;
  entry.networks = [context.networkName];
  return escapeInterpolation(entry) as Record<string, unknown>;
}

/** Compose would substitute `${VAR}` in values; `$$` keeps a literal `$` as the spec meant it. */
export function escapeInterpolation(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\$/g, "$$$$");
  if (Array.isArray(value)) return value.map(escapeInterpolation);
  if (value instanceof Scalar) return value;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeInterpolation(v)]));
  }
  return value;
}

const COMPOSE_CONDITION: Record<StartCondition, string> = {
  started: "service_started",
  healthy: "service_healthy",
  completed: "service_completed_successfully",
};

/** `127.0.0.1:` or `[::1]:` before the published port, as Compose writes a host address. */
function hostAddress(ip: string | undefined): string {
  if (ip === undefined) return "";
  return ip.includes(":") ? `[${ip}]:` : `${ip}:`;
}

function quoted(text: string): Scalar<string> {
  const scalar = new Scalar(text);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

/** Compose's `cpus` / `memory` pair, for limits or reservations. */
function composeLimits(cpu?: number, memoryMiB?: number): Record<string, string> | undefined {
  const amounts: Record<string, string> = {};
  if (cpu !== undefined) amounts.cpus = String(cpu);
  if (memoryMiB !== undefined) amounts.memory = `${memoryMiB}M`;
  return Object.keys(amounts).length > 0 ? amounts : undefined;
}

function header(plans: readonly ComposeServicePlan[], secretsDir: string): string {
  const lines = [
    "# Generated by stepwise from the same service specs as its ComposePlatform; edit the specs.",
  ];
  for (const plan of plans) {
    const keys = Object.keys(plan.service.secretEnv).sort();
    if (keys.length > 0) {
      lines.push(`# ${secretsDir}/${plan.service.name}.env must define: ${keys.join(", ")}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
