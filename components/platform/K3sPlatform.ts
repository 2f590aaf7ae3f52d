import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ServiceSpec } from "../spec";
import { resolveService, startOrder, type ResolvedService } from "../spec/resolve";
import { dependencyEnv, firstPublished, type ExternalService } from "./discovery";
import {
  bridgeObjects,
  configDigest,
  deploymentSpec,
  secretKeyFor,
  startWaits,
  serviceSpec,
  workloadLabels,
  type StartWait,
} from "./k3s-workload";
import { awaitedMetadata } from "./annotations";
import { validateK3sPlatformArgs } from "./platform-args";
import {
  DEFAULT_K3S_EXTERNAL_ADDRESS,
  DEFAULT_STORAGE_CLASS,
  type K3sPlatformRef,
} from "./platform-ref";
import { providerFor } from "./provider";
import { ingressRouteSpec, type IngressRule } from "./traefik";
import { TRAEFIK_API_VERSION } from "../routing/traefik-crds";
import { K3S_PLATFORM_TYPE } from "../type-tokens";

/** The Traefik CRDs' API version, the one the routers use (Traefik v3, shipped since K3s 1.32). */
export const DEFAULT_TRAEFIK_API_VERSION = TRAEFIK_API_VERSION;

/**
 * Settings of the provider the platform makes for itself. ConfigMaps and Secrets change in
 * place: by default the provider replaces them on a data change, and since their names are
 * fixed it deletes them first, then replaces every Deployment that reads them, which on a real
 * cluster means downtime on every phase step. Pods still roll when config changes, through the
 * config digest on their template (k3s-workload.ts). A provider passed in the options should
 * set both too.
 */
export const PROVIDER_SETTINGS = { enableConfigMapMutable: true, enableSecretMutable: true };

export interface K3sPlatformArgs {
  /** The services that run here (validated up front). */
  readonly services: readonly ServiceSpec[];
  /** @default the component name */
  readonly namespace?: string;
  /**
   * Node or load-balancer address other platforms reach exposed services at.
   * @default "127.0.0.1" (only right when the other platform runs on the node itself)
   */
  readonly externalAddress?: string;
  /**
   * Kubeconfig of the provider the platform makes when none is passed in the options.
   * @default the ambient one (KUBECONFIG, ~/.kube/config)
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Services outside the cluster that workloads here reach by name. @default none */
  readonly externalServices?: readonly ExternalService[];
  /** Services to expose on the node address (K3s ServiceLB) for other platforms. @default none */
  readonly exposedServices?: readonly string[];
  /** Traefik routes into services. @default none */
  readonly ingress?: readonly IngressRule[];
  /** @default "traefik.io/v1alpha1" (Traefik v3, shipped since K3s 1.32) */
  readonly traefikApiVersion?: string;
  /** @default "local-path" (K3s's built-in provisioner) */
  readonly storageClass?: string;
  /**
   * Do not wait for Deployments, Services and volume claims to become ready: for an API server
   * without nodes (a test control plane), where no Pod is ever scheduled. @default false
   */
  readonly skipAwait?: boolean;
}

/**
 * Services on a given K3s cluster: a namespace, and per service a Deployment, Service,
 * ConfigMap (env + .env), Secret (secret env + .env.secret, read through secretKeyRef) and
 * PVCs. A provider passed in the options (or made from `kubeconfig`) is used by every child.
 */
export class K3sPlatform extends pulumi.ComponentResource {
  public readonly ref: K3sPlatformRef;
  public readonly namespace: k8s.core.v1.Namespace;
  /** Deployments by service name. */
  public readonly deployments: Readonly<Record<string, k8s.apps.v1.Deployment>>;
  /** Services by service name, including bridges to external services. */
  public readonly services: Readonly<Record<string, k8s.core.v1.Service>>;
  /** `host:port` by service name, reachable from pods in the namespace. */
  public readonly addresses: Readonly<Record<string, string>>;
  /** `host:port` of exposed services, reachable from other platforms. */
  public readonly externalAddresses: Readonly<Record<string, string>>;

  private readonly childOpts: pulumi.CustomResourceOptions;
  private readonly namespaceName: pulumi.Output<string>;
  private readonly skipAwait: boolean;

  constructor(name: string, args: K3sPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering, so bad args leave no half-made component behind.
    validateK3sPlatformArgs(name, args);
    super(K3S_PLATFORM_TYPE, name, {}, opts);
    const externalServices = args.externalServices ?? [];
    const exposed = new Set(args.exposedServices ?? []);
    const externalAddress = args.externalAddress ?? DEFAULT_K3S_EXTERNAL_ADDRESS;
    const storageClass = args.storageClass ?? DEFAULT_STORAGE_CLASS;
    const skipAwait = args.skipAwait ?? false;
    const traefikApiVersion = args.traefikApiVersion ?? DEFAULT_TRAEFIK_API_VERSION;
    const services = startOrder(args.services.map(resolveService));
    const waits = startWaits(services, externalServices);

    const provider =
      providerFor(this, "kubernetes") ??
      new k8s.Provider(
        `${name}-provider`,
        {
          ...(args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : {}),
          ...PROVIDER_SETTINGS,
        },
        { parent: this },
      );
    this.childOpts = { parent: this, provider };

    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: args.namespace ?? name, labels: { "app.kubernetes.io/part-of": name } } },
      this.childOpts,
    );
    this.namespaceName = this.namespace.metadata.name;
    this.skipAwait = skipAwait;

    const addresses: Record<string, string> = {};
    for (const s of services) {
      if (s.ports.length > 0) addresses[s.name] = `${s.name}:${firstPublished(s)}`;
    }
    for (const e of externalServices) addresses[e.name] = `${e.name}:${e.ports[0] ?? 0}`;

    const deployments: Record<string, k8s.apps.v1.Deployment> = {};
    const kubeServices: Record<string, k8s.core.v1.Service> = {};
    for (const service of services) {
      const env = { ...service.env, ...dependencyEnv(service, (dep) => addressOf(addresses, dep)) };
      deployments[service.name] = this.workload(name, service, env, {
        storageClass,
        waits: waits.get(service.name) ?? [],
      });
      // The API server refuses a Service without ports, and there would be nothing to reach.
      if (service.ports.length > 0) {
        kubeServices[service.name] = this.service(name, service, exposed.has(service.name));
      }
    }
    for (const external of externalServices) {
      kubeServices[external.name] = this.bridge(name, external);
    }
    for (const rule of args.ingress ?? []) {
      const target = services.find((s) => s.name === rule.service);
      if (!target) continue; // refused up front by validateK3sPlatformArgs
      new k8s.apiextensions.CustomResource(
        `${name}-${rule.service}-route`,
        {
          apiVersion: traefikApiVersion,
          kind: "IngressRoute",
          metadata: { name: rule.service, namespace: this.namespaceName },
          spec: ingressRouteSpec(rule, firstPublished(target)),
        },
        pulumi.mergeOptions(this.childOpts, {
          dependsOn: [kubeServices[rule.service]].filter((s) => s !== undefined),
        }),
      );
    }

    this.deployments = deployments;
    this.services = kubeServices;
    this.addresses = addresses;
    this.externalAddresses = Object.fromEntries(
      services
        .filter((s) => exposed.has(s.name))
        .map((s) => [s.name, `${externalAddress}:${firstPublished(s)}`]),
    );
    this.ref = {
      kind: "k3s",
      name,
      namespace: this.namespaceName,
      externalAddress,
      storageClass,
      skipAwait,
      resourceOptions: { provider },
    };
    this.registerOutputs({ namespace: this.namespaceName, addresses: this.addresses });
  }

  private workload(
    platform: string,
    service: ResolvedService,
    env: Record<string, string>,
    { storageClass, waits }: { storageClass: string; waits: readonly StartWait[] },
  ): k8s.apps.v1.Deployment {
    const metadata = (suffix: string) => ({
      name: `${service.name}${suffix}`,
      namespace: this.namespaceName,
      labels: workloadLabels(platform, service.name),
    });
    // Workloads and claims are what Pulumi waits on; config objects have nothing to wait for.
    const awaited = (suffix: string) => awaitedMetadata(metadata(suffix), this.skipAwait);
    const config =
      Object.keys(env).length > 0
        ? new k8s.core.v1.ConfigMap(
            `${platform}-${service.name}-config`,
            { metadata: metadata("-config"), data: env },
            this.childOpts,
          )
        : undefined;
    const secretNames = Object.keys(service.secretEnv);
    const secret =
      secretNames.length > 0
        ? new k8s.core.v1.Secret(
            `${platform}-${service.name}-secret`,
            {
              metadata: metadata("-secret"),
              type: "Opaque",
              stringData: Object.fromEntries(
                secretNames.map((n) => [secretKeyFor(n), pulumi.secret(service.secretEnv[n])]),
              ),
            },
            this.childOpts,
          )
        : undefined;
    const claims = service.volumes.map(
      (v) =>
        new k8s.core.v1.PersistentVolumeClaim(
          `${platform}-${service.name}-${v.name}`,
          {
            metadata: awaited(`-${v.name}`),
            spec: {
              storageClassName: storageClass,
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: `${v.sizeMiB}Mi` } },
            },
          },
          // As on Compose: a move back must not destroy the data it may need to roll back to.
          pulumi.mergeOptions(this.childOpts, { retainOnDelete: true }),
        ),
    );
    return new k8s.apps.v1.Deployment(
      `${platform}-${service.name}`,
      {
        metadata: awaited(""),
        spec: deploymentSpec(platform, service, {
          configDigest: configDigest(env),
          configMapName: config?.metadata.name,
          secretName: secret ? `${service.name}-secret` : undefined,
          waits,
        }),
      },
      pulumi.mergeOptions(this.childOpts, { dependsOn: [...(secret ? [secret] : []), ...claims] }),
    );
  }

  private service(
    platform: string,
    service: ResolvedService,
    exposed: boolean,
  ): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
      `${platform}-${service.name}-service`,
      {
        metadata: awaitedMetadata(
          {
            name: service.name,
            namespace: this.namespaceName,
            labels: workloadLabels(platform, service.name),
          },
          this.skipAwait,
        ),
        spec: serviceSpec(platform, service, exposed),
      },
      this.childOpts,
    );
  }

  /**
   * A Service named like the external one, so pods use the same name wherever it runs. It has
   * the same resource name as a real Service would, so moving the service here updates it in
   * place instead of clashing with it.
   */
  private bridge(platform: string, external: ExternalService): k8s.core.v1.Service {
    const metadata = {
      name: external.name,
      namespace: this.namespaceName,
      labels: { "app.kubernetes.io/part-of": platform, "stepwise.dev/external": "true" },
    };
    const bridge = bridgeObjects(external);
    const service = new k8s.core.v1.Service(
      `${platform}-${external.name}-service`,
      { metadata, spec: bridge.service },
      this.childOpts,
    );
    if (bridge.endpoints) {
      new k8s.core.v1.Endpoints(
        `${platform}-${external.name}-endpoints`,
        { metadata, subsets: bridge.endpoints },
        pulumi.mergeOptions(this.childOpts, { dependsOn: [service] }),
      );
    }
    return service;
  }
}

function addressOf(addresses: Readonly<Record<string, string>>, dep: string): string {
  const address = addresses[dep];
  if (address === undefined) {
    throw new Error(
      `service "${dep}": ports = []: others depend on it, so it needs at least one port`,
    );
  }
  return address;
}
