import { describe, expect, it } from "vitest";
import { platformEngineTargets } from "../../../migrations/program/system-metrics";
import type { Topology } from "../../../migrations/program/topology";

const scraped = (name: string) => ({ name, image: `${name}:1.0.0`, metrics: { port: 8080 } });

function topology(
  placement: Record<string, "compose" | "k3s">,
  engines: Topology["engines"],
): Topology {
  return {
    services: Object.keys(placement).map(scraped),
    placement,
    engines,
  } as unknown as Topology;
}

describe("platformEngineTargets", () => {
  it("adds nothing while every platform runs a scraped service", () => {
    expect(
      platformEngineTargets(
        topology({ orders: "compose", inventory: "k3s" }, { kafka: "compose", postgres: "k3s" }),
      ),
    ).toEqual([]);
  });

  it("labels a platform the services have left through an engine it still runs", () => {
    expect(
      platformEngineTargets(
        topology({ orders: "k3s" }, { redpanda: "compose", postgres: "compose", kafka: "k3s" }),
      ),
    ).toEqual([{ job: "platform-compose-postgres", platform: "compose", engineJob: "postgres" }]);
  });

  it("adds nothing for a platform that runs neither services nor engines", () => {
    expect(platformEngineTargets(topology({ orders: "k3s" }, { kafka: "k3s" }))).toEqual([]);
  });
});
