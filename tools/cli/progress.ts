/**
 * A progress display for long runs, on stderr so stdout stays clean for results (and --json):
 * one line rewritten in place on a terminal; on a pipe or CI log, a plain line every few
 * seconds and one at the end.
 */

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** @default process.stderr */
  readonly stream?: ProgressSink;
  /** Minimum time between plain lines when not on a terminal. @default 5000 */
  readonly plainIntervalMs?: number;
  /** Minimum time between redraws on a terminal. @default 100 */
  readonly ttyIntervalMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface Progress {
  /** Reports `done` of `total` units (total unknown: leave it out). */
  update(done: number, total?: number): void;
  /** Ends the display with a final line. */
  finish(summary?: string): void;
}

/** One status line: "label: 40/100 (40%), 12.5/s, about 5 s left". Pure, for tests. */
export function formatProgress(
  label: string,
  done: number,
  total: number | undefined,
  elapsedMs: number,
): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const parts = [total === undefined ? `${done}` : `${done}/${total} (${percent(done, total)})`];
  if (elapsedMs >= 1000 && rate > 0) parts.push(`${formatRate(rate)}/s`);
  if (total !== undefined && rate > 0 && done < total)
    parts.push(`about ${formatDuration(((total - done) / rate) * 1000)} left`);
  return `${label}: ${parts.join(", ")}`;
}

export function createProgress(label: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const interval = tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 5000);
  const started = now();
  let lastDraw = -Infinity;
  let last: { done: number; total?: number } = { done: 0 };
  const draw = (line: string) => stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  return {
    update(done, total) {
      last = { done, total };
      const at = now();
      if (at - lastDraw < interval) return;
      lastDraw = at;
      draw(formatProgress(label, done, total, at - started));
    },
    finish(summary) {
      const line = formatProgress(label, last.done, last.total, now() - started);
      draw(summary ? `${line} — ${summary}` : line);
      if (tty) stream.write("\n");
    },
  };
}

function percent(done: number, total: number): string {
  return total === 0 ? "100%" : `${Math.floor((done / total) * 100)}%`;
}

function formatRate(rate: number): string {
  return rate >= 100 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1);
}

function formatDuration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}
