// One duration syntax for the whole project (a number and a unit: ms, s, m, h, d; or "0"), read
// by the program and the policy checks alike, so a minimum time one accepts the other can read.

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Longest time any setting may hold (ten years), as a duration or a count of days: far beyond
 * any rollback window, and it keeps every "wait until" date a real date.
 */
export const MAX_SETTING_DAYS = 3650;

/** "0", "90m", "24h", "7d" → milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "0") return 0;
  const match = DURATION.exec(trimmed);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_SETTING_DAYS * UNIT_MS.d ? ms : undefined;
}

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

const FUTURE_SKEW_MS = 5 * 60_000;

/** Whether an ISO time lies in the future (beyond a few minutes of clock skew). */
export function isInFuture(time: string, now: Date): boolean {
  const at = Date.parse(time);
  return !Number.isNaN(at) && at > now.getTime() + FUTURE_SKEW_MS;
}
