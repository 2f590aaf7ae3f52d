/**
 * Router overhead: requests per second and latency through a real Traefik (the binary
 * test/engine/build-traefik.sh builds, with stepwise's rendered file-provider configuration and
 * the backend's health check, as on Compose) against the same requests straight to the backend,
 * same run. One small Node HTTP backend answers both; the route sends it 100 % of its traffic.
 *
 * The load comes from this process: keep-alive connections, CONCURRENCY requests in flight,
 * REQUESTS per round. A warm-up of each (not counted), then ROUNDS rounds alternated so that
 * drift of this shared machine's speed hits both sides alike. Requests/s is the median of the
 * rounds; p50 and p99 are over every counted request. Client, router and backend share the
 * machine's cores, so the ratios describe this machine, not a dedicated router; no goal is set.
 */
import { TraefikProcess } from "../test/services/traefik";
import {
  failedStatuses,
  ImplementationBackend,
  percentile,
  sendTraffic,
  type TrafficResult,
} from "../test/integration/support/traffic";
import { against, type Bench, type BenchResult } from "./result";

const REQUESTS = Number(process.env.ROUTER_BENCH_REQUESTS ?? 10_000);
const CONCURRENCY = Number(process.env.ROUTER_BENCH_CONCURRENCY ?? 16);
const ROUNDS = 3;
const ROUTE = "product-catalog";

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function checked(side: string, result: TrafficResult): TrafficResult {
  const failed = failedStatuses(result);
  const answered = result.answeredBy.get("old") ?? 0;
  if (result.errors.length > 0 || failed || answered !== result.sent) {
    throw new Error(
      `${side}: ${answered} of ${result.sent} answered by the backend; ` +
        `statuses ${failed || "all 2xx"}; errors ${result.errors.slice(0, 3).join("; ") || "none"}`,
    );
  }
  return result;
}

export const run: Bench = async (log) => {
  const backend = await ImplementationBackend.start("old");
  const traefik = await TraefikProcess.start();
  try {
    await traefik.applyRoutes(
      [
        {
          name: ROUTE,
          backends: [{ implementation: "old", service: "product-catalog", weight: 100 }],
        },
      ],
      {
        urlOf: () => backend.url,
        health: { pathOf: () => "/health" },
      },
    );
    const sides = {
      direct: () => sendTraffic({ url: backend.url, count: REQUESTS, concurrency: CONCURRENCY }),
      router: () =>
        sendTraffic({ url: traefik.url, host: ROUTE, count: REQUESTS, concurrency: CONCURRENCY }),
    };
    checked("direct warm-up", await sides.direct());
    checked("router warm-up", await sides.router());

    const rps = { direct: [] as number[], router: [] as number[] };
    const latencies = { direct: [] as number[], router: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of ["direct", "router"] as const) {
        const result = checked(side, await sides[side]());
        rps[side].push(result.sent / result.seconds);
        latencies[side].push(...result.latenciesMs);
      }
      log(
        `round ${round + 1}: direct ${rps.direct[round].toFixed(0)} req/s, ` +
          `router ${rps.router[round].toFixed(0)} req/s`,
      );
    }
    log(`${ROUNDS} rounds of ${REQUESTS} requests per side, ${CONCURRENCY} in flight, keep-alive`);

    const results: BenchResult[] = [];
    const directRps = median(rps.direct);
    results.push({ name: "direct requests/s (median round)", value: directRps, unit: "req/s" });
    results.push(
      against("router requests/s (median round)", median(rps.router), "req/s", {
        name: "direct",
        value: directRps,
      }),
    );
    for (const p of [50, 99]) {
      const direct = percentile(latencies.direct, p);
      results.push({ name: `direct p${p} latency`, value: direct, unit: "ms" });
      results.push(
        against(`router p${p} latency`, percentile(latencies.router, p), "ms", {
          name: `direct p${p}`,
          value: direct,
        }),
      );
    }
    return results;
  } finally {
    await traefik.stop();
    await backend.stop();
  }
};
