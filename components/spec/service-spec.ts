import type * as pulumi from "@pulumi/pulumi";
import type { StartCondition } from "./wait-for";

/**
 * One platform-neutral workload. The same spec renders to a Docker container on
 * ComposePlatform or to Deployment/Service/ConfigMap/Secret on K3sPlatform.
 * Validate with `validateServiceSpecs` before use; `resolveService` fills in the defaults.
 */
export interface ServiceSpec {
  /** DNS label (lowercase letters, digits, '-'), also the hostname others reach it by. */
  readonly name: string;
  /** Image with an explicit tag or digest, e.g. "firstviscount/orders:2.0.1"; never "latest". */
  readonly image: string;
  /** Replaces the image entrypoint. @default the image's entrypoint */
  readonly command?: readonly string[];
  /** Arguments to the entrypoint. @default the image's cmd */
  readonly args?: readonly string[];
  /** Ports the service listens on. @default none */
  readonly ports?: readonly ServicePort[];
  /** Plain configuration (ConfigMap on K3s). @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Secret configuration; kept secret in state, a Secret + secretKeyRef on K3s. @default none */
  readonly secretEnv?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Text of a `.env` file, merged under `env` (explicit `env` wins). @default none */
  readonly envFile?: string;
  /** Text of a `.env.secret` file, merged under `secretEnv`; every value becomes secret. @default none */
  readonly secretEnvFile?: string;
  /** @default no health check (K3s gets no probes, Compose no healthcheck) */
  readonly healthCheck?: HealthCheck;
  /** @default 2 for stateless services (no volumes), 1 for stateful ones */
  readonly replicas?: number;
  /**
   * Why the service must run as exactly one replica (e.g. it keeps a log on a ReadWriteOnce
   * volume). Recorded on its K3s pods as the `stepwise.dev/single-replica-reason` annotation,
   * which the prod workload rule accepts instead of a second replica; reviewers see the reason.
   * @default none: in prod on K3s the service needs at least 2 replicas
   */
  readonly singleReplicaReason?: string;
  /** @default no requests/limits */
  readonly resources?: ServiceResources;
  /** Named volumes. @default none */
  readonly volumes?: readonly ServiceVolume[];
  /** Names of services this one needs; they start first and their addresses are in its env. @default none */
  readonly dependsOn?: readonly string[];
  /**
   * What this service waits for before it starts, by service name: "started", "healthy" (its
   * health check passes) or "completed" (it ran and exited 0, e.g. a migration job; such a
   * service then runs once, without restarts, on Compose). Names here need no ports. K3s waits
   * for "started"/"healthy" with an init container that connects to the dependency's first port,
   * and refuses "completed" (a Deployment never completes).
   * @default each of dependsOn: "healthy" when it has a healthCheck, else "started"
   */
  readonly waitFor?: Readonly<Record<string, StartCondition>>;
  /** Extra labels on the container / pod; Kubernetes label keys and values. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Notes for tools, any text (a router rule, a description): pod annotations on K3s, container
   * labels on Compose (Docker has no annotations). @default none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Where Prometheus scrapes this service. @default not scraped */
  readonly metrics?: ServiceMetrics;
}

export interface ServicePort {
  /** Port the process listens on inside the container. */
  readonly port: number;
  /** Port published on the Docker host (Compose) and exposed by the K3s Service. @default port */
  readonly published?: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
  /**
   * Host address the port is published on (Compose's `127.0.0.1:8080:80`), IPv4 or IPv6.
   * @default every address of the host
   */
  readonly hostIp?: string;
  /** @default "p<port>" */
  readonly name?: string;
}

export interface HealthCheck {
  /** Command run inside the container; exit 0 means healthy. Give this or `http`. */
  readonly command?: readonly string[];
  /** HTTP GET that must answer 2xx/3xx. Give this or `command`. */
  readonly http?: { readonly path: string; readonly port: number };
  /** @default 10 */
  readonly intervalSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** Consecutive failures before unhealthy. @default 3 */
  readonly retries?: number;
  /** Grace period after start during which failures do not count. @default 0 */
  readonly startPeriodSeconds?: number;
}

export interface ServiceResources {
  /** CPU cores, e.g. 0.5. @default no limit */
  readonly cpu?: number;
  /** Memory limit in MiB. @default no limit */
  readonly memoryMiB?: number;
  /**
   * CPU cores reserved (K3s requests; Compose file reservations; Docker has no CPU reservation).
   * @default `cpu`
   */
  readonly cpuRequest?: number;
  /** Memory reserved in MiB (K3s requests; Docker's memory reservation). @default `memoryMiB` */
  readonly memoryRequestMiB?: number;
}

export interface ServiceVolume {
  /** DNS label; the Docker volume / PVC is named after the platform, service and this. */
  readonly name: string;
  /** Absolute path inside the container. */
  readonly mountPath: string;
  /** Requested size (PVC on K3s; Docker volumes are not sized). @default 1024 */
  readonly sizeMiB?: number;
  /**
   * The Docker volume ComposePlatform mounts, to re-attach existing data (what `docker compose`
   * made: `<project>_<volume>` or the volume's `name:`). Services giving the same name share it.
   * K3s ignores it: a PVC starts empty. @default `<platform>-<service>-<name>`
   */
  readonly dockerName?: string;
}

export interface ServiceMetrics {
  /** One of the service's ports. */
  readonly port: number;
  /** @default "/metrics" */
  readonly path?: string;
}

/** Where a service runs. */
export const PLATFORM_KINDS = ["compose", "k3s"] as const;
export type PlatformKind = (typeof PLATFORM_KINDS)[number];
