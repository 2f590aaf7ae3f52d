import { Client } from "pg";
import { sealGate } from "../../migrations/gate-evidence";
import type { GateRecord } from "../../migrations/ledger";
import { pgClientConfig, redactConnectionString, type PgTimeouts } from "./connection";
import type { DistributionPlan } from "../../components/database/distribution-plan";
import { readSchemaCatalog, schemasOf } from "../../components/database/catalog-reader";
import { checkReadiness, type Finding } from "../../components/database/readiness-rules";

export interface ReadinessReport {
  /** True when Citus will accept the plan as written: no findings. */
  readonly ready: boolean;
  readonly checkedAt: string;
  /** The database checked, password redacted. */
  readonly database: string;
  readonly tables: { readonly distributed: number; readonly reference: number };
  readonly findings: readonly Finding[];
}

export function buildReadinessReport(
  plan: DistributionPlan,
  findings: readonly Finding[],
  database: string,
  now: Date = new Date(),
): ReadinessReport {
  return {
    ready: findings.length === 0,
    checkedAt: now.toISOString(),
    database: redactConnectionString(database),
    tables: {
      distributed: plan.tables.filter((t) => t.kind === "distributed").length,
      reference: plan.tables.filter((t) => t.kind === "reference").length,
    },
    findings,
  };
}

/** Reads the live catalog over `connectionString` and checks the plan against Citus's rules. */
export async function checkDatabaseReadiness(
  connectionString: string,
  plan: DistributionPlan,
  timeouts?: PgTimeouts,
): Promise<ReadinessReport> {
  const client = new Client(pgClientConfig(connectionString, timeouts));
  await client.connect();
  try {
    const catalog = await readSchemaCatalog(client, schemasOf(plan));
    return buildReadinessReport(plan, checkReadiness(plan, catalog), connectionString);
  } finally {
    await client.end();
  }
}

export function renderReadinessText(report: ReadinessReport): string {
  const head =
    `Citus readiness of ${report.database}: ${report.tables.distributed} distributed, ` +
    `${report.tables.reference} reference table(s) — ` +
    (report.ready ? "ready, no findings." : `NOT ready, ${report.findings.length} finding(s).`);
  const body = report.findings.map((f, i) => {
    const lines = [`${i + 1}. [${f.rule}] ${f.message}`, `   fix: ${f.fix}`];
    if (f.fixSql) lines.push(...f.fixSql.split("\n").map((line) => `     ${line}`));
    return lines.join("\n");
  });
  return [head, ...body].join("\n\n") + "\n";
}

/** The result as the ledger's `data-model-reviewed` gate. */
export function readinessGateRecord(report: ReadinessReport): GateRecord {
  const counts = new Map<string, number>();
  for (const f of report.findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  const breakdown = [...counts].map(([rule, n]) => `${n} ${rule}`).join(", ");
  const result = {
    passed: report.ready,
    recordedAt: report.checkedAt,
    check: "database readiness",
    endpoints: [report.database],
    detail:
      `citus readiness of ${report.database}: ${report.tables.distributed} distributed, ` +
      `${report.tables.reference} reference, ${report.findings.length} finding(s)` +
      (breakdown ? ` (${breakdown})` : ""),
  };
  return sealGate("data-model-reviewed", result, report);
}
