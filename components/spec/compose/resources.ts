import type { ServiceResources } from "../service-spec";
import { compact, isRecord, shown, text, type ImportContext, type Raw } from "./context";
import { mebibytes } from "./units";

/**
 * CPU and memory: `deploy.resources.limits` and the v2 keys `cpus` / `mem_limit` become the
 * spec's limits, `deploy.resources.reservations` and `mem_reservation` its requests. Where both
 * forms give one amount and disagree, the deploy form wins with a warning. Other knobs
 * (`cpu_shares`, `memswap_limit`, `pids`, devices) are warned.
 */
export function resources(
  service: Raw,
  at: string,
  ctx: ImportContext,
): ServiceResources | undefined {
  const deploy = isRecord(service.deploy) ? service.deploy : {};
  const res = isRecord(deploy.resources) ? deploy.resources : {};
  const where = `${at}.deploy.resources`;
  for (const key of Object.keys(res).filter((k) => k !== "limits" && k !== "reservations")) {
    ctx.warn(`${where}.${key}`, `${shown(res[key])}: not carried over`);
  }
  const limits = amounts(res.limits, `${where}.limits`, ctx);
  const reservations = amounts(res.reservations, `${where}.reservations`, ctx);
  const cpu = pick(limits.cpu, cores(service.cpus, `${at}.cpus`, ctx), `${where}.limits.cpus`, ctx);
  const memoryMiB = pick(
    limits.memoryMiB,
    memory(service.mem_limit, `${at}.mem_limit`, ctx),
    `${where}.limits.memory`,
    ctx,
  );
  const memoryRequestMiB = pick(
    reservations.memoryMiB,
    memory(service.mem_reservation, `${at}.mem_reservation`, ctx),
    `${where}.reservations.memory`,
    ctx,
  );
  const result: { -readonly [K in keyof ServiceResources]: ServiceResources[K] } = compact({
    cpu,
    memoryMiB,
    cpuRequest: reservations.cpu,
    memoryRequestMiB,
  });
  const over = (request: number | undefined, limit: number | undefined, key: string) => {
    if (request === undefined || limit === undefined || request <= limit) return false;
    const unit = key === "cpus" ? " cores" : " MiB";
    ctx.fail(
      `${where}.reservations.${key}`,
      `${request}${unit} is more than the limit, ${limit}${unit}; a reservation cannot exceed its limit`,
    );
    return true;
  };
  // Reported once, here, where the Compose key is known.
  if (over(result.cpuRequest, result.cpu, "cpus")) delete result.cpuRequest;
  if (over(result.memoryRequestMiB, result.memoryMiB, "memory")) delete result.memoryRequestMiB;
  return Object.keys(result).length === 0 ? undefined : result;
}

/** Service keys this module reads, besides `deploy.resources`. */
export const RESOURCE_KEYS = ["cpus", "mem_limit", "mem_reservation"] as const;

function amounts(
  value: unknown,
  at: string,
  ctx: ImportContext,
): { cpu?: number; memoryMiB?: number } {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    ctx.fail(at, `${shown(value)}: expected a mapping with cpus and memory`);
    return {};
  }
  for (const key of Object.keys(value).filter((k) => k !== "cpus" && k !== "memory")) {
    ctx.warn(`${at}.${key}`, `${shown(value[key])}: not carried over`);
  }
  return compact({
    cpu: cores(value.cpus, `${at}.cpus`, ctx),
    memoryMiB: memory(value.memory, `${at}.memory`, ctx),
  });
}

function cores(value: unknown, at: string, ctx: ImportContext): number | undefined {
  if (value === undefined || value === null) return undefined;
  const cpu = Number(value);
  if (cpu > 0) return cpu;
  ctx.fail(at, `${shown(value)}: give cores as a number greater than 0, e.g. "0.5"`);
  return undefined;
}

function memory(value: unknown, at: string, ctx: ImportContext): number | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    const mib = mebibytes(text(value));
    if (mib > 0) return mib;
  } catch {
    // reported below
  }
  ctx.fail(at, `${shown(value)}: write it like "512M", "1G" or "512MiB" (at least 1 MiB)`);
  return undefined;
}

/** The deploy form's amount, else the v2 key's; a disagreement is warned. */
function pick(
  deploy: number | undefined,
  v2: number | undefined,
  at: string,
  ctx: ImportContext,
): number | undefined {
  if (deploy !== undefined && v2 !== undefined && deploy !== v2) {
    ctx.warn(at, `${deploy} differs from the v2 key's ${v2}; the deploy form is used`);
  }
  return deploy ?? v2;
}
