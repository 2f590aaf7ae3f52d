/**
 * The platform components' own args, checked before anything is registered: an error names the
 * field, shows the value and says what to give instead. The service specs are checked by
 * `validateServiceSpecs` (components/spec/validate.ts), which these call first.
 */
import { isDnsLabel, isDnsSubdomain } from "../spec/k8s-names";
import { PLATFORM_KINDS, type PlatformKind, type ServiceSpec } from "../spec/service-spec";
import { validateServiceSpecs } from "../spec/validate";
import { RESTART_POLICIES, type RestartPolicy } from "./compose-service";
import type { IngressRule } from "./traefik";
import { placementProblems, type ExternalService, type Placement } from "./discovery";

/** Every problem in one platform component's args, one line each, each naming its field. */
export class PlatformArgsError extends Error {
  constructor(
    component: string,
    readonly problems: readonly string[],
  ) {
    super(`${component}: invalid args:\n  - ${problems.join("\n  - ")}`);
    this.name = "PlatformArgsError";
  }
}

/** A host name or IP address without a port: what other platforms reach published ports at. */
export function isHostAddress(value: string): boolean {
  return /^[^\s:/,]+$/.test(value);
}

const shown = (value: unknown) => JSON.stringify(value);

/** The ComposePlatform settings PlatformServices also passes through. */
export interface ComposeFields {
  readonly networkName?: string;
  readonly hostAddress?: string;
  readonly restart?: RestartPolicy;
}

/** The K3sPlatform settings PlatformServices also passes through. */
export interface K3sFields {
  readonly namespace?: string;
  readonly externalAddress?: string;
  readonly traefikApiVersion?: string;
  readonly storageClass?: string;
}

function composeFieldProblems(args: ComposeFields, prefix = ""): string[] {
  const problems: string[] = [];
  const { networkName, hostAddress, restart } = args;
  if (networkName !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(networkName)) {
    problems.push(
      `${prefix}networkName = ${shown(networkName)}: must be a Docker network name (letters, digits, '_', '.', '-', starting with a letter or digit), e.g. "shop"`,
    );
  }
  if (hostAddress !== undefined && !isHostAddress(hostAddress)) {
    problems.push(
      `${prefix}hostAddress = ${shown(hostAddress)}: must be a host name or IP address without a port, e.g. "host.docker.internal"`,
    );
  }
  if (restart !== undefined && !(RESTART_POLICIES as readonly string[]).includes(restart)) {
    problems.push(
      `${prefix}restart = ${shown(restart)}: must be one of ${RESTART_POLICIES.map(shown).join(", ")}`,
    );
  }
  return problems;
}

function k3sFieldProblems(args: K3sFields, prefix = ""): string[] {
  const problems: string[] = [];
  const { namespace, externalAddress, traefikApiVersion, storageClass } = args;
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    problems.push(
      `${prefix}namespace = ${shown(namespace)}: must be a Kubernetes namespace name (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit), e.g. "shop"`,
    );
  }
  if (externalAddress !== undefined && !isHostAddress(externalAddress)) {
    problems.push(
      `${prefix}externalAddress = ${shown(externalAddress)}: must be a node or load-balancer address without a port, e.g. "10.0.0.5"`,
    );
  }
  if (traefikApiVersion !== undefined && !/^[a-z0-9.-]+\/v[a-z0-9]+$/.test(traefikApiVersion)) {
    problems.push(
      `${prefix}traefikApiVersion = ${shown(traefikApiVersion)}: must be the API group and version of Traefik's CRDs, e.g. "traefik.io/v1alpha1"`,
    );
  }
  if (storageClass !== undefined && !isDnsSubdomain(storageClass)) {
    problems.push(
      `${prefix}storageClass = ${shown(storageClass)}: must be the name of a StorageClass of the cluster, e.g. "local-path"`,
    );
  }
  return problems;
}

function throwIfAny(component: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new PlatformArgsError(component, problems);
}

/** ComposePlatform's args: the specs, then the Docker settings and the remote services. */
export function validateComposePlatformArgs(
  name: string,
  args: ComposeFields & {
    readonly services: readonly ServiceSpec[];
    readonly remoteServices?: Readonly<Record<string, string>>;
  },
): void {
  const remoteServices = args.remoteServices ?? {};
  validateServiceSpecs(args.services, { external: Object.keys(remoteServices) });
  const problems = composeFieldProblems(args);
  for (const [service, address] of Object.entries(remoteServices)) {
    if (!/^[^\s:/,]+:\d{1,5}$/.test(address)) {
      problems.push(
        `remoteServices.${service} = ${shown(address)}: must be host:port, where the service is reached from this host, e.g. "10.0.0.5:30080"`,
      );
    }
  }
  throwIfAny(`ComposePlatform ${name}`, problems);
}

/** K3sPlatform's args: the specs, then the cluster settings and the services it exposes and routes to. */
export function validateK3sPlatformArgs(
  name: string,
  args: K3sFields & {
    readonly services: readonly ServiceSpec[];
    readonly externalServices?: readonly ExternalService[];
    readonly exposedServices?: readonly string[];
    readonly ingress?: readonly IngressRule[];
  },
): void {
  validateServiceSpecs(args.services, {
    external: (args.externalServices ?? []).map((e) => e.name),
  });
  const problems = k3sFieldProblems(args);
  const known = args.services.map((s) => s.name);
  for (const exposed of args.exposedServices ?? []) {
    if (!known.includes(exposed)) {
      problems.push(
        `exposedServices: "${exposed}" is not a service here; expose one of ${shown(known)}`,
      );
    }
  }
  for (const rule of args.ingress ?? []) {
    if (!known.includes(rule.service)) {
      problems.push(
        `ingress service = "${rule.service}": no such service here; route to one of ${shown(known)}`,
      );
    }
  }
  throwIfAny(`K3sPlatform ${name}`, problems);
}

/** PlatformServices' args: the specs, the placement, where monitoring runs, both platforms' settings. */
export function validatePlatformServicesArgs(
  name: string,
  args: {
    readonly services: readonly ServiceSpec[];
    readonly placement?: Placement;
    readonly monitoringOn?: PlatformKind;
    readonly compose?: ComposeFields;
    readonly k3s?: K3sFields;
  },
): void {
  validateServiceSpecs(args.services);
  const problems = [
    ...placementProblems(args.placement ?? {}, args.services),
    ...composeFieldProblems(args.compose ?? {}, "compose."),
    ...k3sFieldProblems(args.k3s ?? {}, "k3s."),
  ];
  if (
    args.monitoringOn !== undefined &&
    !(PLATFORM_KINDS as readonly string[]).includes(args.monitoringOn)
  ) {
    problems.push(
      `monitoringOn = ${shown(args.monitoringOn)}: must be "compose" or "k3s", the platform Prometheus runs on; leave it out for no Prometheus`,
    );
  }
  throwIfAny(`PlatformServices ${name}`, problems);
}
