import { describe, expect, it } from "vitest";
import { MIGRATION_PATHS, PATH_IDS } from "../../../migrations";
import { applyPhaseStep, targetPhase } from "../../../tools/stackfile";

const STACK = `# dev stack
config:
  stepwise:environment: dev
  # where each path is
  stepwise:phases:
    events: parallel # Kafka beside Redpanda
    database: postgres
  stepwise:enteredAt:
    events: "2026-11-01T10:00:00.000Z"
    database: "2026-01-01T00:00:00.000Z"
  stepwise:previousPhases:
    events: redpanda
  stepwise:databasePassword:
    secure: v1:abc
`;
const NOW = new Date("2026-11-26T12:00:00.000Z");

describe("applyPhaseStep", () => {
  it("advances one path by one phase and changes exactly its three entries", () => {
    const { text, change } = applyPhaseStep(STACK, "events", "advance", NOW, "dev");
    expect(change).toEqual({
      path: "events",
      from: "parallel",
      to: "dual-publish",
      direction: "advance",
      enteredAt: "2026-11-26T12:00:00.000Z",
    });
    expect(text).toBe(
      STACK.replace("events: parallel #", "events: dual-publish #")
        .replace('events: "2026-11-01T10:00:00.000Z"', 'events: "2026-11-26T12:00:00.000Z"')
        .replace("events: redpanda", "events: parallel"),
    );
  });

  it("adds previousPhases for a path that had none, keeping comments", () => {
    const { text } = applyPhaseStep(STACK, "database", "advance", NOW, "dev");
    expect(text).toContain("# where each path is");
    expect(text).toContain(
      "    events: parallel # Kafka beside Redpanda\n    database: citus-provisioned\n",
    );
    expect(text).toContain(
      "  stepwise:previousPhases:\n    events: redpanda\n    database: postgres\n",
    );
  });

  it("rolls back to where the path's definition says", () => {
    const { change } = applyPhaseStep(STACK, "events", "rollback", NOW, "dev");
    expect([change.from, change.to]).toEqual(["parallel", "redpanda"]);
  });

  it("refuses impossible moves, naming the path and phases", () => {
    expect(() => applyPhaseStep(STACK, "database", "rollback", NOW, "dev")).toThrow(
      'path database is at its baseline "postgres"; nothing to roll back to',
    );
    expect(() => targetPhase("events", "redpanda-retired", "advance")).toThrow(
      'path events is at its last phase "redpanda-retired"',
    );
    expect(() => applyPhaseStep(STACK, "api", "advance", NOW, "dev")).toThrow(
      "dev: stepwise:phases.api is missing; set it to one of old, canary, new, old-retired",
    );
    expect(() => applyPhaseStep("config: [1", "api", "advance", NOW, "dev")).toThrow(
      /dev is not valid YAML/,
    );
  });

  it("has a rollback target for every phase but the baseline of every path", () => {
    for (const path of PATH_IDS) {
      const [baseline, ...rest] = MIGRATION_PATHS[path].phases;
      expect(() => targetPhase(path, baseline?.id ?? "", "rollback")).toThrow();
      for (const phase of rest)
        expect(targetPhase(path, phase.id, "rollback")).toBe(phase.rollbackTo);
    }
  });
});

describe("applyPhaseStep: the monolith weights (consolidation)", () => {
  const at = (phase: string) => `config:
  stepwise:phases:
    consolidation: ${phase}
  stepwise:enteredAt:
    consolidation: "2026-11-01T10:00:00.000Z"
  stepwise:monolithImage: firstviscount/modular-monolith:1.0.0 # the monolith
  stepwise:minimumTime:
    default: 4h
`;
  const weights = (share: number) =>
    `  stepwise:monolithWeights:\n    product-catalog: ${share}\n    orders: ${share}\n    inventory: ${share}\n`;
  const ABSORBED = ["product-catalog", "orders", "inventory"];
  const step = (text: string, direction: "advance" | "rollback") =>
    applyPhaseStep(text, "consolidation", direction, NOW, "dev", ABSORBED).text;
  const image = "  stepwise:monolithImage: firstviscount/modular-monolith:1.0.0 # the monolith\n";

  it("entering monolith-parallel, sets every absorbed service's weight to the share it left", () => {
    // From microservices the monolith serves nothing; back from the cutover, all of it.
    expect(step(at("microservices"), "advance")).toContain(`${image}${weights(0)}`);
    expect(step(at("modular-monolith"), "rollback")).toContain(`${image}${weights(100)}`);
  });

  it("leaving monolith-parallel either way, removes the weights; other phases have none", () => {
    const weighted = at("monolith-parallel").replace(image, `${image}${weights(75)}`);
    for (const direction of ["advance", "rollback"] as const) {
      const text = step(weighted, direction);
      expect(text).not.toContain("monolithWeights");
      expect(text).toContain(image);
      expect(text).toContain("  stepwise:minimumTime:\n    default: 4h\n");
    }
    expect(step(at("modular-monolith"), "advance")).not.toContain("monolithWeights");
  });

  it("refuses to enter monolith-parallel without the absorbed services, naming where they come from", () => {
    expect(() =>
      applyPhaseStep(at("microservices"), "consolidation", "advance", NOW, "dev"),
    ).toThrow(
      "consolidation microservices -> monolith-parallel sets stepwise:monolithWeights for the services the monolith absorbs, and none were given; the program names them (its absorbedServices output)",
    );
  });
});
