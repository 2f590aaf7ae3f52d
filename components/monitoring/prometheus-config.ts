import { stringify } from "yaml";

/** A MetricsEndpoint with its address known (pulumi inputs resolved). */
export interface ScrapeTarget {
  readonly job: string;
  readonly address: string;
  readonly path?: string;
  readonly system: string;
}

export interface PrometheusConfigOptions {
  /** @default 15 */
  readonly scrapeIntervalSeconds?: number;
}

const JOB = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;

/**
 * prometheus.yml for a set of targets: one scrape job per job name (targets of a job share its
 * metrics path), each target labelled with its `system` so rules can ask "is every system of
 * this transition scraped?". Job order follows first appearance, so the text is stable.
 */
export function renderPrometheusConfig(
  targets: readonly ScrapeTarget[],
  options: PrometheusConfigOptions = {},
): string {
  const jobs = new Map<string, { path: string; targets: ScrapeTarget[] }>();
  targets.forEach((target, i) => {
    checkTarget(target, i);
    const path = target.path ?? "/metrics";
    const job = jobs.get(target.job);
    if (!job) {
      jobs.set(target.job, { path, targets: [target] });
    } else if (job.path !== path) {
      throw new Error(
        `endpoints[${i}].path = "${path}": job "${target.job}" already scrapes "${job.path}"; use one path per job or another job name`,
      );
    } else {
      job.targets.push(target);
    }
  });
  const config = {
    global: {
      scrape_interval: `${options.scrapeIntervalSeconds ?? 15}s`,
    },
    scrape_configs: [...jobs].map(([jobName, job]) => ({
      job_name: jobName,
      metrics_path: job.path,
      static_configs: job.targets.map((t) => ({
        targets: [t.address],
        labels: { system: t.system },
      })),
    })),
  };
  return stringify(config, { lineWidth: 0 });
}

function checkTarget(target: ScrapeTarget, index: number): void {
  if (!JOB.test(target.job)) {
    throw new Error(
      `endpoints[${index}].job = ${JSON.stringify(target.job)}: use letters, digits, '_' and '-', starting with a letter`,
    );
  }
  if (!HOST_PORT.test(target.address)) {
    throw new Error(
      `endpoints[${index}].address = ${JSON.stringify(target.address)}: must be host:port, e.g. "orders:8083"`,
    );
  }
  if (target.path !== undefined && !target.path.startsWith("/")) {
    throw new Error(
      `endpoints[${index}].path = ${JSON.stringify(target.path)}: must start with '/'`,
    );
  }
}
