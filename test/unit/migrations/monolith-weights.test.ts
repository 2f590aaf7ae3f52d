import { describe, expect, it } from "vitest";
import { parseStackConfig, StackConfigError, type StackConfig } from "../../../migrations";
import { MONOLITH_SERVICE } from "../../../migrations/program";
import { SEED_COORDINATION, SEED_SERVICES } from "../../support/seed-platform";

// The program's services and the monolith, as the program gives them to the config.
const SERVICES = [...SEED_SERVICES.map((s) => s.name), MONOLITH_SERVICE];
const AT = "2026-11-20T09:00:00Z";

function parse(consolidation: string, monolithWeights: unknown): StackConfig {
  return parseStackConfig(
    {
      environment: "staging",
      phases: {
        events: "redpanda",
        platform: "compose",
        database: "postgres",
        api: "old",
        consolidation,
      },
      enteredAt: { events: AT, platform: AT, database: AT, api: AT, consolidation: AT },
      databasePassword: "s3cret-pw",
      monolithImage: "firstviscount/modular-monolith:1.0.0",
      ...(monolithWeights === undefined ? {} : { monolithWeights }),
    },
    { services: SERVICES, coordinationService: SEED_COORDINATION },
  );
}

/** Asserts the config is refused with exactly `problems`, each naming its key. */
function expectRefused(consolidation: string, weights: unknown, problems: string[]): void {
  expect(() => parse(consolidation, weights)).toThrow(
    expect.objectContaining({ name: StackConfigError.name, problems }) as Error,
  );
}

describe("stepwise:monolithWeights", () => {
  it("takes whole percents for services the monolith absorbs, at monolith-parallel", () => {
    expect(parse("monolith-parallel", { orders: 25, inventory: 100 }).monolithWeights).toEqual({
      orders: 25,
      inventory: 100,
    });
    // Left out: no service's traffic goes to the monolith yet.
    expect(parse("monolith-parallel", undefined).monolithWeights).toEqual({});
  });

  it.each([
    [150, "must be a whole number from 0 to 100"],
    [-5, "must be a whole number from 0 to 100"],
    [12.5, "must be a whole number from 0 to 100"],
    ["half", "must be a number from 0 to 100"],
  ])("refuses the weight %j, naming the field and the value", (weight, why) => {
    expectRefused("monolith-parallel", { orders: weight }, [
      `stepwise:monolithWeights.orders = ${JSON.stringify(weight)}: ${why}`,
    ]);
  });

  it("refuses a map of something else", () => {
    expectRefused(
      "monolith-parallel",
      [25],
      ["stepwise:monolithWeights = [25]: must be a map of service to weight"],
    );
  });

  it("refuses services the monolith does not absorb: coordination, itself, unknown ones", () => {
    expectRefused(
      "monolith-parallel",
      {
        "platform-coordination": 10,
        "modular-monolith": 10,
        ordrs: 10,
      },
      [
        "stepwise:monolithWeights.platform-coordination = 10: platform-coordination is not a service the monolith absorbs; give weights for product-catalog, orders, inventory",
        "stepwise:monolithWeights.modular-monolith = 10: modular-monolith is not a service the monolith absorbs; give weights for product-catalog, orders, inventory",
        "stepwise:monolithWeights.ordrs = 10: ordrs is not a service the monolith absorbs; give weights for product-catalog, orders, inventory",
      ],
    );
  });

  it.each([
    ["microservices", 0],
    ["modular-monolith", 100],
    ["services-retired", 100],
  ])("refuses weights at %s, which fixes the monolith's share at %s%%", (phase, share) => {
    expectRefused(phase, { orders: 75 }, [
      `stepwise:monolithWeights.orders = 75: consolidation phase "${phase}" fixes the monolith's share at ${share}%; monolith weights apply only at "monolith-parallel", so remove them (stepwise advance and rollback do)`,
    ]);
  });
});
