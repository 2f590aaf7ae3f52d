import { resourcesAfter, resourcesBefore } from "../../policies/checks/plan-view";
import { servingOn, sideTraffic, type Serving } from "../../policies/checks/traffic";
import { implementationOf } from "../../migrations/program/routes";
import type { Plan } from "../../migrations/plan-model";

/** One implementation's share of a route on both sides of a plan (0: it serves none). */
export interface RouteShare {
  /** Its name in the route (the feature-flag value): old, new or monolith. */
  readonly implementation: string;
  /** The workload that runs it. */
  readonly service: string;
  readonly before: number;
  readonly after: number;
}

/** Who answers a routed service's requests before and after the change. */
export interface RouteTraffic {
  readonly route: string;
  readonly shares: readonly RouteShare[];
  readonly changed: boolean;
}

/**
 * Every route a router splits on either side of the plan, with the shares the routers' own
 * configuration gives (what traffic-weight-step judges): what a user's request will hit.
 */
export function routeTraffic(plan: Plan): RouteTraffic[] {
  const before = sideTraffic(resourcesBefore(plan));
  const after = sideTraffic(resourcesAfter(plan));
  const routes = [...new Set([...before.routed.keys(), ...after.routed.keys()])].sort();
  return routes.map((route) => {
    const was = servingOn(before, route) ?? new Map<string, Serving>();
    const is = servingOn(after, route) ?? new Map<string, Serving>();
    const services = [...new Set([...was.keys(), ...is.keys()])];
    const shares = services
      .map((service) => ({
        implementation: implementationOf(route, service, services),
        service,
        before: was.get(service)?.share ?? 0,
        after: is.get(service)?.share ?? 0,
      }))
      .sort((a, b) => rank(a) - rank(b) || a.implementation.localeCompare(b.implementation));
    return { route, shares, changed: shares.some((s) => s.before !== s.after) };
  });
}

/** Old first, then its successors; anything else after them. */
const ORDER = ["old", "new", "monolith"];
const rank = (share: RouteShare) =>
  ORDER.includes(share.implementation) ? ORDER.indexOf(share.implementation) : ORDER.length;

/** `old 75 % → 50 %, new 25 % → 50 %`, or `old 75 %, new 25 %` when nothing moves. */
export function describeShares(traffic: RouteTraffic): string {
  const percent = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(2)} %`;
  return traffic.shares
    .map((s) =>
      s.before === s.after
        ? `${s.implementation} ${percent(s.after)}`
        : `${s.implementation} ${percent(s.before)} → ${percent(s.after)}`,
    )
    .join(", ");
}
