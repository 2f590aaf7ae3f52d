import * as pulumi from "@pulumi/pulumi";
import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import { Monitoring } from "../monitoring/Monitoring";
import { type PlatformKind, type ServiceSpec } from "../spec";
import { resolveService, type ResolvedService } from "../spec/resolve";
import { ComposePlatform, type ComposePlatformArgs } from "./ComposePlatform";
import { planDiscovery, platformOf, type Placement } from "./discovery";
import { K3sPlatform, type K3sPlatformArgs } from "./K3sPlatform";
import { metricsEndpointsFor } from "./metrics";
import { validatePlatformServicesArgs } from "./platform-args";
import { DEFAULT_COMPOSE_HOST_ADDRESS, DEFAULT_K3S_EXTERNAL_ADDRESS } from "./platform-ref";
import {
  declareRouters,
  routerClients,
  withIngressRules,
  type Routers,
  type RoutingSettings,
} from "./routers";
import type { RouteSpec } from "../routing/route";

export const PLATFORM_SERVICES_TYPE = "stepwise:platform:PlatformServices";

/** ComposePlatform settings PlatformServices passes through (services and wiring are its own). */
export type ComposeSettings = Pick<ComposePlatformArgs, "networkName" | "hostAddress" | "restart">;
/** K3sPlatform settings PlatformServices passes through. */
export type K3sSettings = Pick<
  K3sPlatformArgs,
  | "namespace"
  | "externalAddress"
  | "kubeconfig"
  | "ingress"
  | "traefikApiVersion"
  | "storageClass"
  | "skipAwait"
>;

export interface PlatformServicesArgs {
  readonly services: readonly ServiceSpec[];
  /** Platform per service name. @default every service on "compose" */
  readonly placement?: Placement;
  /** @default ComposePlatform's defaults */
  readonly compose?: ComposeSettings;
  /** @default K3sPlatform's defaults */
  readonly k3s?: K3sSettings;
  /** Run a Prometheus scraping every service's metrics on this platform. @default no Prometheus */
  readonly monitoringOn?: PlatformKind;
  /**
   * More scrape targets for that Prometheus, e.g. the brokers' and databases' MetricsEndpoints,
   * addressed from `monitoringOn`. @default none
   */
  readonly additionalMetricsEndpoints?: readonly MetricsEndpoint[];
  /**
   * Routes in front of services with several implementations, each on the platform of its own
   * service (Traefik on both), scraped by the Prometheus when there is one. @default none
   */
  readonly routes?: readonly RouteSpec[];
  /** @default RoutingSettings' defaults */
  readonly routing?: RoutingSettings;
}

export interface ServiceAddress {
  readonly platform: PlatformKind;
  /** `host:port` from the service's own platform. */
  readonly internal: string;
}

/**
 * The whole service fleet across both platforms: each service rendered once, on the platform
 * the placement names, with discovery wired across the boundary both ways. A platform is only
 * built while it hosts something, so Compose disappears once its last service has moved.
 */
export class PlatformServices extends pulumi.ComponentResource {
  public readonly compose: ComposePlatform | undefined;
  public readonly k3s: K3sPlatform | undefined;
  public readonly monitoring: Monitoring | undefined;
  public readonly routers: Routers;
  /** Where each service runs and its address there. */
  public readonly addresses: Readonly<Record<string, ServiceAddress>>;
  /** Scrape targets of every service with metrics, addressed from where Prometheus runs (additional ones not included). */
  public readonly metricsEndpoints: readonly MetricsEndpoint[];

  constructor(name: string, args: PlatformServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering, so bad args leave no half-made component behind.
    validatePlatformServicesArgs(name, args);
    super(PLATFORM_SERVICES_TYPE, name, {}, opts);
    const placement = args.placement ?? {};
    const composeHost = args.compose?.hostAddress ?? DEFAULT_COMPOSE_HOST_ADDRESS;
    const k3sAddress = args.k3s?.externalAddress ?? DEFAULT_K3S_EXTERNAL_ADDRESS;
    const resolved = args.services.map(resolveService);
    const on = (kind: PlatformKind) =>
      args.services.filter((s) => platformOf(placement, s.name) === kind);

    const { routes, rules: ingress } = withIngressRules(
      args.routes ?? [],
      args.k3s?.ingress ?? [],
      placement,
      resolved,
    );
    const discovery = planDiscovery(
      resolved,
      placement,
      { composeHost, k3sAddress },
      routerClients(routes, placement, resolved),
    );
    const metricsPlan = metricsEndpointsFor(resolved, placement, args.monitoringOn, {
      composeHost,
      k3sAddress,
    });
    const exposed = [...new Set([...discovery.k3sExposed, ...metricsPlan.k3sExposed])];
    const hosts = (kind: PlatformKind) => on(kind).length > 0 || args.monitoringOn === kind;

    this.compose = hosts("compose")
      ? new ComposePlatform(
          `${name}-compose`,
          { ...args.compose, services: on("compose"), remoteServices: discovery.composeRemotes },
          { parent: this },
        )
      : undefined;
    this.k3s = hosts("k3s")
      ? new K3sPlatform(
          `${name}-k3s`,
          {
            ...args.k3s,
            ingress,
            services: on("k3s"),
            externalServices: discovery.k3sExternal,
            exposedServices: resolved.map((s) => s.name).filter((n) => exposed.includes(n)),
          },
          { parent: this },
        )
      : undefined;

    this.routers = declareRouters(
      name,
      {
        routes,
        settings: args.routing ?? {},
        services: resolved,
        placement,
        addresses: { composeHost, k3sAddress },
        compose: this.compose?.ref,
        k3s: this.k3s && { ref: this.k3s.ref, services: Object.values(this.k3s.services) },
        monitoringOn: args.monitoringOn,
      },
      this,
    );

    const monitoringRef = args.monitoringOn === "compose" ? this.compose?.ref : this.k3s?.ref;
    this.monitoring =
      args.monitoringOn && monitoringRef
        ? new Monitoring(
            `${name}-prometheus`,
            {
              platform: monitoringRef,
              endpoints: [
                ...metricsPlan.endpoints,
                ...this.routers.metrics,
                ...(args.additionalMetricsEndpoints ?? []),
              ],
            },
            { parent: this },
          )
        : undefined;
    this.addresses = addressesOf(resolved, placement);
    this.metricsEndpoints = metricsPlan.endpoints;
    this.registerOutputs({});
  }
}

function addressesOf(
  services: readonly ResolvedService[],
  placement: Placement,
): Record<string, ServiceAddress> {
  return Object.fromEntries(
    services
      .filter((s) => s.ports.length > 0)
      .map((s) => {
        const platform = platformOf(placement, s.name);
        const port = s.ports[0];
        const internal = `${s.name}:${platform === "compose" ? port?.port : port?.published}`;
        return [s.name, { platform, internal }];
      }),
  );
}
