import type { HealthCheck } from "../service-spec";
import { compact, isRecord, shown, text, type ImportContext } from "./context";
import { composeDurationSeconds } from "./units";

/** What Docker uses for a field the healthcheck leaves out (the spec's own defaults differ). */
export const DOCKER_HEALTHCHECK_DEFAULTS = {
  intervalSeconds: 30,
  timeoutSeconds: 30,
  retries: 3,
  startPeriodSeconds: 0,
} as const;

const TIMINGS = ["interval", "timeout", "retries", "start_period"] as const;
const KNOWN = new Set(["test", "disable", "start_interval", ...TIMINGS]);

/**
 * A Compose `healthcheck:` as a spec health check with every timing explicit: what the file
 * leaves out takes Docker's default (30 s interval, 30 s timeout, 3 retries, no start period),
 * so the check behaves as it did under Compose rather than with the spec's shorter defaults.
 * A check with timings and no `test` changes the image's own HEALTHCHECK, whose command the file
 * does not hold: warned, with a to-do to copy the command in.
 */
export function healthCheck(
  value: unknown,
  at: string,
  ctx: ImportContext,
): HealthCheck | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    ctx.fail(at, `${shown(value)}: expected a mapping with test, interval, timeout, retries`);
    return undefined;
  }
  for (const key of Object.keys(value).filter((k) => !KNOWN.has(k))) {
    ctx.warn(`${at}.${key}`, `${shown(value[key])}: not carried over`);
  }
  if (value.start_interval !== undefined) {
    ctx.warn(
      `${at}.start_interval`,
      `${shown(value.start_interval)}: not carried over; checks run every interval from the start`,
    );
  }
  const test = value.test;
  if (value.disable === true || (Array.isArray(test) && test[0] === "NONE")) {
    ctx.warn(
      value.disable === true ? `${at}.disable` : `${at}.test`,
      "the image's own health check is turned off; the spec has none, but Docker still runs an image's HEALTHCHECK under ComposePlatform",
    );
    return undefined;
  }
  const timings = compact({
    // Docker reads 0 as "the default" for these two.
    intervalSeconds: seconds(value.interval, `${at}.interval`, ctx) || undefined,
    timeoutSeconds: seconds(value.timeout, `${at}.timeout`, ctx) || undefined,
    retries: retries(value.retries, `${at}.retries`, ctx),
    startPeriodSeconds: seconds(value.start_period, `${at}.start_period`, ctx),
  });
  if (test === undefined || test === null) {
    ctx.warn(
      at,
      `${shown(value)}: timings without a test change the image's own HEALTHCHECK, whose command is not in the file; not carried over`,
    );
    ctx.todo(
      at,
      "copy the image's HEALTHCHECK command (docker image inspect shows it) into healthCheck.command, with these timings",
    );
    return undefined;
  }
  const command = testCommand(test, `${at}.test`, ctx);
  if (command === undefined) return undefined;
  return { command, ...DOCKER_HEALTHCHECK_DEFAULTS, ...timings };
}

/** `test:` as an argument list: a string and CMD-SHELL run in `sh -c`, CMD as given. */
function testCommand(test: unknown, at: string, ctx: ImportContext): string[] | undefined {
  if (typeof test === "string" && test.trim() !== "") return ["sh", "-c", test];
  if (Array.isArray(test) && test[0] === "CMD" && test.length > 1) return test.slice(1).map(text);
  if (Array.isArray(test) && test[0] === "CMD-SHELL" && test.length === 2) {
    return ["sh", "-c", text(test[1])];
  }
  ctx.fail(
    at,
    `${shown(test)}: write it as a command string, ["CMD", "prog", "arg"], ["CMD-SHELL", "command"] or ["NONE"]`,
  );
  return undefined;
}

function seconds(value: unknown, at: string, ctx: ImportContext): number | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return composeDurationSeconds(text(value));
  } catch (error) {
    ctx.fail(at, (error as Error).message.replace(/^duration /, ""));
    return undefined;
  }
}

function retries(value: unknown, at: string, ctx: ImportContext): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 1) return n;
  ctx.fail(at, `${shown(value)}: give a whole number of at least 1`);
  return undefined;
}
