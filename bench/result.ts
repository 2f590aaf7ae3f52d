/** One measured figure; ratios are against a baseline measured in the same run. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The same-run baseline this figure is compared with, if any. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline (or as the bench defines it), when a baseline exists. */
  readonly ratio?: number;
  /** The goal in words, e.g. "≥ 0.85× baseline". */
  readonly goal?: string;
  readonly met?: boolean;
}

/** A figure compared with a same-run baseline: the ratio is value / baseline. */
export function against(
  name: string,
  value: number,
  unit: string,
  baseline: { readonly name: string; readonly value: number },
): BenchResult {
  return { name, value, unit, baseline, ratio: value / baseline.value };
}

/** A benchmark module in bench/*.bench.ts exports `run`. */
export type Bench = (log: (line: string) => void) => Promise<BenchResult[]>;
