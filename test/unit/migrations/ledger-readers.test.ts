import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  asLedger,
  findLedgerResource,
  ledgerOfInputs,
  ledgerStepOf,
  PHASE_LEDGER_TYPE,
} from "../../../migrations/ledger";
import type { Plan } from "../../../migrations/plan-model";
import { ledgerInStack } from "../../../policies/pack/pack-policies";
import { checkPlan } from "../../../tools/review/check-plan";

const RECORD = { phase: "redpanda", enteredAt: "2026-01-01T00:00:00Z" };
const OWN_TYPE = "pulumi-nodejs:dynamic/my-module:PhaseLedger";

describe("the one ledger reader and its callers", () => {
  it("reads the ledger input of inputs or props, keeping the known fields only", () => {
    const ledger = { phases: { events: RECORD }, engines: { redpanda: "compose" }, extra: 1 };
    expect(ledgerOfInputs({ ledger })).toEqual({
      phases: { events: RECORD },
      gates: {},
      engines: { redpanda: "compose" },
    });
    expect(ledgerOfInputs({ ledger: { gates: {} } })).toBeUndefined();
    expect(ledgerOfInputs({})).toBeUndefined();
    expect(ledgerOfInputs(undefined)).toBeUndefined();
  });

  it("finds the PhaseLedger among resources and plan steps, under another module too", () => {
    const resources = [
      { type: "docker:index/container:Container", n: 1 },
      { type: OWN_TYPE, n: 2 },
    ];
    expect(findLedgerResource(resources)?.n).toBe(2);
    expect(findLedgerResource([{ type: "stepwise:platform:ComposePlatform" }])).toBeUndefined();
    const deleted = { op: "delete", urn: "u", oldState: { type: PHASE_LEDGER_TYPE, urn: "u" } };
    const other = { op: "same", urn: "v", newState: { type: OWN_TYPE + "x", urn: "v" } };
    const plan = { steps: [other, deleted] } as unknown as Plan;
    expect(ledgerStepOf(plan)).toBe(deleted);
  });

  it("the pack reads a PhaseLedger whose ledger has no phases as one with no paths, not as none", () => {
    const found = ledgerInStack([
      {
        type: PHASE_LEDGER_TYPE,
        urn: "urn:l",
        props: { ledger: { gates: {} }, environment: "prod" },
      },
    ]);
    expect(found).toEqual({ ledger: { phases: {}, gates: {} }, environment: "prod", urn: "urn:l" });
    expect(asLedger({ gates: {} })).toBeUndefined();
    expect(ledgerInStack([{ type: PHASE_LEDGER_TYPE, urn: "urn:l", props: {} }])).toBeUndefined();
  });

  it("checks a given plan whose ledgers leave gates out as having none recorded", () => {
    const preview = JSON.parse(
      readFileSync("test/fixtures/plans/engine-preview.json", "utf8"),
    ) as Plan;
    const step = ledgerStepOf(preview);
    const inputs = step?.newState?.inputs as { ledger: Record<string, unknown> } | undefined;
    if (inputs === undefined) throw new Error("the fixture has no PhaseLedger step with inputs");
    delete inputs.ledger.gates;
    const old = step?.oldState?.inputs as { ledger?: Record<string, unknown> } | undefined;
    if (old?.ledger) delete old.ledger.gates;
    expect(() => checkPlan(preview, { stack: "prod", now: new Date() })).not.toThrow();
  });

  it("checks a given plan's PhaseLedger by its type, whatever the program named it", () => {
    const preview = JSON.parse(readFileSync("test/fixtures/plans/engine-preview.json", "utf8")) as {
      steps: { urn: string }[];
    };
    for (const step of preview.steps) step.urn = step.urn.replace(/::phase-ledger$/, "::my-ledger");
    const checked = checkPlan(preview as unknown as Plan, { stack: "prod", now: new Date() });
    expect(checked.rules.pathRules).toBe("applied");
  });
});
