import type { ResolvedHealthCheck, ResolvedService } from "../spec";

/** Restart policies Docker and Compose share. */
export type RestartPolicy = "no" | "on-failure" | "always" | "unless-stopped";

/** A health check in Docker's terms, shared by the container and the rendered Compose file. */
export interface DockerHealthcheck {
  readonly tests: string[];
  readonly interval: string;
  readonly timeout: string;
  readonly retries: number;
  readonly startPeriod: string;
}

/**
 * Docker runs the check inside the container: a command as-is, an HTTP check through wget
 * (present in busybox/alpine/debian-slim images; use `command` for images without it).
 */
export function dockerHealthcheck(hc: ResolvedHealthCheck): DockerHealthcheck {
  const tests = hc.command
    ? ["CMD", ...hc.command]
    : [
        "CMD-SHELL",
        `wget -q -O /dev/null http://127.0.0.1:${hc.http?.port ?? 0}${hc.http?.path ?? "/"} || exit 1`,
      ];
  return {
    tests,
    interval: `${hc.intervalSeconds}s`,
    timeout: `${hc.timeoutSeconds}s`,
    retries: hc.retries,
    startPeriod: `${hc.startPeriodSeconds}s`,
  };
}

/** Labels on every container: the spec's own plus which platform and service it is. */
export function containerLabels(
  platform: string,
  service: ResolvedService,
): Record<string, string> {
  return { ...service.labels, "stepwise.platform": platform, "stepwise.service": service.name };
}

/** `KEY=value` lines in key order, as Docker's env list wants them. */
export function dockerEnvList(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key]}`);
}

/** Docker resource names: one volume per service volume, so two services never share one. */
export function dockerVolumeName(platform: string, service: string, volume: string): string {
  return `${platform}-${service}-${volume}`;
}
