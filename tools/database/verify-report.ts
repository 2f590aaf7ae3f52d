/**
 * What a verification found, as text for a person, as JSON, and as the gate it records:
 * `data-verified` going forward (Citus holds what PostgreSQL holds), `data-synced-back` before a
 * rollback moves reads back to PostgreSQL. Keys are shown; row contents never are (a row may
 * hold anything, the key is what an operator looks up).
 */
import { sealGate } from "../../migrations/gate-evidence";
import type { GateRecord } from "../../migrations/ledger";

/** The gate a verification records, by direction. */
export const VERIFY_GATES = { forward: "data-verified", rollback: "data-synced-back" } as const;
export type VerifyDirection = keyof typeof VERIFY_GATES;

/** The check name a gate record carries. */
export const VERIFY_CHECK = "database verify";

/** What one side holds of a table. */
export interface TableSideSummary {
  readonly rows: number;
  /** Exact sum of the rows' fingerprints, as `sum(hashtextextended(t::text, 0))` prints it. */
  readonly checksum: string;
}

/** Keys of one kind of difference: how many in all, the first few in key order. */
export interface KeyList {
  readonly count: number;
  /** Each key as PostgreSQL prints a row of the key columns, e.g. `(42)` or `(7,2)`. */
  readonly keys: readonly string[];
}

export interface TableVerification {
  /** "schema.table" */
  readonly table: string;
  /** Primary key columns, in key order. */
  readonly key: readonly string[];
  readonly equal: boolean;
  readonly source: TableSideSummary;
  readonly target: TableSideSummary;
  /** Key ranges compared (boundaries from the source's keys). */
  readonly chunks: number;
  /** Ranges whose row count or checksum differed, drilled into down to the rows. */
  readonly differingChunks: number;
  /** On the source, not on the target. */
  readonly missing: KeyList;
  /** On the target, not on the source. */
  readonly extra: KeyList;
  /** On both, with other contents. */
  readonly changed: KeyList;
}

export interface VerifyReport {
  /** When the snapshots were taken (ISO 8601). */
  readonly checkedAt: string;
  readonly seconds: number;
  /** Connection strings with passwords redacted. */
  readonly source: string;
  readonly target: string;
  readonly schemas: readonly string[];
  /** Source rows per key range. */
  readonly chunkRows: number;
  /** True when there were tables and every one holds the same rows on both sides. */
  readonly equal: boolean;
  readonly tables: readonly TableVerification[];
}

const sumRows = (report: VerifyReport) => report.tables.reduce((n, t) => n + t.source.rows, 0);

function keyLine(label: string, list: KeyList): string[] {
  if (list.count === 0) return [];
  const more = list.count - list.keys.length;
  return [
    `    ${label} (${list.count}): ${list.keys.join(" ")}${more > 0 ? ` … and ${more} more` : ""}`,
  ];
}

function tableLines(t: TableVerification): string[] {
  const chunks = `${t.chunks} chunk${t.chunks === 1 ? "" : "s"}`;
  if (t.equal) {
    return [`  ${t.table}: equal, ${t.source.rows} rows, checksum ${t.source.checksum}, ${chunks}`];
  }
  return [
    `  ${t.table}: DIFFERENT — source ${t.source.rows} rows (checksum ${t.source.checksum}), ` +
      `target ${t.target.rows} rows (checksum ${t.target.checksum}); ${t.differingChunks} of ${chunks} differ`,
    ...keyLine("missing on the target", t.missing),
    ...keyLine("extra on the target", t.extra),
    ...keyLine("changed", t.changed),
  ];
}

export function renderVerifyText(report: VerifyReport): string {
  const differing = report.tables.filter((t) => !t.equal);
  const head =
    `verify ${report.source} -> ${report.target} (schemas ${report.schemas.join(", ")}): ` +
    (report.tables.length === 0
      ? "no tables found; check --schema and --table"
      : report.equal
        ? `${report.tables.length} table(s), ${sumRows(report)} rows, all equal`
        : `${differing.length} of ${report.tables.length} table(s) differ`);
  return [head, ...report.tables.flatMap(tableLines)].join("\n") + "\n";
}

/** At most this many tables are itemised in a gate's detail; the evidence digest covers all. */
const DETAIL_TABLES = 10;

function detailOf(report: VerifyReport): string {
  const differing = report.tables.filter((t) => !t.equal);
  const head = `verify ${report.source} -> ${report.target}: ${report.tables.length} tables, ${sumRows(report)} rows`;
  if (report.tables.length === 0) return `${head}; no tables compared`;
  const shown = (report.equal ? report.tables : differing).slice(0, DETAIL_TABLES);
  const items = shown.map((t) =>
    t.equal
      ? `${t.table} ${t.source.rows} rows, checksum ${t.source.checksum}`
      : `${t.table} ${t.missing.count} missing, ${t.extra.count} extra, ${t.changed.count} changed`,
  );
  const rest = (report.equal ? report.tables : differing).length - shown.length;
  const more = rest > 0 ? `, and ${rest} more` : "";
  return report.equal
    ? `${head}; all equal (row counts and checksums per key range): ${items.join("; ")}${more}`
    : `${head}; ${differing.length} differ: ${items.join("; ")}${more}`;
}

/** The verification as the ledger's gate for its direction, sealed with the report as evidence. */
export function verifyGateRecord(report: VerifyReport, direction: VerifyDirection): GateRecord {
  return sealGate(
    VERIFY_GATES[direction],
    {
      passed: report.equal,
      recordedAt: report.checkedAt,
      detail: detailOf(report),
      check: VERIFY_CHECK,
      endpoints: [report.source, report.target],
    },
    report,
  );
}
