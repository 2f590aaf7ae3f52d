/** Hand-built plans, ledgers and CrossGuard arguments for the policy tests. */
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type { GateRecord, Ledger, PhaseRecord } from "../../../migrations/ledger";
import { PHASE_LEDGER_TYPE } from "../../../migrations/ledger";
import type { GateId, PathId } from "../../../migrations/path";
import type { Plan, PlanStep, StepOp } from "../../../migrations/plan-model";

export const NOW = new Date("2026-11-26T12:00:00Z");
export const daysAgo = (days: number): string =>
  new Date(NOW.getTime() - days * 86_400_000).toISOString();
export const hoursAgo = (hours: number): string =>
  new Date(NOW.getTime() - hours * 3_600_000).toISOString();

export function urnOf(type: string, name: string, stack = "prod"): string {
  return `urn:pulumi:${stack}::stepwise::${type}::${name}`;
}

type Inputs = Record<string, unknown>;

/** One plan step; `before`/`after` are the old and new inputs (left out for create/delete). */
export function step(
  op: StepOp,
  type: string,
  name: string,
  states: { before?: Inputs; after?: Inputs } = {},
  parentType?: string,
): PlanStep {
  const urn = urnOf(parentType === undefined ? type : `${parentType}$${type}`, name);
  const hasOld = op !== "create";
  const hasNew = op !== "delete";
  return {
    op,
    urn,
    ...(hasOld ? { oldState: { type, urn, inputs: states.before ?? states.after ?? {} } } : {}),
    ...(hasNew ? { newState: { type, urn, inputs: states.after ?? states.before ?? {} } } : {}),
  };
}

export function plan(...steps: PlanStep[]): Plan {
  const changeSummary: Record<string, number> = {};
  for (const s of steps) changeSummary[s.op] = (changeSummary[s.op] ?? 0) + 1;
  return { steps, changeSummary };
}

export function ledger(
  phases: Partial<Record<PathId, PhaseRecord | string>>,
  gates: Partial<Record<GateId, GateRecord>> = {},
): Ledger {
  return {
    phases: Object.fromEntries(
      Object.entries(phases).map(([path, record]) => [
        path,
        typeof record === "string" ? { phase: record, enteredAt: daysAgo(60) } : record,
      ]),
    ),
    gates,
  };
}

export const passedGate = (ageDays = 1): GateRecord => ({
  passed: true,
  recordedAt: daysAgo(ageDays),
  detail: "test: passed",
});

/** Collects what a policy reports. */
export function collector(): {
  report: ReportViolation;
  violations: { message: string; urn?: string }[];
} {
  const violations: { message: string; urn?: string }[] = [];
  const report: ReportViolation = (message, urn) => {
    violations.push(urn === undefined ? { message } : { message, urn });
  };
  return { report, violations };
}

const unused = (): never => {
  throw new Error("not used by stepwise policies");
};

/** The resource options CrossGuard passes for a resource that sets none. */
function defaultOptions() {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
}

export function resourceArgs(
  type: string,
  name: string,
  props: Inputs,
  config: object = {},
  stack = "prod",
): ResourceValidationArgs {
  return {
    type,
    name,
    props,
    urn: urnOf(type, name, stack),
    opts: defaultOptions(),
    stackTags: new Map(),
    isType: unused,
    asType: unused,
    getConfig: <T extends object>() => config as T,
    notApplicable: unused,
  };
}

export function policyResource(
  type: string,
  name: string,
  props: Inputs,
  stack = "prod",
): PolicyResource {
  return {
    type,
    name,
    props,
    urn: urnOf(type, name, stack),
    opts: defaultOptions(),
    dependencies: [],
    propertyDependencies: {},
    isType: unused,
    asType: unused,
  };
}

export function stackArgs(resources: PolicyResource[], config: object = {}): StackValidationArgs {
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: unused,
  };
}

/** The PhaseLedger resource as CrossGuard sees it. */
export function ledgerResource(
  value: Ledger,
  environment = "prod",
  stack = "prod",
): PolicyResource {
  return policyResource(PHASE_LEDGER_TYPE, "phase-ledger", { ledger: value, environment }, stack);
}
