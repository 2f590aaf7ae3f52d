import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type { ResolvedHealthCheck, ResolvedService } from "../spec";

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

/** Requests equal limits: a service gets on K3s the share it had on Compose, no more. */
export function resourcesFor(resources: ResolvedService["resources"]): Resources | undefined {
  const amounts: Record<string, string> = {};
  if (resources.cpu !== undefined) amounts.cpu = `${Math.round(resources.cpu * 1000)}m`;
  if (resources.memoryMiB !== undefined) amounts.memory = `${resources.memoryMiB}Mi`;
  return Object.keys(amounts).length > 0 ? { requests: amounts, limits: amounts } : undefined;
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
