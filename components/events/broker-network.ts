import {
  brokerIndexesFor as brokerIndexes,
  type ResolvedBrokerCluster,
} from "./broker-cluster-args";

/**
 * How brokers find each other and how clients find them, per platform. Start scripts are shell,
 * because on K3s one pod template serves every broker: a pod learns its index from its hostname
 * (`kafka-2` → 2) and its namespace from the downward API, at start.
 */
export interface BrokerNetwork {
  /** Shell lines that set ORDINAL, HOST (internal name) and EXTERNAL_ADDR (host:port). */
  readonly prelude: string;
  /** Internal host name of broker `i`, usable inside the start script. */
  hostOf(i: number): string;
}

/** Compose: broker `i` is container `${name}-${i}`, published on `hostAddress:(base + i)`. */
export function composeBrokerNetwork(
  cluster: ResolvedBrokerCluster,
  hostAddress: string,
  index: number,
): BrokerNetwork {
  return {
    prelude: [
      `ORDINAL=${index}`,
      `HOST=${composeHost(cluster.name, index)}`,
      `EXTERNAL_ADDR=${hostAddress}:${cluster.externalBasePort + index}`,
    ].join("\n"),
    hostOf: (i) => composeHost(cluster.name, i),
  };
}

export function composeHost(name: string, index: number): string {
  return `${name}-${index}`;
}

export function headlessServiceName(name: string): string {
  return `${name}-headless`;
}

/** K3s: pod `${name}-${i}` behind the headless Service, NodePort `base + i` on the node. */
export function k3sBrokerNetwork(
  cluster: ResolvedBrokerCluster,
  externalAddress: string,
): BrokerNetwork {
  return {
    prelude: [
      `ORDINAL=\${HOSTNAME##*-}`,
      `HOST=$HOSTNAME.${headlessServiceName(cluster.name)}.$POD_NAMESPACE.svc.cluster.local`,
      `EXTERNAL_ADDR=${externalAddress}:$((${cluster.externalBasePort} + ORDINAL))`,
    ].join("\n"),
    hostOf: (i) => k3sHost(cluster.name, i, "$POD_NAMESPACE"),
  };
}

/** DNS name of pod `i` through the headless Service (`namespace` may be a shell variable). */
export function k3sHost(name: string, index: number, namespace: string): string {
  return `${name}-${index}.${headlessServiceName(name)}.${namespace}.svc.cluster.local`;
}

/** `host:port` of every broker for clients on the same platform. */
export function internalBootstrap(
  cluster: ResolvedBrokerCluster,
  hostOf: (i: number) => string,
): string {
  return brokerIndexes(cluster)
    .map((i) => `${hostOf(i)}:${cluster.internalPort}`)
    .join(",");
}

/** `host:port` of every broker for clients on other platforms. */
export function externalBootstrap(cluster: ResolvedBrokerCluster, address: string): string {
  return brokerIndexes(cluster)
    .map((i) => `${address}:${cluster.externalBasePort + i}`)
    .join(",");
}
