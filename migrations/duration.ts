import { MAX_SETTING_DAYS, parseDuration } from "../policies/config";

// One duration syntax for the whole project: the policy pack's (a number and a unit: ms, s, m,
// h, d; or "0"), so a minimum time the program accepts is one the checks can read.

/** A duration written as "0", "45m", "24h", "7d" or "1.5d", at most MAX_SETTING_DAYS. */
export function isDuration(text: string): boolean {
  return parseDuration(text) !== undefined;
}

/** Milliseconds in a duration; an unreadable one is an error that shows the accepted forms. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new Error(
      `"${text}" is not a duration; write e.g. "0", "45m", "24h", "7d" or "1.5d" (at most ${MAX_SETTING_DAYS}d)`,
    );
  }
  return ms;
}
