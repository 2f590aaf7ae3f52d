import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  PHASE_LEDGER_TYPE,
  PhaseLedger,
  phaseLedgerProvider,
  type Ledger,
} from "../../../migrations";
import { evaluateProgram } from "../../../tools/evaluate";

const ledger: Ledger = {
  phases: {
    events: { phase: "parallel", enteredAt: "2026-11-25T00:00:00Z", previous: "redpanda" },
  },
  gates: {
    "compatibility-verified": { passed: true, recordedAt: "2026-11-24T00:00:00Z", detail: "ok" },
  },
};

describe("PhaseLedger", () => {
  it("registers as a dynamic resource of PHASE_LEDGER_TYPE whose inputs carry the ledger", async () => {
    const { resources } = await evaluateProgram(() => {
      new PhaseLedger("phase-ledger", { ledger, environment: "prod" });
    });
    expect(resources).toHaveLength(1);
    const [resource] = resources;
    expect(resource?.type).toBe(PHASE_LEDGER_TYPE);
    expect(resource?.type).toBe("pulumi-nodejs:dynamic/stepwise:PhaseLedger");
    expect(resource?.name).toBe("phase-ledger");
    expect(resource?.custom).toBe(true);
    expect(resource?.inputs.ledger).toEqual(ledger);
    expect(resource?.inputs.environment).toBe("prod");
    // The provider was serialized into the inputs, as the engine needs it.
    expect(typeof resource?.inputs.__provider).toBe("string");
    expect(resource?.inputs.__provider as string).toContain("phase-ledger");
  });

  it("serializes its provider without capturing module state", async () => {
    const provider = phaseLedgerProvider;
    const serialized = await pulumi.runtime.serializeFunction(() => provider, {
      isFactoryFunction: true,
    });
    expect(serialized.text).toContain("phase-ledger");
    expect(serialized.text).not.toMatch(/require\("\.\.?\//);
  });

  it("echoes the ledger as outputs, and diffs only when the ledger or environment changes", async () => {
    const create = phaseLedgerProvider.create.bind(phaseLedgerProvider);
    const created = await create({ ledger, environment: "prod" });
    expect(created).toEqual({ id: "phase-ledger", outs: { ledger, environment: "prod" } });

    const diff = phaseLedgerProvider.diff?.bind(phaseLedgerProvider);
    const same = await diff?.(
      "phase-ledger",
      { ledger, environment: "prod" },
      { ledger, environment: "prod" },
    );
    expect(same?.changes).toBe(false);
    const moved: Ledger = {
      ...ledger,
      phases: {
        events: { phase: "dual-publish", enteredAt: "2026-11-26T00:00:00Z", previous: "parallel" },
      },
    };
    const changed = await diff?.(
      "phase-ledger",
      { ledger, environment: "prod" },
      { ledger: moved, environment: "prod" },
    );
    expect(changed).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    // What the update before noted (its moves, the gates it wrote) is cleared by the next one:
    // a change of the ledger, so the pack never sees an earlier update's notes as this one's.
    const noted = { ...ledger, moves: [{ path: "events", from: "redpanda", to: "parallel" }] };
    expect(
      await diff?.(
        "phase-ledger",
        { ledger: noted, environment: "prod" },
        { ledger, environment: "prod" },
      ),
    ).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });

    const update = phaseLedgerProvider.update?.bind(phaseLedgerProvider);
    expect(
      await update?.("phase-ledger", { ledger }, { ledger: moved, environment: "prod" }),
    ).toEqual({
      outs: { ledger: moved, environment: "prod" },
    });
  });
});
