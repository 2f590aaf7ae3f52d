import type { PlatformRef } from "../platform/platform-ref";

/** Pinned defaults: never "latest", every one overridable through the component args. */
export const DEFAULT_POSTGRES_IMAGE = "postgres:15.8";
export const DEFAULT_CITUS_IMAGE = "citusdata/citus:12.1.5";
export const DEFAULT_EXPORTER_IMAGE = "quay.io/prometheuscommunity/postgres-exporter:v0.15.0";
export const POSTGRES_PORT = 5432;
export const EXPORTER_PORT = 9187;
export const DATA_PATH = "/var/lib/postgresql/data";
/** Published port for other platforms: a host port on Compose, a NodePort on K3s. */
export const DEFAULT_EXTERNAL_PORT = { compose: 5432, k3s: 30432 } as const;

/** Settings of one PostgreSQL node after defaults, as the renderers need them. */
export interface PostgresNodeSettings {
  readonly platform: PlatformRef;
  /** Container / Kubernetes object name, e.g. "compose-orders-db". */
  readonly objectName: string;
  readonly externalPort: number;
  readonly storageSize: string;
}

/** An argument the caller must fix: names the field, shows the value, says what to change. */
export class DatabaseArgsError extends Error {}

/** Container/object name on the platform: prefixed with the platform so two platforms never clash. */
export function nodeObjectName(platform: PlatformRef, name: string): string {
  return `${platform.name}-${name}`;
}

export function resolveExternalPort(
  component: string,
  platform: PlatformRef,
  externalPort: number | undefined,
): number {
  const port = externalPort ?? DEFAULT_EXTERNAL_PORT[platform.kind];
  const [low, high] = platform.kind === "k3s" ? [30000, 32767] : [1, 65535];
  if (!Number.isInteger(port) || port < low || port > high)
    throw new DatabaseArgsError(
      `${component}: externalPort ${port} is not usable on ${platform.kind}; pick an integer from ${low} to ${high}` +
        (platform.kind === "k3s" ? " (the NodePort range)." : "."),
    );
  return port;
}

/** In-cluster DNS name of a K3s Service. */
export function k3sServiceHost(objectName: string, namespace: string): string {
  return `${objectName}.${namespace}.svc.cluster.local`;
}

/** Address of the platform from elsewhere (other platforms, the machine running Pulumi). */
export function externalHost(platform: PlatformRef): string {
  return platform.kind === "compose" ? platform.hostAddress : platform.externalAddress;
}

/** postgres:// URL; user and password are percent-encoded (passwords may hold @ or /). */
export function postgresUrl(
  user: string,
  password: string,
  host: string,
  port: number,
  database: string,
): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
}

/** postgres_exporter's data source: the sidecar/neighbour reaches the server without TLS. */
export function exporterDataSource(
  user: string,
  password: string,
  host: string,
  database: string,
): string {
  return `${postgresUrl(user, password, host, POSTGRES_PORT, database)}?sslmode=disable`;
}

/**
 * The server's environment. PGPASSWORD is set only for Citus nodes: the backend's outgoing
 * libpq connections (coordinator → workers) read it, so nodes sharing one superuser password
 * authenticate without trust auth or a .pgpass file.
 */
export function postgresEnv(
  user: string,
  password: string,
  database: string,
  peerPassword: boolean,
): Record<string, string> {
  return {
    POSTGRES_USER: user,
    POSTGRES_PASSWORD: password,
    POSTGRES_DB: database,
    PGDATA: `${DATA_PATH}/pgdata`,
    ...(peerPassword ? { PGPASSWORD: password } : {}),
  };
}

export function validateWorkerCount(component: string, workers: number): number {
  if (!Number.isInteger(workers) || workers < 1 || workers > 64)
    throw new DatabaseArgsError(
      `${component}: workers ${workers} must be an integer from 1 to 64; a Citus cluster needs at least one worker.`,
    );
  return workers;
}
