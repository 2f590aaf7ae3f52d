import { describe, expect, it } from "vitest";
import {
  asLedger,
  durationMs,
  isDuration,
  ledgerFromConfig,
  minimumTimeFor,
  parseStackConfig,
  reconcileLedger,
  timeLeftInPhase,
  type Ledger,
} from "../../../migrations";

const config = parseStackConfig(
  {
    environment: "prod",
    phases: {
      events: "parallel",
      platform: "compose",
      database: "postgres",
      api: "old",
      consolidation: "microservices",
    },
    enteredAt: {
      events: "2026-11-25T00:00:00Z",
      platform: "2026-06-01T00:00:00Z",
      database: "2026-06-01T00:00:00Z",
      api: "2026-06-01T00:00:00Z",
      consolidation: "2026-06-01T00:00:00Z",
    },
    previousPhases: { events: "redpanda" },
    gates: {
      "compatibility-verified": { passed: true, recordedAt: "2026-11-24T00:00:00Z", detail: "ok" },
    },
    minimumTime: { default: "24h", events: "48h", "events.parallel": "72h" },
    databasePassword: "pw",
  },
  { services: ["orders"] },
);

describe("durations", () => {
  it.each([
    ["0", 0],
    ["45m", 45 * 60_000],
    ["24h", 86_400_000],
    ["7d", 7 * 86_400_000],
    ["1.5d", 1.5 * 86_400_000],
    ["90s", 90_000],
  ])("%s is %i ms", (text, ms) => {
    expect(isDuration(text)).toBe(true);
    expect(durationMs(text)).toBe(ms);
  });

  it.each(["", "1w", "h", "1d12h", "-1h"])("%j is refused", (text) => {
    expect(isDuration(text)).toBe(false);
    expect(() => durationMs(text)).toThrow("is not a duration");
  });
});

describe("ledger from stack config", () => {
  it("records every path with its phase, entry time, phase before and minimum time", () => {
    const ledger = ledgerFromConfig(config);
    expect(ledger.phases.events).toEqual({
      phase: "parallel",
      enteredAt: "2026-11-25T00:00:00Z",
      previous: "redpanda",
      minimumTime: "72h",
    });
    expect(ledger.phases.platform).toEqual({
      phase: "compose",
      enteredAt: "2026-06-01T00:00:00Z",
      minimumTime: "24h",
    });
    expect(Object.keys(ledger.phases)).toEqual([
      "events",
      "platform",
      "database",
      "api",
      "consolidation",
    ]);
    expect(ledger.gates["compatibility-verified"]?.passed).toBe(true);
  });

  it("takes the most specific minimum time", () => {
    const times = { default: "1h", events: "2h", "events.kafka-only": "3h" };
    expect(minimumTimeFor(times, "events", "kafka-only")).toBe("3h");
    expect(minimumTimeFor(times, "events", "parallel")).toBe("2h");
    expect(minimumTimeFor(times, "api", "canary")).toBe("1h");
    expect(minimumTimeFor({}, "api", "canary")).toBe("0");
  });

  it("counts the time left in a phase", () => {
    const record = { phase: "parallel", enteredAt: "2026-11-25T00:00:00Z", minimumTime: "72h" };
    expect(timeLeftInPhase(record, new Date("2026-11-26T00:00:00Z"))).toBe(48 * 3_600_000);
    expect(timeLeftInPhase(record, new Date("2026-12-01T00:00:00Z"))).toBe(0);
  });
});

describe("reconcileLedger", () => {
  const configured = ledgerFromConfig(config);

  it("keeps the config when nothing was deployed yet", () => {
    expect(reconcileLedger(configured, undefined)).toBe(configured);
  });

  it("takes `previous` from what is deployed when the phase changes, whatever the file says", () => {
    const deployed: Ledger = {
      phases: { events: { phase: "redpanda", enteredAt: "2026-06-01T00:00:00Z" } },
      gates: {},
    };
    const jumped = reconcileLedger(
      {
        ...configured,
        phases: {
          ...configured.phases,
          events: {
            phase: "dual-publish",
            enteredAt: "2026-11-26T00:00:00Z",
            previous: "parallel",
          },
        },
      },
      deployed,
    );
    expect(jumped.phases.events).toEqual({
      phase: "dual-publish",
      enteredAt: "2026-11-26T00:00:00Z",
      previous: "redpanda",
      // How long redpanda lasted is the deployed record's, not the file's, to say.
      previousEnteredAt: "2026-06-01T00:00:00Z",
    });
  });

  it("keeps the deployed entry time and phase before while the phase stays", () => {
    const deployed: Ledger = {
      phases: {
        events: { phase: "parallel", enteredAt: "2026-11-24T12:00:00Z", previous: "redpanda" },
      },
      gates: {},
    };
    expect(reconcileLedger(configured, deployed).phases.events).toEqual({
      phase: "parallel",
      minimumTime: "72h",
      enteredAt: "2026-11-24T12:00:00Z",
      previous: "redpanda",
    });
  });

  it("records an engine in use that the update moves, and nothing once it stays", () => {
    const external = { ...configured, engines: { redpanda: "external" } };
    const onK3s = { ...configured, engines: { redpanda: "k3s", kafka: "k3s" } };
    expect(reconcileLedger(onK3s, external).engineMoves).toEqual([
      { engine: "redpanda", from: "external", to: "k3s" },
    ]);
    expect(reconcileLedger(onK3s, onK3s).engineMoves).toBeUndefined();
    expect(reconcileLedger(onK3s, onK3s).engines).toEqual({ redpanda: "k3s", kafka: "k3s" });
  });

  it("reads a deployed ledger back from stack outputs, refusing what is not one", () => {
    expect(asLedger(undefined)).toBeUndefined();
    expect(asLedger("x")).toBeUndefined();
    expect(asLedger({ gates: {} })).toBeUndefined();
    expect(asLedger({ phases: {} })).toEqual({ phases: {}, gates: {} });
  });
});
