/**
 * `stepwise database compare`: do two databases hold the same rows? Table by table, row counts
 * and an ordered digest of every row, read in one consistent snapshot per side. It records the
 * data gates of the database path: `data-verified` going forward (Citus holds what PostgreSQL
 * holds) and `data-synced-back` before a rollback moves reads back to PostgreSQL.
 */
import { Client, type ClientBase } from "pg";
import { sealGate } from "../../migrations/gate-evidence";
import type { GateRecord } from "../../migrations/ledger";
import { pgClientConfig, redactConnectionString, type PgTimeouts } from "./connection";
import {
  compareTable,
  STABLE_TEXT_SETTINGS,
  type TableComparison,
  type TableShape,
} from "./table-compare";

/** The gates a comparison records, by direction. */
export const COMPARE_GATES = { forward: "data-verified", rollback: "data-synced-back" } as const;
export type CompareDirection = keyof typeof COMPARE_GATES;

export interface CompareOptions {
  /** Connection strings; the report keeps them with passwords redacted. */
  readonly source: string;
  readonly target: string;
  /** Schemas whose tables are compared. @default ["public"] */
  readonly schemas?: readonly string[];
  /** Only these tables ("schema.table" or a table of the first schema). @default every table */
  readonly tables?: readonly string[];
  /** Rows fetched per side per round trip. @default 5000 */
  readonly chunkRows?: number;
  /** How long to wait for a connection and for each statement. */
  readonly timeouts: PgTimeouts;
  readonly now?: Date;
}

export interface CompareReport {
  readonly checkedAt: string;
  readonly source: string;
  readonly target: string;
  readonly schemas: readonly string[];
  /** True when every table is on both sides with the same columns and rows. */
  readonly equal: boolean;
  readonly tables: readonly TableComparison[];
}

const SHAPES_SQL = `
  SELECT n.nspname || '.' || c.relname AS table_name,
         ARRAY(SELECT a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
               FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               ORDER BY a.attnum) AS columns,
         ARRAY(SELECT a.attname::text
               FROM pg_catalog.pg_index i,
                    unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
               WHERE i.indrelid = c.oid AND i.indisprimary
               ORDER BY k.ord) AS key
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
  ORDER BY 1`;

async function readShapes(client: ClientBase, schemas: readonly string[]): Promise<TableShape[]> {
  const { rows } = await client.query<{ table_name: string; columns: string[]; key: string[] }>(
    SHAPES_SQL,
    [schemas],
  );
  return rows.map((r) => ({ table: r.table_name, columns: r.columns, key: r.key }));
}

async function connect(url: string, timeouts: PgTimeouts, side: string): Promise<Client> {
  const client = new Client(pgClientConfig(url, timeouts));
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`${side} ${redactConnectionString(url)}: ${(error as Error).message}`);
  }
  return client;
}

/** Opens a read-only snapshot with stable row text on one side. */
async function beginSnapshot(client: ClientBase): Promise<void> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  for (const setting of STABLE_TEXT_SETTINGS) await client.query(setting);
}

function selected(
  shapes: readonly TableShape[],
  tables: readonly string[] | undefined,
  schema: string,
) {
  if (tables === undefined) return shapes;
  const wanted = new Set(tables.map((t) => (t.includes(".") ? t : `${schema}.${t}`)));
  return shapes.filter((s) => wanted.has(s.table));
}

export async function compareDatabases(options: CompareOptions): Promise<CompareReport> {
  const schemas = options.schemas ?? ["public"];
  const chunkRows = options.chunkRows ?? 5000;
  const source = await connect(options.source, options.timeouts, "source");
  let target: Client | undefined;
  try {
    target = await connect(options.target, options.timeouts, "target");
    await Promise.all([beginSnapshot(source), beginSnapshot(target)]);
    const [left, right] = await Promise.all([
      readShapes(source, schemas),
      readShapes(target, schemas),
    ]);
    const onSource = selected(left, options.tables, schemas[0] ?? "public");
    const onTarget = selected(right, options.tables, schemas[0] ?? "public");
    const names = [...new Set([...onSource, ...onTarget].map((s) => s.table))].sort();
    const tables: TableComparison[] = [];
    for (const name of names) {
      const a = onSource.find((s) => s.table === name);
      const b = onTarget.find((s) => s.table === name);
      if (!a || !b) {
        const where = a ? "source" : "target";
        tables.push({ table: name, equal: false, difference: `only on the ${where}` });
      } else if (a.columns.join(", ") !== b.columns.join(", ")) {
        tables.push({
          table: name,
          equal: false,
          difference: `columns differ: source (${a.columns.join(", ")}), target (${b.columns.join(", ")})`,
        });
      } else {
        tables.push(await compareTable(source, target, a, chunkRows));
      }
    }
    await Promise.all([source.query("COMMIT"), target.query("COMMIT")]);
    return {
      checkedAt: (options.now ?? new Date()).toISOString(),
      source: redactConnectionString(options.source),
      target: redactConnectionString(options.target),
      schemas,
      equal: tables.length > 0 && tables.every((t) => t.equal),
      tables,
    };
  } finally {
    await Promise.allSettled([source.end(), target?.end()]);
  }
}

export function renderCompareText(report: CompareReport): string {
  const differing = report.tables.filter((t) => !t.equal);
  const head =
    `compare ${report.source} -> ${report.target} (schemas ${report.schemas.join(", ")}): ` +
    (report.tables.length === 0
      ? "no tables found; check --schema and --table"
      : report.equal
        ? `${report.tables.length} table(s), all equal`
        : `${differing.length} of ${report.tables.length} table(s) differ`);
  const lines = report.tables.map((t) =>
    t.equal
      ? `  ${t.table}: equal, ${t.source?.rows ?? 0} rows (${t.source?.digest.slice(0, 23) ?? ""})`
      : `  ${t.table}: DIFFERENT — ${t.difference ?? ""}`,
  );
  return [head, ...lines].join("\n") + "\n";
}

/** The comparison as the ledger's gate for its direction, sealed with the report as evidence. */
export function compareGateRecord(report: CompareReport, direction: CompareDirection): GateRecord {
  const rows = report.tables.reduce((sum, t) => sum + (t.source?.rows ?? 0), 0);
  const differing = report.tables.filter((t) => !t.equal);
  const first = differing[0];
  const detail =
    `compare ${report.source} -> ${report.target}: ${report.tables.length} tables, ${rows} rows; ` +
    (report.equal
      ? "all equal (row counts and ordered sha256 digests)"
      : report.tables.length === 0
        ? "no tables compared"
        : `${differing.length} differ (first: ${first?.table}: ${first?.difference})`);
  return sealGate(
    COMPARE_GATES[direction],
    {
      passed: report.equal,
      recordedAt: report.checkedAt,
      detail,
      check: "database compare",
      endpoints: [report.source, report.target],
    },
    report,
  );
}
