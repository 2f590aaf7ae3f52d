/**
 * The stack edits a rollback drill makes inside a phase, the way a user would: which services an
 * update moves between platforms, api weights stepped toward a goal, entries of a
 * `stepwise:<map>` set and described.
 */
import { NEXT_SUFFIX } from "../../../migrations/program/topology";
import { classify, serviceOfWorkload, type ResourceView } from "../../../policies/classify";
import { afterOf, beforeOf } from "../../../policies/checks/plan-view";
import type { CheckedTransition } from "../../plan/plan-and-check";
import { configMap, setConfigEntry } from "../../stackfile/config-edit";

const ownerOf = (service: string): string =>
  service.endsWith(NEXT_SUFFIX) ? service.slice(0, -NEXT_SUFFIX.length) : service;

/** Where each service runs, and how many workloads it has there (S-next counts as S's). */
function servicePlatforms(
  resources: readonly ResourceView[],
): Map<string, { platform: string; workloads: number }> {
  const platforms = new Map<string, { platform: string; workloads: number }>();
  for (const resource of resources) {
    const { platform } = classify(resource);
    const service = platform && serviceOfWorkload(resource);
    if (!platform || !service) continue;
    const workloads = (platforms.get(ownerOf(service))?.workloads ?? 0) + 1;
    platforms.set(ownerOf(service), { platform, workloads });
  }
  return platforms;
}

/**
 * Services an update moves to another platform: name → [before, after], those with one
 * workload first (a service whose api canary runs beside it moves two at once).
 */
export function servicesMoved(transition: CheckedTransition): Map<string, [string, string]> {
  const steps = transition.plan.steps;
  const before = servicePlatforms(steps.flatMap((s) => beforeOf(s) ?? []));
  const after = servicePlatforms(steps.flatMap((s) => afterOf(s) ?? []));
  const moved = [...before]
    .filter(([service, was]) => {
      const is = after.get(service)?.platform;
      return is !== undefined && is !== was.platform;
    })
    .sort(([a, x], [b, y]) => x.workloads - y.workloads || a.localeCompare(b));
  return new Map(
    moved.map(([service, was]) => [service, [was.platform, after.get(service)?.platform ?? ""]]),
  );
}

/**
 * The weights of `stepwise:<map>` (apiWeights, monolithWeights) stepped from where they are
 * toward `goal`, or undefined once there.
 */
export function nextWeights(
  text: string,
  map: string,
  goal: number,
  step: number,
): Record<string, number> | undefined {
  const weights = configMap(text, map);
  const services = map === "apiWeights" ? configMap(text, "apiImages") : weights;
  const next: Record<string, number> = {};
  let moved = false;
  for (const service of Object.keys(services).sort()) {
    const current = typeof weights[service] === "number" ? weights[service] : goal;
    const delta = Math.max(-step, Math.min(step, goal - current));
    next[service] = current + delta;
    moved ||= delta !== 0;
  }
  return moved ? next : undefined;
}

export function withEntries(text: string, map: string, entries: Record<string, unknown>): string {
  return Object.entries(entries).reduce((t, [k, v]) => setConfigEntry(t, map, k, v), text);
}

/** `map.key: old -> new` for each entry the text's `stepwise:<map>` changes to. */
export function describeEntries(
  text: string,
  map: string,
  entries: Record<string, unknown>,
): string {
  const old = configMap(text, map);
  const shown = (value: unknown) =>
    value === undefined ? "unset" : typeof value === "string" ? value : JSON.stringify(value);
  return Object.entries(entries)
    .map(([k, v]) => `${map}.${k}: ${shown(old[k])} -> ${shown(v)}`)
    .join(", ");
}
