/**
 * From the rounds' measurements to the figures reported: each mode's throughput and client CPU
 * per message as ratios against the baseline mode of the same round, median over the rounds.
 * A round's ratio compares one moment of the machine, whose speed drifts between minutes.
 */

/** One mode's run in one round. */
export interface Run {
  /** Messages per second, wall clock of the produce loop. */
  readonly rate: number;
  /** Client CPU (user + system, all threads of this process) per 1,000 messages, in ms. */
  readonly cpuMs: number;
}

export type Round = Readonly<Record<string, Run>>;

export interface ModeSummary {
  readonly mode: string;
  readonly rate: number;
  readonly cpuMs: number;
  /** Median of the rounds' rate / baseline rate. */
  readonly rateRatio: number;
  /** Median of the rounds' CPU per message / baseline CPU per message. */
  readonly cpuRatio: number;
  readonly rounds: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Every mode of the rounds against `baseline`; a round without the baseline is an error. */
export function summarize(rounds: readonly Round[], baseline: string): ModeSummary[] {
  rounds.forEach((round, i) => {
    if (!round[baseline])
      throw new Error(`round ${i + 1} has no "${baseline}" run, the baseline of every ratio`);
  });
  const modes = [...new Set(rounds.flatMap((round) => Object.keys(round)))];
  return modes.map((mode) => {
    const runs = rounds.filter((round) => round[mode]);
    return {
      mode,
      rate: median(runs.map((round) => round[mode].rate)),
      cpuMs: median(runs.map((round) => round[mode].cpuMs)),
      rateRatio: median(runs.map((round) => round[mode].rate / round[baseline].rate)),
      cpuRatio: median(runs.map((round) => round[mode].cpuMs / round[baseline].cpuMs)),
      rounds: runs.length,
    };
  });
}

/** A Markdown table of the summaries, as docs/events-tooling.md shows them. */
export function table(summaries: readonly ModeSummary[], baseline: string): string {
  const rows = summaries.map(
    (s) =>
      `| ${s.mode} | ${s.rate.toFixed(0)} | ${s.rateRatio.toFixed(2)}× | ${s.cpuMs.toFixed(1)} | ${s.cpuRatio.toFixed(2)}× |`,
  );
  return [
    `| mode | msgs/s (median) | throughput vs ${baseline} | client CPU ms per 1k msgs | CPU/msg vs ${baseline} |`,
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}
