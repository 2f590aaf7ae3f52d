import type * as pulumi from "@pulumi/pulumi";
import { parseEnvFile } from "./env-file";
import type { ServiceSpec } from "./service-spec";
import type { StartCondition } from "./wait-for";

/** A validated spec with every default filled in, so platforms need no `??` of their own. */
export interface ResolvedService {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[] | undefined;
  readonly args: readonly string[] | undefined;
  readonly ports: readonly ResolvedPort[];
  /** `envFile` overlaid by `env`. */
  readonly env: Readonly<Record<string, string>>;
  /** `secretEnvFile` overlaid by `secretEnv`; wrap every value in pulumi.secret before use. */
  readonly secretEnv: Readonly<Record<string, pulumi.Input<string>>>;
  readonly healthCheck: ResolvedHealthCheck | undefined;
  readonly replicas: number;
  readonly singleReplicaReason: string | undefined;
  readonly resources: {
    readonly cpu?: number;
    readonly memoryMiB?: number;
    readonly cpuRequest?: number;
    readonly memoryRequestMiB?: number;
  };
  readonly volumes: readonly {
    name: string;
    mountPath: string;
    sizeMiB: number;
    dockerName: string | undefined;
  }[];
  readonly dependsOn: readonly string[];
  /** As given; `startConditions` adds the defaults, which need the other services. */
  readonly waitFor: Readonly<Record<string, StartCondition>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly metrics: { readonly port: number; readonly path: string } | undefined;
}

export interface ResolvedPort {
  readonly port: number;
  readonly published: number;
  readonly protocol: "TCP" | "UDP";
  readonly name: string;
  /** Host address ComposePlatform publishes on; K3s Services have no host address. */
  readonly hostIp: string | undefined;
}

export interface ResolvedHealthCheck {
  readonly command: readonly string[] | undefined;
  readonly http: { readonly path: string; readonly port: number } | undefined;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

export const DEFAULT_STATELESS_REPLICAS = 2;
export const DEFAULT_VOLUME_SIZE_MIB = 1024;

/** Fills in defaults of one validated spec (see the `@default`s on ServiceSpec). */
export function resolveService(spec: ServiceSpec): ResolvedService {
  const volumes = (spec.volumes ?? []).map((v) => ({
    name: v.name,
    mountPath: v.mountPath,
    sizeMiB: v.sizeMiB ?? DEFAULT_VOLUME_SIZE_MIB,
    dockerName: v.dockerName,
  }));
  const hc = spec.healthCheck;
  return {
    name: spec.name,
    image: spec.image,
    command: spec.command,
    args: spec.args,
    ports: (spec.ports ?? []).map((p) => ({
      port: p.port,
      published: p.published ?? p.port,
      protocol: p.protocol ?? "TCP",
      name: p.name ?? `p${p.port}`,
      hostIp: p.hostIp,
    })),
    env: { ...parseEnvFile(spec.envFile ?? "", `${spec.name} envFile`), ...spec.env },
    secretEnv: {
      ...parseEnvFile(spec.secretEnvFile ?? "", `${spec.name} secretEnvFile`),
      ...spec.secretEnv,
    },
    healthCheck: hc && {
      command: hc.command,
      http: hc.http,
      intervalSeconds: hc.intervalSeconds ?? 10,
      timeoutSeconds: hc.timeoutSeconds ?? 5,
      retries: hc.retries ?? 3,
      startPeriodSeconds: hc.startPeriodSeconds ?? 0,
    },
    // Stateless services run two replicas (docs/platform.md); a volume makes one the safe default.
    replicas: spec.replicas ?? (volumes.length > 0 ? 1 : DEFAULT_STATELESS_REPLICAS),
    singleReplicaReason: spec.singleReplicaReason?.trim(),
    resources: { ...spec.resources },
    volumes,
    dependsOn: spec.dependsOn ?? [],
    waitFor: spec.waitFor ?? {},
    labels: spec.labels ?? {},
    annotations: spec.annotations ?? {},
    metrics: spec.metrics && { port: spec.metrics.port, path: spec.metrics.path ?? "/metrics" },
  };
}

/** Services in an order where each comes after its dependencies (input order kept otherwise). */
export function startOrder<
  T extends {
    name: string;
    dependsOn?: readonly string[];
    waitFor?: Readonly<Record<string, unknown>>;
  },
>(services: readonly T[]): T[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const placed = new Set<string>();
  const ordered: T[] = [];
  const place = (service: T, path: readonly string[]): void => {
    if (placed.has(service.name)) return;
    if (path.includes(service.name)) {
      throw new Error(
        `dependency cycle ${[...path, service.name].join(" -> ")}; validate specs first`,
      );
    }
    for (const dep of [...(service.dependsOn ?? []), ...Object.keys(service.waitFor ?? {})]) {
      const target = byName.get(dep);
      if (target) place(target, [...path, service.name]);
    }
    placed.add(service.name);
    ordered.push(service);
  };
  services.forEach((s) => place(s, []));
  return ordered;
}

/** Environment variable carrying a dependency's host:port, e.g. ORDERS_ADDRESS. */
export function addressEnvName(service: string): string {
  return `${service.toUpperCase().replace(/-/g, "_")}_ADDRESS`;
}
