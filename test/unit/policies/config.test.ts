import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../migrations/duration";
import {
  PolicyConfigError,
  resolvePolicySettings,
  stackPolicyInput,
} from "../../../policies/config";
import { RULE_IDS } from "../../../policies/rules";

function problemsOf(raw: unknown, stack?: string): string[] {
  try {
    resolvePolicySettings(raw, stack === undefined ? {} : { stack });
  } catch (error) {
    if (error instanceof PolicyConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a PolicyConfigError");
}

describe("resolvePolicySettings", () => {
  it("gives prod every rule mandatory, 24h minimum, 25-point step, 30-day window", () => {
    const settings = resolvePolicySettings(undefined, { stack: "prod" });
    expect(settings).toEqual({
      environment: "prod",
      levels: Object.fromEntries(RULE_IDS.map((id) => [id, "mandatory"])),
      weightStep: 25,
      rollbackWindowDays: 30,
      rollbackDrillMaxAgeDays: 7,
      minimumPhaseTimeMs: 24 * 3_600_000,
      allowMultiplePaths: false,
      statefulTypes: [],
      statelessTypes: [],
    });
  });

  it("takes the stack's stateful and stateless type tokens, and names a bad one", () => {
    const settings = resolvePolicySettings(
      { statefulTypes: ["myco:index:Ledger"], statelessTypes: ["aws:ecs/capacityQueue:Queue"] },
      { stack: "dev" },
    );
    expect(settings.statefulTypes).toEqual(["myco:index:Ledger"]);
    expect(settings.statelessTypes).toEqual(["aws:ecs/capacityQueue:Queue"]);
    expect(() =>
      resolvePolicySettings({ statefulTypes: ["rds instance"] }, { stack: "dev" }),
    ).toThrow(
      'stepwise:policy.statefulTypes.0: bad type token "rds instance"; write it as the engine prints it, e.g. "aws:rds/instance:Instance"',
    );
  });

  it("gives dev no minimum time, advisory big-bang rules and no prod-only rules", () => {
    const settings = resolvePolicySettings({}, { stack: "org/dev" });
    expect(settings.environment).toBe("dev");
    expect(settings.minimumPhaseTimeMs).toBe(0);
    expect(settings.levels["one-phase-step"]).toBe("advisory");
    expect(settings.levels["no-plaintext-secrets"]).toBe("mandatory");
    expect(settings.levels["k3s-prod-workloads"]).toBe("disabled");
    expect(settings.levels["rollback-drill-recent"]).toBe("disabled");
  });

  it("lets a stack override levels, step, window, minimum time (flat or per environment)", () => {
    const settings = resolvePolicySettings(
      {
        environment: "staging",
        levels: { "traffic-weight-step": "advisory" },
        weightStep: 10,
        rollbackWindowDays: 14,
        minimumPhaseTime: { staging: "90m", prod: "2d" },
        allowMultiplePaths: true,
      },
      { stack: "qa" },
    );
    expect(settings.environment).toBe("staging");
    expect(settings.levels["traffic-weight-step"]).toBe("advisory");
    expect(settings.levels["one-phase-step"]).toBe("mandatory");
    expect(settings.weightStep).toBe(10);
    expect(settings.rollbackWindowDays).toBe(14);
    expect(settings.minimumPhaseTimeMs).toBe(90 * 60_000);
    expect(settings.allowMultiplePaths).toBe(true);
    expect(
      resolvePolicySettings({ minimumPhaseTime: "7d" }, { stack: "dev" }).minimumPhaseTimeMs,
    ).toBe(7 * 86_400_000);
  });

  it("names an unknown rule id and lists the valid ones", () => {
    expect(problemsOf({ levels: { "no-bigbang": "mandatory" } }, "prod")).toEqual([
      `stepwise:policy.levels.no-bigbang: unknown rule id "no-bigbang"; valid ids: ${RULE_IDS.join(", ")}`,
    ]);
  });

  it("names a bad level and lists the valid ones", () => {
    expect(problemsOf({ levels: { "one-phase-step": "block" } }, "prod")).toEqual([
      `stepwise:policy.levels.one-phase-step: bad level "block"; valid levels: mandatory, advisory, disabled`,
    ]);
  });

  it("names a bad duration and shows how to write one", () => {
    expect(problemsOf({ minimumPhaseTime: "one day" }, "prod")).toEqual([
      `stepwise:policy.minimumPhaseTime: bad duration "one day"; write a number and a unit (ms, s, m, h, d), e.g. "24h", "30m", "7d" or "0", at most 3650d`,
    ]);
    expect(problemsOf({ minimumPhaseTime: { prod: "24 hours" } }, "prod")).toEqual([
      `stepwise:policy.minimumPhaseTime.prod: bad duration "24 hours"; write a number and a unit (ms, s, m, h, d), e.g. "24h", "30m", "7d" or "0", at most 3650d`,
    ]);
  });

  it("asks for an environment when the stack is not named after one", () => {
    expect(problemsOf({}, "feature-x")).toEqual([
      `stepwise:policy.environment: missing, and stack "feature-x" is not named after one; set it to one of dev, staging, prod`,
    ]);
    expect(problemsOf({ environment: "production" }, "prod")).toEqual([
      `stepwise:policy.environment: bad environment "production"; valid environments: dev, staging, prod`,
    ]);
  });

  it("refuses unknown keys, out-of-range numbers and non-objects, reporting every problem", () => {
    const problems = problemsOf(
      { weightStep: 0, rollbackWindow: 30, allowMultiplePaths: "yes" },
      "prod",
    );
    expect(problems).toEqual([
      "stepwise:policy.weightStep: Too small: expected number to be >=1 (got 0)",
      'stepwise:policy.allowMultiplePaths: Invalid input: expected boolean, received string (got "yes")',
      'stepwise:policy: Unrecognized key: "rollbackWindow"; valid keys: environment, levels, weightStep, rollbackWindowDays, rollbackDrillMaxAgeDays, minimumPhaseTime, allowMultiplePaths, statefulTypes, statelessTypes',
    ]);
    expect(problemsOf("strict", "prod")).toEqual([
      `stepwise:policy: expected an object, got "strict"; write e.g. { environment: prod, weightStep: 25 }`,
    ]);
  });

  it("joins every problem into one message for printing", () => {
    expect(() =>
      resolvePolicySettings({ weightStep: 200, levels: { x: "mandatory" } }, { stack: "prod" }),
    ).toThrow(/^invalid policy settings:\n {2}stepwise:policy\.levels\.x: unknown rule id "x"/);
  });
});

describe("stackPolicyInput", () => {
  it.each([
    [
      "the stack's environment when the policy names none",
      { "stepwise:environment": "staging" },
      { environment: "staging" },
    ],
    [
      "the policy's own environment over the stack's",
      {
        "stepwise:environment": "staging",
        "stepwise:policy": { environment: "prod", weightStep: 10 },
      },
      { environment: "prod", weightStep: 10 },
    ],
    [
      "a plan's config, where maps are JSON text",
      { "stepwise:environment": "dev", "stepwise:policy": '{"weightStep":5}' },
      { environment: "dev", weightStep: 5 },
    ],
    ["a policy that is not a map, for the schema to refuse", { "stepwise:policy": 7 }, 7],
  ])("gives %s", (_case, config, expected) => {
    expect(stackPolicyInput(config)).toEqual(expected);
  });
});

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["500ms", 500],
    ["30s", 30_000],
    ["90m", 5_400_000],
    ["24h", 86_400_000],
    ["1.5d", 129_600_000],
    ["24 h", 86_400_000],
  ])("%s → %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "24", "h", "one day", "-1h", "1w"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
