import { describe, expect, it } from "vitest";
import { median, summarize, table } from "../../../bench/kafka-clients/summary";

describe("the Kafka clients bench's summary", () => {
  const rounds = [
    { base: { rate: 100, cpuMs: 10 }, other: { rate: 100, cpuMs: 5 } },
    { base: { rate: 200, cpuMs: 20 }, other: { rate: 100, cpuMs: 30 } },
    { base: { rate: 400, cpuMs: 40 }, other: { rate: 380, cpuMs: 30 } },
  ];

  it("takes the median of the rounds' own ratios, not the ratio of the medians", () => {
    const [base, other] = summarize(rounds, "base");
    expect(base).toMatchObject({ mode: "base", rate: 200, rateRatio: 1, cpuRatio: 1, rounds: 3 });
    // Round ratios 1, 0.5, 0.95 and 0.5, 1.5, 0.75; the medians' ratios would be 0.5 and 1.5.
    expect(other).toMatchObject({ rate: 100, cpuMs: 30, rateRatio: 0.95, cpuRatio: 0.75 });
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  it("refuses rounds without the baseline, naming the round and the mode", () => {
    expect(() => summarize([...rounds, { other: { rate: 1, cpuMs: 1 } }], "base")).toThrow(
      'round 4 has no "base" run',
    );
  });

  it("prints one table row per mode with both ratios", () => {
    const text = table(summarize(rounds, "base"), "base");
    expect(text.split("\n")).toHaveLength(4);
    expect(text).toContain("| other | 100 | 0.95× | 30.0 | 0.75× |");
  });
});
