/** Turns a compatibility report into the `compatibility-verified` gate record of the ledger. */
import { sealGate } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import type { CompatibilityReport } from "./compare-clusters";

/** The file `events compat --record` writes: one entry for the stack config's gates map. */
export type RecordedCompatibilityGate = { readonly "compatibility-verified": GateRecord };

export function compatibilityGateRecord(report: CompatibilityReport, now: Date): GateRecord {
  const firstBlocking = report.findings.find((f) => f.severity === "blocking");
  const detail =
    `compatibility ${report.source} -> ${report.target}: ${report.topics.length} topics, ` +
    `${report.blocking} blocking differences, ${report.warnings} warnings` +
    (firstBlocking ? ` (first: ${firstBlocking.subject}: ${firstBlocking.code})` : "");
  return sealGate(
    "compatibility-verified",
    {
      passed: report.blocking === 0,
      recordedAt: now.toISOString(),
      detail,
      check: "events compat",
      endpoints: [report.source, report.target],
    },
    report,
  );
}
