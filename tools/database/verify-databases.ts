/**
 * `stepwise db verify`: do two databases hold the same rows? Each side is read in one
 * consistent, read-only snapshot; each table is compared in key ranges by checksums the servers
 * compute (verify-table.ts, verify-sql.ts), and differing ranges are drilled into down to the
 * keys of the rows missing, extra or changed on the target. The report can be recorded as the
 * database path's data gate (verify-report.ts).
 */
import { redactConnectionString, type PgTimeouts } from "./connection";
import { quoteTable } from "../../components/database/sql-names";
import { type TableVerification, type VerifyReport } from "./verify-report";
import {
  closeSnapshots,
  openSnapshot,
  requireSameEncoding,
  type SnapshotSide,
} from "./verify-snapshot";
import { verifyTable } from "./verify-table";
import {
  qualifiedName,
  readKeyedShapes,
  readTableShapes,
  requireSameShapes,
  type TableShape,
} from "./table-shape";

export interface VerifyOptions {
  /** Connection strings: the database of record, and the one checked against it. */
  readonly source: string;
  readonly target: string;
  /** Schemas whose tables are verified. @default ["public"] */
  readonly schemas?: readonly string[];
  /** Only these tables ("schema.table", or a table of the first schema). @default every table of the schemas on either side */
  readonly tables?: readonly string[];
  /** Source rows per key range; also the most rows per side compared row by row. @default 10000 */
  readonly chunkRows?: number;
  /**
   * Ranges verified at once, each on its own connection to each side (all in one snapshot per
   * side). @default 4
   */
  readonly parallel?: number;
  /** Keys listed per table and kind of difference; the rest are counted. @default 20 */
  readonly maxKeys?: number;
  /** How long to wait for a connection and for each statement. */
  readonly timeouts: PgTimeouts;
  /** Progress: source rows verified so far, of about `total` (unknown: undefined). */
  readonly onProgress?: (rows: number, total: number | undefined) => void;
  /** @default the clock */
  readonly now?: () => Date;
}

export const DEFAULT_CHUNK_ROWS = 10_000;
export const DEFAULT_MAX_KEYS = 20;
export const DEFAULT_PARALLEL = 4;

/** The tables to verify: those asked for, or every table of the schemas on either side. */
async function tableNames(
  source: SnapshotSide,
  target: SnapshotSide,
  schemas: readonly string[],
  tables: readonly string[] | undefined,
): Promise<string[]> {
  if (tables) return [...new Set(tables.map((t) => qualifiedName(t, schemas[0])))];
  const [left, right] = await Promise.all([
    readTableShapes(source.clients[0], schemas),
    readTableShapes(target.clients[0], schemas),
  ]);
  return [...new Set([...left, ...right].map((s) => s.table))].sort();
}

/** The planner's row estimate for the tables (for progress only); undefined when it has none. */
async function estimatedRows(side: SnapshotSide, shapes: readonly TableShape[]) {
  const { rows } = await side.clients[0].query<{ rows: number | null }>(
    `SELECT sum(greatest(reltuples, 0))::float8 AS rows FROM pg_catalog.pg_class
     WHERE oid = ANY($1::regclass[])`,
    [shapes.map((s) => quoteTable(s.table))],
  );
  const estimate = rows[0]?.rows ?? 0;
  return estimate > 0 ? estimate : undefined;
}

/**
 * Verifies the tables; throws (TableShapeError, or a connection error naming the side) when
 * they cannot be compared: a table missing on a side, without a primary key, or with other
 * columns, types or key than on the other side, or servers with different encodings.
 */
export async function verifyDatabases(options: VerifyOptions): Promise<VerifyReport> {
  const now = options.now ?? (() => new Date());
  const schemas = options.schemas ?? ["public"];
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  const lanes = options.parallel ?? DEFAULT_PARALLEL;
  const started = performance.now();
  const checkedAt = now().toISOString();
  // Both at once; whichever opened is closed at the end, even when the other failed.
  const [left, right] = await Promise.allSettled([
    openSnapshot(options.source, options.timeouts, "source", lanes + 1),
    openSnapshot(options.target, options.timeouts, "target", lanes),
  ]);
  try {
    if (left.status === "rejected") throw left.reason;
    if (right.status === "rejected") throw right.reason;
    const [source, target] = [left.value, right.value];
    requireSameEncoding(source, target);
    const names = await tableNames(source, target, schemas, options.tables);
    // One side after the other, so a refusal names the source first.
    const sourceShapes = await readKeyedShapes(source.clients[0], names, source.name);
    const targetShapes = await readKeyedShapes(target.clients[0], names, target.name);
    requireSameShapes(sourceShapes, targetShapes);
    const total = names.length ? await estimatedRows(source, sourceShapes) : undefined;
    // The source's first connection reads boundaries; each lane sums a range on both sides.
    const on = (side: SnapshotSide, i: number) => ({ client: side.clients[i], name: side.name });
    const connections = {
      boundaries: on(source, 0),
      lanes: target.clients.map((_, i) => ({ source: on(source, i + 1), target: on(target, i) })),
    };
    const tables: TableVerification[] = [];
    let done = 0;
    for (const shape of sourceShapes) {
      const table = await verifyTable(connections, shape, {
        chunkRows,
        maxKeys,
        onRows: (rows) => options.onProgress?.(done + rows, total),
      });
      done += table.source.rows;
      tables.push(table);
    }
    return {
      checkedAt,
      seconds: (performance.now() - started) / 1000,
      source: redactConnectionString(options.source),
      target: redactConnectionString(options.target),
      schemas,
      chunkRows,
      equal: tables.length > 0 && tables.every((t) => t.equal),
      tables,
    };
  } finally {
    await closeSnapshots(
      ...[left, right].map((side) => (side.status === "fulfilled" ? side.value : undefined)),
    );
  }
}
