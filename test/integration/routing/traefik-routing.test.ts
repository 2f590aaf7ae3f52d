/**
 * Routing through a real Traefik (the binary test/engine/build-traefik.sh builds) with
 * stepwise's rendered file-provider configuration, in front of two small backends: "old"
 * (service product-catalog) and "new" (product-catalog-next). Every weight step is written into
 * the routes file and applied by Traefik's file watch, as on Compose; each check sends real
 * requests and counts who answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_FEATURE_FLAGS, type RouteSpec } from "../../../components/routing/route";
import { TraefikProcess, type RoutesInput } from "../../services/traefik";
import {
  failedStatuses,
  ImplementationBackend,
  sendOne,
  sendTraffic,
  sharePercent,
  type TrafficOptions,
} from "../support/traffic";

const ROUTE = "product-catalog";
const OLD = { implementation: "old", service: "product-catalog" } as const;
const NEW = { implementation: "new", service: "product-catalog-next" } as const;
/** Requests per step, and how many are in flight at once. */
const REQUESTS = 2_000;
const CONCURRENCY = 8;

/** The route with `newWeight` percent of its traffic on "new", the rest on "old". */
function route(newWeight: number, extra: Partial<RouteSpec> = {}): RouteSpec {
  return {
    name: ROUTE,
    backends: [
      { ...OLD, weight: 100 - newWeight },
      { ...NEW, weight: newWeight },
    ],
    ...extra,
  };
}

describe("routing through a real Traefik", () => {
  let traefik: TraefikProcess;
  let old: ImplementationBackend;
  let next: ImplementationBackend;
  let input: RoutesInput;
  const traffic = (options: Partial<TrafficOptions> = {}) =>
    sendTraffic({
      url: traefik.url,
      host: ROUTE,
      count: REQUESTS,
      concurrency: CONCURRENCY,
      ...options,
    });

  beforeAll(async () => {
    [old, next] = await Promise.all([
      ImplementationBackend.start(OLD.implementation),
      ImplementationBackend.start(NEW.implementation),
    ]);
    const urls: Record<string, string> = { [OLD.service]: old.url, [NEW.service]: next.url };
    input = {
      urlOf: (service) => urls[service] ?? `http://127.0.0.1:1/no-such-service/${service}`,
      health: { pathOf: () => "/health", interval: "1s", timeout: "1s" },
    };
    traefik = await TraefikProcess.start();
  });

  afterAll(async () => {
    await traefik?.stop();
    await Promise.all([old?.stop(), next?.stop()]);
  });

  it("splits requests within ±5 points of the configured weight at 0, 25, 50, 75 and 100", async () => {
    const observed: Record<number, number> = {};
    for (const weight of [0, 25, 50, 75, 100]) {
      await traefik.applyRoutes([route(weight)], input);
      const result = await traffic();
      expect(result.errors).toEqual([]);
      expect(failedStatuses(result)).toBe("");
      expect(result.latenciesMs).toHaveLength(REQUESTS);
      observed[weight] = sharePercent(result, NEW.implementation);
    }
    for (const [weight, share] of Object.entries(observed)) {
      expect(
        Math.abs(share - Number(weight)),
        `new at weight ${weight}: ${share} %`,
      ).toBeLessThanOrEqual(5);
    }
  });

  it("sends a request whose header or cookie names an implementation to it, whatever the weights", async () => {
    const forced = (value: string) => ({
      header: { [DEFAULT_FEATURE_FLAGS.header]: value },
      // Among other cookies, as a browser sends them.
      cookie: { cookie: `theme=dark; ${DEFAULT_FEATURE_FLAGS.cookie}=${value}; lang=en` },
    });
    for (const weight of [0, 100]) {
      await traefik.applyRoutes([route(weight)], input);
      for (const implementation of [OLD.implementation, NEW.implementation]) {
        for (const [flag, headers] of Object.entries(forced(implementation))) {
          const result = await traffic({ headers });
          expect(result.errors).toEqual([]);
          expect(
            sharePercent(result, implementation),
            `${flag} ${implementation} at new weight ${weight}`,
          ).toBe(100);
          expect(result.answeredBy.get(implementation)).toBe(REQUESTS);
        }
      }
      // A value naming no implementation, or one that only starts like a name, follows the weights.
      const weighted = weight === 0 ? OLD.implementation : NEW.implementation;
      for (const headers of [
        { [DEFAULT_FEATURE_FLAGS.header]: "newest" },
        { cookie: `${DEFAULT_FEATURE_FLAGS.cookie}=${weight === 0 ? "newer" : "older"}` },
        { cookie: `not-${DEFAULT_FEATURE_FLAGS.cookie}=${weight === 0 ? "new" : "old"}` },
      ]) {
        const result = await traffic({ headers, count: 200 });
        expect(sharePercent(result, weighted), JSON.stringify(headers)).toBe(100);
      }
    }
  });

  it("loses no request while the weights change under continuous load", async () => {
    await traefik.applyRoutes([route(0)], input);
    let stop = false;
    const load = traffic({ count: 1_000_000, until: () => stop });
    try {
      for (const weight of [25, 50, 75, 100, 50, 0]) {
        await traefik.applyRoutes([route(weight)], input);
        // Some traffic at each weight before the next rewrite.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      stop = true;
    }
    const result = await load;
    expect(result.errors).toEqual([]);
    expect(failedStatuses(result)).toBe("");
    expect(result.latenciesMs).toHaveLength(result.sent);
    // The load ran across the steps: both implementations answered part of it.
    expect(result.answeredBy.get(OLD.implementation) ?? 0).toBeGreaterThan(REQUESTS / 10);
    expect(result.answeredBy.get(NEW.implementation) ?? 0).toBeGreaterThan(REQUESTS / 10);
  });

  it("keeps a client that has the sticky cookie on one implementation", async () => {
    await traefik.applyRoutes([route(50, { sticky: true })], input);
    const cookieName = `stepwise-${ROUTE}`;
    const firstPicks = new Set<string>();
    for (let client = 0; client < 20; client++) {
      const first = await sendOne({ url: traefik.url, host: ROUTE });
      expect(first.status).toBe(200);
      const setCookie = (first.headers["set-cookie"] ?? []).find((c) =>
        c.startsWith(`${cookieName}=`),
      );
      expect(setCookie, `Set-Cookie ${cookieName} on the first answer`).toBeDefined();
      firstPicks.add(first.body);
      const result = await traffic({
        headers: { cookie: setCookie!.split(";")[0] },
        count: 100,
        concurrency: 4,
      });
      expect(result.errors).toEqual([]);
      expect([...result.answeredBy.keys()], `client ${client} first reached ${first.body}`).toEqual(
        [first.body],
      );
    }
    // At 50/50, clients without the cookie land on both: stickiness is what kept each on one.
    expect([...firstPicks].sort()).toEqual([NEW.implementation, OLD.implementation]);
  });

  it("mirrors copies of requests to new at weight 0 while every answer comes from old", async () => {
    await traefik.applyRoutes(
      [route(0, { mirror: { implementation: NEW.implementation, percent: 50 } })],
      input,
    );
    const before = { old: old.hits, next: next.hits };
    const result = await traffic();
    expect(result.errors).toEqual([]);
    expect(result.answeredBy.get(OLD.implementation)).toBe(REQUESTS);
    // Copies are sent in the background: wait until they stop arriving (at most 5 s).
    let seen = -1;
    for (let waited = 0; waited < 5_000 && next.hits !== seen; waited += 250) {
      seen = next.hits;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const copies = next.hits - before.next;
    expect(old.hits - before.old).toBe(REQUESTS);
    expect(copies, `copies at new of ${REQUESTS} requests mirrored at 50 %`).toBeGreaterThanOrEqual(
      REQUESTS * 0.4,
    );
    expect(copies).toBeLessThanOrEqual(REQUESTS * 0.6);
  });

  // Last: it stops a backend.
  it("reports a stopped backend through its health check and sends it no more traffic", async () => {
    await traefik.applyRoutes([route(50)], input);
    await traefik.waitForServerStatus(OLD.service, old.url, "UP");
    await traefik.waitForServerStatus(NEW.service, next.url, "UP");
    await old.stop();
    await traefik.waitForServerStatus(OLD.service, old.url, "DOWN");
    expect((await traefik.service(NEW.service))?.serverStatus?.[next.url]).toBe("UP");

    const result = await traffic();
    expect(result.errors).toEqual([]);
    expect(failedStatuses(result), traefik.logTail(5)).toBe("");
    expect(result.answeredBy.get(NEW.implementation)).toBe(REQUESTS);
  });
});
