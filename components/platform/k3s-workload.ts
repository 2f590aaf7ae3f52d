import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ServiceSpecError } from "../spec";
import { startConditions } from "../spec/wait-for";
import { type ResolvedHealthCheck, type ResolvedService } from "../spec/resolve";
import { SINGLE_REPLICA_ANNOTATION } from "./annotations";
import { isIPv4, type ExternalService } from "./discovery";

export { SINGLE_REPLICA_ANNOTATION };

type Probe = k8s.types.input.core.v1.Probe;
type Resources = k8s.types.input.core.v1.ResourceRequirements;

/** Recommended labels (app.kubernetes.io/*); the first two are the selector and never change. */
export function workloadLabels(platform: string, service: string): Record<string, string> {
  return {
    ...selectorLabels(platform, service),
    "app.kubernetes.io/part-of": platform,
    "app.kubernetes.io/managed-by": "stepwise",
  };
}

export function selectorLabels(platform: string, service: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": service,
    "app.kubernetes.io/instance": `${platform}-${service}`,
  };
}

/** Same check for readiness and liveness; the start period delays both, as in Docker. */
export function probeFor(hc: ResolvedHealthCheck): Probe {
  const action = hc.command
    ? { exec: { command: [...hc.command] } }
    : { httpGet: { path: hc.http?.path ?? "/", port: hc.http?.port ?? 0 } };
  return {
    ...action,
    initialDelaySeconds: hc.startPeriodSeconds,
    periodSeconds: hc.intervalSeconds,
    timeoutSeconds: hc.timeoutSeconds,
    failureThreshold: hc.retries,
  };
}

/**
 * Limits as given; requests as reserved, else equal to the limits: a service gets on K3s the
 * share it had on Compose, no more.
 */
export function resourcesFor(resources: ResolvedService["resources"]): Resources | undefined {
  const amount = (cpu?: number, memoryMiB?: number) => {
    const amounts: Record<string, string> = {};
    if (cpu !== undefined) amounts.cpu = `${Math.round(cpu * 1000)}m`;
    if (memoryMiB !== undefined) amounts.memory = `${memoryMiB}Mi`;
    return Object.keys(amounts).length > 0 ? amounts : undefined;
  };
  const limits = amount(resources.cpu, resources.memoryMiB);
  const requests = amount(
    resources.cpuRequest ?? resources.cpu,
    resources.memoryRequestMiB ?? resources.memoryMiB,
  );
  if (!limits && !requests) return undefined;
  return { ...(requests && { requests }), ...(limits && { limits }) };
}

/** Secret data key for an env variable, e.g. DATABASE_URL -> database-url. */
export function secretKeyFor(envName: string): string {
  return envName.toLowerCase().replace(/_/g, "-");
}

/**
 * The container's env: plain values come from the ConfigMap via envFrom, every secret value
 * through its own secretKeyRef, so no secret is ever written into the Deployment.
 */
export function secretEnvRefs(
  secretName: string,
  secretEnvNames: readonly string[],
): k8s.types.input.core.v1.EnvVar[] {
  return [...secretEnvNames].sort().map((envName) => ({
    name: envName,
    valueFrom: { secretKeyRef: { name: secretName, key: secretKeyFor(envName) } },
  }));
}

/** Short digest of the plain config, put on the pod template so pods roll when it changes. */
export function configDigest(data: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** Pinned image of the init containers that wait for a dependency (busybox has nc). */
export const WAIT_IMAGE = "busybox:1.36.1";

/** One dependency a pod waits for before its container starts: a name and port to connect to. */
export interface StartWait {
  readonly service: string;
  readonly port: number;
}

/**
 * What each K3s service waits for before it starts (its `waitFor` with defaults): the first
 * port of every dependency that has one, on this platform or bridged from another. A Service
 * sends connections to ready pods only, so a connection succeeds once the dependency is ready
 * (its health check passes), which serves "started" and "healthy" alike; a dependency without
 * ports cannot be waited for (Kubernetes restarts a container whose dependency is not there yet).
 * "completed" is refused: a Deployment never completes.
 */
export function startWaits(
  services: readonly ResolvedService[],
  external: readonly ExternalService[],
): Map<string, StartWait[]> {
  const firstPort = new Map<string, number>();
  for (const s of services) if (s.ports[0]) firstPort.set(s.name, s.ports[0].published);
  for (const e of external) if (e.ports[0] !== undefined) firstPort.set(e.name, e.ports[0]);
  const problems: string[] = [];
  const waits = new Map<string, StartWait[]>();
  for (const [name, conditions] of startConditions(services)) {
    const list: StartWait[] = [];
    for (const [dep, condition] of Object.entries(conditions)) {
      if (condition === "completed") {
        problems.push(
          `service "${name}": waitFor.${dep} = "completed": K3sPlatform runs services as Deployments, which never complete; run ${dep} to completion before deploying (or keep both on Compose)`,
        );
        continue;
      }
      const port = firstPort.get(dep);
      if (port !== undefined) list.push({ service: dep, port });
    }
    waits.set(name, list);
  }
  if (problems.length > 0) throw new ServiceSpecError(problems);
  return waits;
}

/** Init containers that hold the pod until each dependency accepts connections. */
export function waitContainers(waits: readonly StartWait[]): k8s.types.input.core.v1.Container[] {
  return waits.map(({ service, port }) => ({
    name: `wait-${service}`.slice(0, 63).replace(/-+$/, ""),
    image: WAIT_IMAGE,
    command: [
      "sh",
      "-c",
      `until nc -z -w 2 ${service} ${port}; do echo "waiting for ${service}:${port}"; sleep 2; done`,
    ],
  }));
}

/**
 * Kubernetes expands `$(VAR)` in a container's command and args and reduces `$$` to `$`;
 * doubling every `$` keeps the spec's text as it is, as Docker runs it.
 */
export function literalForKubernetes(arg: string): string {
  return arg.replace(/\$/g, "$$$$");
}

/** Names of the objects a Deployment reads its configuration from. */
export interface WorkloadRefs {
  readonly configDigest: string;
  /** ConfigMap read with envFrom. @default none */
  readonly configMapName?: pulumi.Input<string>;
  /** Secret each secret variable is read from by secretKeyRef. @default none */
  readonly secretName?: string;
  /** Dependencies to wait for (init containers). @default none */
  readonly waits?: readonly StartWait[];
}

/** The Deployment spec of one service: one container, probes from its health check, PVCs. */
export function deploymentSpec(
  platform: string,
  service: ResolvedService,
  refs: WorkloadRefs,
): k8s.types.input.apps.v1.DeploymentSpec {
  const probe = service.healthCheck && probeFor(service.healthCheck);
  return {
    replicas: service.replicas,
    selector: { matchLabels: selectorLabels(platform, service.name) },
    template: {
      metadata: {
        labels: { ...service.labels, ...workloadLabels(platform, service.name) },
        annotations: {
          ...service.annotations,
          "stepwise.dev/config-digest": refs.configDigest,
          ...(service.singleReplicaReason
            ? { [SINGLE_REPLICA_ANNOTATION]: service.singleReplicaReason }
            : {}),
        },
      },
      spec: {
        initContainers:
          refs.waits && refs.waits.length > 0 ? waitContainers(refs.waits) : undefined,
        containers: [
          {
            name: service.name,
            image: service.image,
            command: service.command?.map(literalForKubernetes),
            args: service.args?.map(literalForKubernetes),
            ports: service.ports.map((p) => ({
              name: p.name,
              containerPort: p.port,
              protocol: p.protocol,
            })),
            envFrom: refs.configMapName
              ? [{ configMapRef: { name: refs.configMapName } }]
              : undefined,
            env: refs.secretName
              ? secretEnvRefs(refs.secretName, Object.keys(service.secretEnv))
              : undefined,
            readinessProbe: probe,
            livenessProbe: probe,
            resources: resourcesFor(service.resources),
            volumeMounts: service.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
          },
        ],
        volumes: service.volumes.map((v) => ({
          name: v.name,
          persistentVolumeClaim: { claimName: `${service.name}-${v.name}` },
        })),
      },
    },
  };
}

/** The Service spec: published ports onto container ports, LoadBalancer when exposed. */
export function serviceSpec(
  platform: string,
  service: ResolvedService,
  exposed: boolean,
): k8s.types.input.core.v1.ServiceSpec {
  return {
    // LoadBalancer on K3s is ServiceLB: the port opens on every node's address.
    type: exposed ? "LoadBalancer" : "ClusterIP",
    selector: selectorLabels(platform, service.name),
    ports: service.ports.map((p) => ({
      name: p.name,
      port: p.published,
      targetPort: p.port,
      protocol: p.protocol,
    })),
  };
}

/**
 * How pods reach a service outside the cluster under its own name: ExternalName for a DNS
 * host; for an IPv4 host (ExternalName needs a DNS name) a selector-less Service + Endpoints.
 */
export function bridgeObjects(external: ExternalService): {
  service: k8s.types.input.core.v1.ServiceSpec;
  endpoints: k8s.types.input.core.v1.EndpointSubset[] | undefined;
} {
  const ports = external.ports.map((port) => ({ name: `p${port}`, port, protocol: "TCP" }));
  if (!isIPv4(external.host)) {
    return {
      service: { type: "ExternalName", externalName: external.host, ports },
      endpoints: undefined,
    };
  }
  return {
    service: { type: "ClusterIP", ports },
    endpoints: [
      {
        addresses: [{ ip: external.host }],
        ports: ports.map(({ name, port }) => ({ name, port })),
      },
    ],
  };
}
