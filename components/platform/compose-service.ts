import { type StartCondition } from "../spec";
import { runsToCompletion, startConditions } from "../spec/wait-for";
import { startOrder, type ResolvedHealthCheck, type ResolvedService } from "../spec/resolve";
import { dependencyEnv } from "./discovery";

/** Restart policies Docker and Compose share. */
export const RESTART_POLICIES = ["no", "on-failure", "always", "unless-stopped"] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
/** The policy a service gets when none is given: restarted unless stopped by hand. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = "unless-stopped";

/** A health check in Docker's terms, shared by the container and the rendered Compose file. */
export interface DockerHealthcheck {
  readonly tests: string[];
  readonly interval: string;
  readonly timeout: string;
  readonly retries: number;
  readonly startPeriod: string;
}

/**
 * Docker runs the check inside the container: a command as-is, an HTTP check through wget
 * (present in busybox/alpine/debian-slim images; use `command` for images without it).
 */
export function dockerHealthcheck(hc: ResolvedHealthCheck): DockerHealthcheck {
  const tests = hc.command
    ? ["CMD", ...hc.command]
    : [
        "CMD-SHELL",
        `wget -q -O /dev/null http://127.0.0.1:${hc.http?.port ?? 0}${hc.http?.path ?? "/"} || exit 1`,
      ];
  return {
    tests,
    interval: `${hc.intervalSeconds}s`,
    timeout: `${hc.timeoutSeconds}s`,
    retries: hc.retries,
    startPeriod: `${hc.startPeriodSeconds}s`,
  };
}

/**
 * Labels on every container: the spec's annotations and labels (Docker has only labels) plus
 * which platform and service it is.
 */
export function containerLabels(
  platform: string,
  service: ResolvedService,
): Record<string, string> {
  return {
    ...service.annotations,
    ...service.labels,
    "stepwise.platform": platform,
    "stepwise.service": service.name,
  };
}

/** Docker resource names: one volume per service volume, so two services never share one. */
export function dockerVolumeName(platform: string, service: string, volume: string): string {
  return `${platform}-${service}-${volume}`;
}

/** Everything one container needs, worked out once for ComposePlatform and the Compose file. */
export interface ComposeServicePlan {
  readonly service: ResolvedService;
  readonly containerName: string;
  /** Plain env including `<DEP>_ADDRESS` discovery variables. */
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly healthcheck: DockerHealthcheck | undefined;
  /**
   * Dependencies and waits on this platform (start ordering); the others are reached by address
   * only. Compose cannot wait for a service on another platform.
   */
  readonly localDependencies: readonly string[];
  /** What this service waits for, per local dependency (Compose's depends_on condition). */
  readonly conditions: Readonly<Record<string, StartCondition>>;
  /** Another service waits for this one to complete: it runs once, with no restarts. */
  readonly runOnce: boolean;
  readonly volumes: readonly { key: string; dockerName: string; mountPath: string }[];
}

/**
 * Plans the containers of one Compose platform in start order. `remoteServices` gives the
 * `host:port` of dependencies that run on another platform.
 */
export function planComposeServices(
  platform: string,
  services: readonly ResolvedService[],
  remoteServices: Readonly<Record<string, string>>,
): ComposeServicePlan[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const addressOf = (dep: string): string => {
    const target = byName.get(dep);
    if (target) return `${dep}:${firstPort(target)}`;
    const remote = remoteServices[dep];
    if (remote === undefined) {
      throw new Error(`remoteServices: no address for "${dep}"; give its host:port`);
    }
    return remote;
  };
  const conditions = startConditions(services);
  const once = runsToCompletion(services);
  return startOrder(services).map((service) => {
    const local = Object.entries(conditions.get(service.name) ?? {}).filter(([d]) => byName.has(d));
    return {
      service,
      containerName: `${platform}-${service.name}`,
      env: { ...service.env, ...dependencyEnv(service, addressOf) },
      labels: containerLabels(platform, service),
      healthcheck: service.healthCheck && dockerHealthcheck(service.healthCheck),
      localDependencies: local.map(([d]) => d),
      conditions: Object.fromEntries(local),
      runOnce: once.has(service.name),
      volumes: service.volumes.map((v) => ({
        key: `${service.name}-${v.name}`,
        dockerName: v.dockerName ?? dockerVolumeName(platform, service.name, v.name),
        mountPath: v.mountPath,
      })),
    };
  });
}

function firstPort(service: ResolvedService): number {
  const port = service.ports[0];
  if (!port) {
    throw new Error(
      `service "${service.name}": ports = []: others depend on it, so it needs at least one port`,
    );
  }
  return port.port;
}
