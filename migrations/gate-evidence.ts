/**
 * Gate records as evidence: a gate is recorded only by the command that performs its check,
 * as a record saying what was checked, against which endpoints, when, the result, and digests
 * of the evidence and of the record itself. A record typed or edited by hand has no digest, or
 * one that no longer matches, and the rules refuse it.
 *
 * What the digest proves: the record is whole and unedited since a stepwise command wrote it.
 * It is not a signature; what makes a gate trustworthy is that it lands in a change of its own,
 * reviewed and deployed before the step it unlocks (see policies/rules/recorded-evidence.ts).
 */
import { createHash } from "node:crypto";
import { isInFuture } from "./duration";
import type { GateRecord } from "./ledger";
import type { GateId } from "./path";

/** The command that records each gate: the only way a gate gets into a stack file. */
export const GATE_RECORDERS: Readonly<Record<GateId, string>> = {
  "compatibility-verified": "stepwise events compat --record",
  "offsets-migrated": "stepwise events migrate-offsets --record",
  "data-model-reviewed": "stepwise database readiness --record",
  "data-verified": "stepwise db verify --record",
  "rollback-drill": "stepwise drill --record",
  "messages-synced-back": "stepwise events verify --rollback --record",
  "offsets-migrated-back": "stepwise events migrate-offsets --rollback --record",
  "data-synced-back": "stepwise db rollback --record",
};

/** A gate older than this no longer unlocks a step: the check is run again. */
export const GATE_MAX_AGE_DAYS = 30;

export interface GateCheckResult {
  readonly passed: boolean;
  readonly recordedAt: string;
  readonly detail: string;
  /** The check that ran, e.g. "events compat". */
  readonly check: string;
  /** What it ran against: brokers, databases (credentials never included). */
  readonly endpoints: readonly string[];
}

const sha256 = (text: string): string =>
  `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** JSON with map keys sorted, so that a digest does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

function recordDigest(gate: GateId, record: Omit<GateRecord, "digest">): string {
  const { passed, recordedAt, detail, check, endpoints, evidence } = record;
  return sha256(canonicalJson({ gate, passed, recordedAt, detail, check, endpoints, evidence }));
}

/** The record a check command writes: its result, the evidence's digest, the record's digest. */
export function sealGate(gate: GateId, result: GateCheckResult, evidence: unknown): GateRecord {
  const unsealed = {
    passed: result.passed,
    recordedAt: result.recordedAt,
    detail: result.detail,
    check: result.check,
    endpoints: [...result.endpoints],
    evidence: sha256(canonicalJson(evidence)),
  };
  return { ...unsealed, digest: recordDigest(gate, unsealed) };
}

/**
 * What is wrong with a gate record as evidence; empty when a check command wrote it as it is.
 * Without `now` its time is not compared with the clock.
 */
export function gateRecordProblems(gate: GateId, record: GateRecord, now?: Date): string[] {
  const recorder = GATE_RECORDERS[gate];
  if (record.digest === undefined || record.check === undefined) {
    return [
      `gate "${gate}" was not recorded by a check (it has no digest); record it with \`${recorder}\``,
    ];
  }
  const problems: string[] = [];
  if (recordDigest(gate, record) !== record.digest) {
    problems.push(
      `gate "${gate}" was edited after \`${record.check}\` recorded it (its digest does not match); record it again with \`${recorder}\``,
    );
  }
  if (Number.isNaN(Date.parse(record.recordedAt))) {
    problems.push(`gate "${gate}": recordedAt "${record.recordedAt}" is not an ISO time`);
  } else if (now && isInFuture(record.recordedAt, now)) {
    problems.push(`gate "${gate}" is dated in the future (${record.recordedAt})`);
  }
  return problems;
}

/** Whether a gate record differs from the one on the other side (a change writes it). */
export function gateChanged(
  before: GateRecord | undefined,
  after: GateRecord | undefined,
): boolean {
  return after !== undefined && canonicalJson(before) !== canonicalJson(after);
}
