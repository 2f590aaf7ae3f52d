import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
  resolveService,
  startOrder,
  validateServiceSpecs,
  type ResolvedService,
  type ServiceSpec,
} from "../spec";
import {
  containerLabels,
  dockerEnvList,
  dockerHealthcheck,
  dockerVolumeName,
  type RestartPolicy,
} from "./compose-service";
import { dependencyEnv, firstPublished } from "./discovery";
import type { ComposePlatformRef } from "./platform-ref";
import { providerFor } from "./provider";

export const COMPOSE_PLATFORM_TYPE = "stepwise:platform:ComposePlatform";

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
  /** `host:port` by service name, reachable from containers on this platform. */
  public readonly addresses: Readonly<Record<string, string>>;
  /** `host:port` by service name, reachable from other platforms (published on the host). */
  public readonly externalAddresses: Readonly<Record<string, string>>;

  constructor(name: string, args: ComposePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPOSE_PLATFORM_TYPE, name, {}, opts);
    const remoteServices = args.remoteServices ?? {};
    const networkName = args.networkName ?? name;
    const hostAddress = args.hostAddress ?? "host.docker.internal";
    const restart = args.restart ?? "unless-stopped";
    validateServiceSpecs(args.services, { external: Object.keys(remoteServices) });
    const services = startOrder(args.services.map(resolveService));

    this.network = new docker.Network(
      `${name}-network`,
      {
        name: networkName,
        driver: "bridge",
        labels: [{ label: "stepwise.platform", value: name }],
      },
      { parent: this },
    );
    const addresses = internalAddresses(services);
    const addressOf = (dep: string): string =>
      addresses[dep] ?? remoteServices[dep] ?? noAddress(services, dep);

    const containers: Record<string, docker.Container> = {};
    for (const service of services) {
      containers[service.name] = this.container(name, service, {
        network: this.network,
        restart,
        env: { ...service.env, ...dependencyEnv(service, addressOf) },
        after: service.dependsOn.flatMap((dep) => containers[dep] ?? []),
      });
    }

    this.containers = containers;
    this.addresses = addresses;
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
    platform: string,
    service: ResolvedService,
    wiring: {
      network: docker.Network;
      restart: RestartPolicy;
      env: Record<string, string>;
      after: docker.Container[];
    },
  ): docker.Container {
    const opts = { parent: this };
    const image = new docker.RemoteImage(
      `${platform}-${service.name}-image`,
      { name: service.image, keepLocally: true },
      opts,
    );
    const volumes = service.volumes.map(
      (v) =>
        new docker.Volume(
          `${platform}-${service.name}-${v.name}`,
          { name: dockerVolumeName(platform, service.name, v.name) },
          opts,
        ),
    );
    const hc = service.healthCheck && dockerHealthcheck(service.healthCheck);
    return new docker.Container(
      `${platform}-${service.name}`,
      {
        name: `${platform}-${service.name}`,
        image: image.imageId,
        entrypoints: service.command ? [...service.command] : undefined,
        command: service.args ? [...service.args] : undefined,
        envs: containerEnv(wiring.env, service.secretEnv),
        labels: Object.entries(containerLabels(platform, service)).map(([label, value]) => ({
          label,
          value,
        })),
        ports: service.ports.map((p) => ({
          internal: p.port,
          external: p.published,
          protocol: p.protocol.toLowerCase(),
        })),
        networksAdvanced: [{ name: wiring.network.name, aliases: [service.name] }],
        volumes: volumes.map((volume, i) => ({
          volumeName: volume.name,
          containerPath: service.volumes[i]?.mountPath,
        })),
        healthcheck: hc,
        // Waiting for healthy is what makes dependents start after their dependencies are up,
        // as Compose's `condition: service_healthy` does.
        wait: hc !== undefined,
        restart: wiring.restart,
        cpus: service.resources.cpu?.toString(),
        memory: service.resources.memoryMiB,
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

/** Plain and secret env in one list; the whole list is secret as soon as one value is. */
function containerEnv(
  plain: Record<string, string>,
  secret: Readonly<Record<string, pulumi.Input<string>>>,
): pulumi.Input<string[]> {
  if (Object.keys(secret).length === 0) return dockerEnvList(plain);
  return pulumi.secret(
    pulumi.all(secret).apply((values) => dockerEnvList({ ...plain, ...values })),
  );
}

function noAddress(services: readonly ResolvedService[], dep: string): never {
  const service = services.find((s) => s.name === dep);
  throw new Error(
    service
      ? `service "${dep}": ports = []: others depend on it, so it needs at least one port`
      : `remoteServices: no address for "${dep}"; give its host:port`,
  );
}
