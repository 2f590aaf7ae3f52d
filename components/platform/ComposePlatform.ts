import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { type ServiceSpec } from "../spec";
import { resolveService, type ResolvedService } from "../spec/resolve";
import {
  DEFAULT_RESTART_POLICY,
  planComposeServices,
  type ComposeServicePlan,
  type RestartPolicy,
} from "./compose-service";
import { dockerImageResourceName } from "./compose-names";
import { firstPublished } from "./discovery";
import { validateComposePlatformArgs } from "./platform-args";
import { DEFAULT_COMPOSE_HOST_ADDRESS, type ComposePlatformRef } from "./platform-ref";
import { providerFor } from "./provider";
import { COMPOSE_PLATFORM_TYPE } from "../type-tokens";

export interface ComposePlatformArgs {
  /** The services that run here (validated up front). */
  readonly services: readonly ServiceSpec[];
  /** Docker network every container joins. @default the component name */
  readonly networkName?: string;
  /** Address at which other platforms reach the ports published here. @default "host.docker.internal" */
  readonly hostAddress?: string;
  /** @default "unless-stopped" */
  readonly restart?: RestartPolicy;
  /**
   * `host:port` of dependencies that run on another platform, by service name.
   * @default none (every dependency must be in `services`)
   */
  readonly remoteServices?: Readonly<Record<string, string>>;
}

/**
 * Services as Docker containers on one host, the way `docker compose up` would run them: one
 * network, named volumes, health checks, restart policy, published ports, and containers
 * created after the (healthy) containers they depend on.
 */
export class ComposePlatform extends pulumi.ComponentResource {
  public readonly ref: ComposePlatformRef;
  public readonly network: docker.Network;
  /** Containers by service name. */
  public readonly containers: Readonly<Record<string, docker.Container>>;
  private readonly volumes = new Map<string, docker.Volume>();
  /** `host:port` by service name, reachable from containers on this platform. */
  public readonly addresses: Readonly<Record<string, string>>;
  /** `host:port` by service name, reachable from other platforms (published on the host). */
  public readonly externalAddresses: Readonly<Record<string, string>>;

  constructor(name: string, args: ComposePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering, so bad args leave no half-made component behind.
    validateComposePlatformArgs(name, args);
    super(COMPOSE_PLATFORM_TYPE, name, {}, opts);
    const remoteServices = args.remoteServices ?? {};
    const networkName = args.networkName ?? name;
    const hostAddress = args.hostAddress ?? DEFAULT_COMPOSE_HOST_ADDRESS;
    const restart = args.restart ?? DEFAULT_RESTART_POLICY;
    const services = args.services.map(resolveService);

    this.network = new docker.Network(
      `${name}-network`,
      {
        name: networkName,
        driver: "bridge",
        labels: [{ label: "stepwise.platform", value: name }],
      },
      { parent: this },
    );
    const containers: Record<string, docker.Container> = {};
    for (const plan of planComposeServices(name, services, remoteServices)) {
      containers[plan.service.name] = this.container(plan, {
        network: this.network,
        restart,
        after: plan.localDependencies.flatMap((dep) => containers[dep] ?? []),
        completed: Object.entries(plan.conditions)
          .filter(([, condition]) => condition === "completed")
          .flatMap(([dep]) => {
            const container = containers[dep];
            return container ? [[`${name}-${dep}`, container] as const] : [];
          }),
      });
    }

    this.containers = containers;
    this.addresses = internalAddresses(services);
    this.externalAddresses = Object.fromEntries(
      services
        .filter((s) => s.ports.length > 0)
        .map((s) => [s.name, `${hostAddress}:${firstPublished(s)}`]),
    );
    const provider = providerFor(this, "docker");
    this.ref = {
      kind: "compose",
      name,
      networkName: this.network.name,
      hostAddress,
      resourceOptions: provider ? { provider } : {},
    };
    this.registerOutputs({ networkName: this.network.name, addresses: this.addresses });
  }

  private container(
    plan: ComposeServicePlan,
    wiring: {
      network: docker.Network;
      restart: RestartPolicy;
      after: docker.Container[];
      /** Container names and containers this one waits for to complete. */
      completed: readonly (readonly [string, docker.Container])[];
    },
  ): docker.Container {
    const { service } = plan;
    const opts = { parent: this };
    const image = new docker.RemoteImage(
      dockerImageResourceName(plan.containerName),
      { name: service.image, keepLocally: true },
      opts,
    );
    const volumes = plan.volumes.map(
      // Data outlives the container: moving the service to K3s (or removing it) leaves the
      // volume on the host for a rollback; only its retirement removes it, by hand.
      // Services that name the same Docker volume share it, as under docker compose.
      (v) => {
        const existing = this.volumes.get(v.dockerName);
        if (existing) return existing;
        const volume = new docker.Volume(
          v.dockerName,
          { name: v.dockerName },
          { ...opts, retainOnDelete: true },
        );
        this.volumes.set(v.dockerName, volume);
        return volume;
      },
    );
    return new docker.Container(
      plan.containerName,
      {
        name: plan.containerName,
        image: image.imageId,
        entrypoints: service.command ? [...service.command] : undefined,
        command: service.args ? [...service.args] : undefined,
        envs: containerEnv(plan.env, service.secretEnv),
        labels: [
          ...Object.entries(plan.labels).map(([label, value]) => ({ label, value })),
          // Compose's service_completed_successfully: this container is created only once the
          // run-once dependency has exited 0; a failed run fails the update, naming it.
          ...wiring.completed.map(([dep, container]) => ({
            label: `stepwise.completed-${dep}`,
            value: container.exitCode.apply((code) => {
              if (code !== 0) {
                throw new Error(
                  `service "${service.name}" waits for container ${dep} to complete, and it exited ${code}; see docker logs ${dep}`,
                );
              }
              return "0";
            }),
          })),
        ],
        ports: service.ports.map((p) => ({
          internal: p.port,
          external: p.published,
          protocol: p.protocol.toLowerCase(),
          ...(p.hostIp !== undefined && { ip: p.hostIp }),
        })),
        networksAdvanced: [{ name: wiring.network.name, aliases: [service.name] }],
        volumes: volumes.map((volume, i) => ({
          volumeName: volume.name,
          containerPath: plan.volumes[i]?.mountPath,
        })),
        healthcheck: plan.healthcheck,
        // Waiting for healthy is what makes dependents start after their dependencies are up,
        // as Compose's `condition: service_healthy` does.
        wait: plan.healthcheck !== undefined && service.replicas > 0 && !plan.runOnce,
        // A service others wait for to complete runs once, to the end, and is not restarted.
        ...(plan.runOnce && { attach: true, mustRun: false }),
        // replicas: 0 keeps the container (and its config) but does not run it.
        start: service.replicas > 0,
        restart: plan.runOnce ? "no" : wiring.restart,
        cpus: service.resources.cpu?.toString(),
        memory: service.resources.memoryMiB,
        memoryReservation: service.resources.memoryRequestMiB,
      },
      { parent: this, dependsOn: wiring.after },
    );
  }
}

/** `service:port` on the shared network, where the service name is a network alias. */
function internalAddresses(services: readonly ResolvedService[]): Record<string, string> {
  return Object.fromEntries(
    services
      .filter((s) => s.ports.length > 0)
      .map((s) => [s.name, `${s.name}:${s.ports[0]?.port}`]),
  );
}

/**
 * Plain and secret env in one list, each secret entry secret on its own: the plain entries stay
 * visible in plans, so the no-plaintext-secrets rule judges every variable by itself.
 */
function containerEnv(
  plain: Record<string, string>,
  secret: Readonly<Record<string, pulumi.Input<string>>>,
): pulumi.Input<string>[] {
  // Docker's env list is `KEY=value` entries; key order keeps the list stable between updates.
  return Object.keys({ ...plain, ...secret })
    .sort()
    .map((key) => {
      const value = secret[key];
      if (value === undefined) return `${key}=${plain[key]}`;
      return pulumi.secret(pulumi.output(value).apply((v) => `${key}=${v}`));
    });
}
