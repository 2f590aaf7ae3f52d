const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** A duration written as "0", "45m", "24h", "7d" or a combination such as "1d12h". */
export function isDuration(text: string): boolean {
  return text === "0" || (text !== "" && DURATION.test(text));
}

/** Milliseconds in a duration; an unreadable one is an error that shows the accepted forms. */
export function durationMs(text: string): number {
  const match = text === "0" ? ["0"] : DURATION.exec(text);
  if (!match || text === "") {
    throw new Error(`"${text}" is not a duration; write e.g. "0", "45m", "24h", "7d" or "1d12h"`);
  }
  const [, d, h, m, s] = match;
  return (
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s
  );
}
