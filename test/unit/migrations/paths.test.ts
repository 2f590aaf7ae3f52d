import { describe, expect, it } from "vitest";
import {
  GATE_IDS,
  MIGRATION_PATHS,
  PATH_IDS,
  baselinePhase,
  cutoverPhase,
  gatesToEnter,
  isForward,
  datalessRollbackSystem,
  nextPhase,
  pathById,
  phaseIndex,
  previousPhase,
  rollbackTarget,
  stepsBetween,
  systemReceivedWrites,
  type MigrationPath,
} from "../../../migrations";

const paths: MigrationPath[] = Object.values(MIGRATION_PATHS);

describe("migration path definitions", () => {
  it("define the five paths, keyed by their own id", () => {
    expect(PATH_IDS).toEqual(["events", "platform", "database", "api", "consolidation"]);
    for (const id of PATH_IDS) expect(MIGRATION_PATHS[id].id).toBe(id);
  });

  it.each(paths)("$id: every phase is reachable from the baseline one step at a time", (path) => {
    const visited = [baselinePhase(path)];
    for (let phase = nextPhase(path, visited[0] ?? ""); phase; phase = nextPhase(path, phase)) {
      visited.push(phase);
    }
    expect(visited).toEqual(path.phases.map((p) => p.id));
    expect(new Set(visited).size).toBe(visited.length);
  });

  it.each(paths)(
    "$id: every rollback goes exactly one step back; the baseline has none",
    (path) => {
      path.phases.forEach((phase, index) => {
        if (index === 0) expect(phase.rollbackTo).toBeUndefined();
        else expect(phase.rollbackTo).toBe(path.phases[index - 1]?.id);
      });
    },
  );

  it.each(paths)("$id: gates name real checks", (path) => {
    for (const phase of path.phases) {
      for (const gate of phase.gates) expect(GATE_IDS).toContain(gate);
    }
  });

  it.each(paths)("$id: one cutover, then a retirement that is the last phase", (path) => {
    expect(path.phases.filter((p) => p.cutover === true)).toHaveLength(1);
    const retirements = path.phases.filter((p) => p.retirement === true);
    expect(retirements).toEqual([path.phases.at(-1)]);
    expect(phaseIndex(path, cutoverPhase(path))).toBe(path.phases.length - 2);
  });

  it.each(paths)("$id: what a phase deploys matches which systems run", (path) => {
    for (const phase of path.phases) {
      const expected = {
        old: [path.oldSystem],
        both: [path.oldSystem, path.newSystem],
        new: [path.newSystem],
      }[phase.systems];
      expect([...phase.wiring.deployed].sort(), `${path.id}.${phase.id}`).toEqual(
        [...expected].sort(),
      );
      for (const target of [...(phase.wiring.writeTo ?? []), phase.wiring.readFrom ?? []].flat()) {
        expect(
          phase.wiring.deployed,
          `${path.id}.${phase.id} points clients at ${target}`,
        ).toContain(target);
      }
    }
  });

  it("events: wiring moves producers, then consumers, then stops publishing to Redpanda", () => {
    expect(
      MIGRATION_PATHS.events.phases.map((p) => [p.id, p.wiring.writeTo, p.wiring.readFrom]),
    ).toEqual([
      ["redpanda", ["redpanda"], "redpanda"],
      ["parallel", ["redpanda"], "redpanda"],
      ["dual-publish", ["redpanda", "kafka"], "redpanda"],
      ["consumers-on-kafka", ["redpanda", "kafka"], "kafka"],
      ["kafka-only", ["kafka"], "kafka"],
      ["redpanda-retired", ["kafka"], "kafka"],
    ]);
  });

  it("gates sit where each migration needs its evidence", () => {
    expect(gatesToEnter("events", "parallel")).toEqual(["compatibility-verified"]);
    expect(gatesToEnter("events", "consumers-on-kafka")).toEqual(["offsets-migrated"]);
    expect(gatesToEnter("database", "citus-provisioned")).toEqual(["data-model-reviewed"]);
    expect(gatesToEnter("database", "verified")).toEqual(["data-verified"]);
    expect(gatesToEnter("database", "citus-primary")).toEqual(["data-verified"]);
  });
});

describe("path helpers", () => {
  it.each([
    ["events", "redpanda", "parallel", 1, true],
    ["events", "kafka-only", "consumers-on-kafka", -1, false],
    ["database", "postgres", "verified", 3, true],
    ["api", "new", "new", 0, false],
  ] as const)("%s: %s -> %s is %i steps", (path, from, to, steps, forward) => {
    expect(stepsBetween(path, from, to)).toBe(steps);
    expect(isForward(path, from, to)).toBe(forward);
  });

  it("give the neighbours and rollback target of a phase", () => {
    expect(nextPhase("platform", "compose")).toBe("coordination-on-k3s");
    expect(nextPhase("platform", "compose-retired")).toBeUndefined();
    expect(previousPhase("platform", "compose")).toBeUndefined();
    expect(previousPhase("platform", "k3s")).toBe("services-moving");
    expect(rollbackTarget("api", "canary")).toBe("old");
    expect(rollbackTarget(MIGRATION_PATHS.api, "old")).toBeUndefined();
    expect(cutoverPhase("consolidation")).toBe("modular-monolith");
  });

  it.each([
    ["events", "parallel", "kafka", false],
    ["events", "dual-publish", "kafka", true],
    ["events", "parallel", "redpanda", true],
    ["database", "citus-provisioned", "citus", false],
    ["database", "dual-write", "citus", true],
    ["api", "canary", "new", false],
  ] as const)("%s at %s: %s has received writes = %s", (path, phase, system, expected) => {
    expect(systemReceivedWrites(path, phase, system)).toBe(expected);
  });

  it("name the valid values when a path or phase is unknown", () => {
    expect(() => pathById("evnts")).toThrow(
      'unknown migration path "evnts"; valid paths are events, platform, database, api, consolidation',
    );
    expect(() => phaseIndex("events", "kafka")).toThrow(
      'path "events" has no phase "kafka"; valid phases are redpanda, parallel, dual-publish, consumers-on-kafka, kafka-only, redpanda-retired',
    );
  });
});

describe("datalessRollbackSystem", () => {
  it.each([
    ["events", "parallel", "redpanda", "kafka"],
    ["database", "citus-provisioned", "postgres", "citus"],
    ["api", "canary", "old", "new"],
    ["consolidation", "monolith-parallel", "microservices", "modular-monolith"],
    ["platform", "coordination-on-k3s", "compose", "k3s"],
    // Kafka has received writes from dual-publish on: deleting it would lose them.
    ["events", "dual-publish", "parallel", undefined],
    ["events", "kafka-only", "consumers-on-kafka", undefined],
    ["database", "dual-write", "citus-provisioned", undefined],
    // The target phase still runs the new system: the rollback deletes none of it.
    ["api", "new", "canary", undefined],
    ["consolidation", "modular-monolith", "monolith-parallel", undefined],
    // Forward, or phases the path does not have.
    ["events", "redpanda", "parallel", undefined],
    ["events", "parallel", "kafka", undefined],
  ] as const)("%s %s -> %s: %s", (path, from, to, expected) => {
    expect(datalessRollbackSystem(path, from, to)).toBe(expected);
  });
});
