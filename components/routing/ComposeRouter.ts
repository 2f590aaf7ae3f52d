import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import type { ComposePlatformRef } from "../platform/platform-ref";
import { ROUTER_SYSTEM, validateRoutes, type FeatureFlags, type RouteSpec } from "./route";
import {
  renderTraefikFile,
  ROUTES_ENV,
  ROUTES_FILE,
  traefikFileConfig,
  traefikStaticArgs,
  type BackendUrl,
} from "./traefik-file";

export const COMPOSE_ROUTER_TYPE = "stepwise:routing:ComposeRouter";
/** The Traefik release the routing tests run (K3s 1.32+ ships Traefik v3 as well). */
export const DEFAULT_TRAEFIK_IMAGE = "traefik:v3.6.12";
const CONFIG_DIRECTORY = "/etc/traefik/dynamic";

export interface ComposeRouterArgs {
  readonly platform: ComposePlatformRef;
  readonly routes: readonly RouteSpec[];
  readonly featureFlags: FeatureFlags;
  /** Where the router reaches each backend, e.g. "http://orders:8083". */
  readonly urlOf: BackendUrl;
  /** Health path of a backend's service (its HTTP health check), or undefined. */
  readonly healthPathOf?: (service: string) => string | undefined;
  /** The health check's port, when it is not the port the router sends requests to. */
  readonly healthPortOf?: (service: string) => number | undefined;
  /** Port published on the Docker host for requests. @default 8000 */
  readonly port?: number;
  /**
   * Port of the metrics and ping endpoints, published too. @default 8899 (clear of the bundled
   * services' ports and their `-next` ports, 10000 higher)
   */
  readonly metricsPort?: number;
  /** @default "traefik:v3.6.12" */
  readonly image?: string;
  /**
   * Folder on the Docker host the routes file is written to (Docker creates it).
   * @default "/var/lib/stepwise/<router name>"
   */
  readonly configHostPath?: string;
}

/**
 * Routes on Compose: a Traefik container reading stepwise's rendered file-provider
 * configuration from a folder on the Docker host. A small writer container (replaced whenever the routes change)
 * writes the file atomically; Traefik watches the folder, so a weight step reloads the routes
 * without restarting the router or dropping a request.
 */
export class ComposeRouter extends pulumi.ComponentResource {
  /** The rendered dynamic configuration (YAML). */
  public readonly config: string;
  /** The router's Prometheus endpoint, from the Compose network. */
  public readonly metrics: MetricsEndpoint;
  /** `host:port` requests reach the router at, from the Compose network. */
  public readonly address: string;
  /** Port of the metrics and ping endpoints, in the container and on the Docker host. */
  public readonly metricsPort: number;

  constructor(name: string, args: ComposeRouterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPOSE_ROUTER_TYPE, name, {}, opts);
    validateRoutes(args.routes, args.featureFlags);
    const port = args.port ?? 8000;
    const metricsPort = args.metricsPort ?? 8899;
    this.config = renderTraefikFile(
      traefikFileConfig(args.routes, args.featureFlags, args.urlOf, {
        pathOf: args.healthPathOf ?? (() => undefined),
        ...(args.healthPortOf ? { portOf: args.healthPortOf } : {}),
      }),
    );
    const childOpts = pulumi.mergeOptions(args.platform.resourceOptions, { parent: this });
    const image = new docker.RemoteImage(
      `${name}-image`,
      { name: args.image ?? DEFAULT_TRAEFIK_IMAGE, keepLocally: true },
      childOpts,
    );
    // A host folder, not a Docker volume: it holds configuration stepwise rewrites, never data,
    // so removing the router removes nothing a rollback would need.
    const hostPath = args.configHostPath ?? `/var/lib/stepwise/${name}`;
    const mount = [{ hostPath, containerPath: CONFIG_DIRECTORY }];
    const labels = [{ label: "stepwise.platform", value: args.platform.name }];
    const writer = new docker.Container(
      `${name}-config`,
      {
        name: `${name}-config`,
        image: image.imageId,
        entrypoints: ["sh", "-c"],
        // Written beside, then renamed: Traefik never reads half a file.
        command: [
          `printf '%s' "$${ROUTES_ENV}" > ${CONFIG_DIRECTORY}/.next && mv ${CONFIG_DIRECTORY}/.next ${CONFIG_DIRECTORY}/${ROUTES_FILE}`,
        ],
        envs: [`${ROUTES_ENV}=${this.config}`],
        volumes: mount,
        labels,
        mustRun: false,
        restart: "no",
      },
      childOpts,
    );
    new docker.Container(
      name,
      {
        name,
        image: image.imageId,
        command: traefikStaticArgs({ port: 80, metricsPort, configDirectory: CONFIG_DIRECTORY }),
        ports: [
          { internal: 80, external: port },
          { internal: metricsPort, external: metricsPort },
        ],
        volumes: mount,
        networksAdvanced: [{ name: args.platform.networkName, aliases: [name] }],
        labels,
        restart: "unless-stopped",
      },
      pulumi.mergeOptions(childOpts, { dependsOn: [writer] }),
    );
    this.address = `${name}:80`;
    this.metricsPort = metricsPort;
    this.metrics = { job: name, system: ROUTER_SYSTEM, address: `${name}:${metricsPort}` };
    this.registerOutputs({ config: this.config });
  }
}
