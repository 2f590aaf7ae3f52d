/** Turns a compatibility report into the `compatibility-verified` gate record of the ledger. */
import type { GateRecord } from "../../../migrations/ledger";
import type { CompatibilityReport } from "./compare-clusters";

export interface CompatibilityGateFile {
  readonly gate: "compatibility-verified";
  readonly record: GateRecord;
  readonly report: CompatibilityReport;
}

export function compatibilityGate(report: CompatibilityReport, now: Date): CompatibilityGateFile {
  const firstBlocking = report.findings.find((f) => f.severity === "blocking");
  const detail =
    `compatibility ${report.source} -> ${report.target}: ${report.topics.length} topics, ` +
    `${report.blocking} blocking differences, ${report.warnings} warnings` +
    (firstBlocking ? ` (first: ${firstBlocking.subject}: ${firstBlocking.code})` : "");
  return {
    gate: "compatibility-verified",
    record: { passed: report.blocking === 0, recordedAt: now.toISOString(), detail },
    report,
  };
}
