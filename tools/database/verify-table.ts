/**
 * One table verified between two servers in key ranges. The source's primary-key index gives
 * the boundaries (every `chunkRows`-th key), so both sides sum up the same ranges; the first
 * range is open below and the last open above, so rows only on the target are counted wherever
 * their keys fall. Both sides compute a range's checksum at once (verify-sql.ts), several
 * ranges at a time on lanes of connections sharing each side's snapshot; a range whose count
 * or checksum differs is split at the middle key of the side holding more rows until neither
 * side holds more than `chunkRows` rows in it, and then its rows' keys and fingerprints are
 * compared. Memory is bounded by `chunkRows` keys per side per lane and `maxKeys` per list,
 * whatever the table's size or the number of differences.
 */
import type { ClientBase } from "pg";
import type { KeyList, TableSideSummary, TableVerification } from "./verify-report";
import {
  keyAtSql,
  rangeChecksumSql,
  rowFingerprintsSql,
  type KeyRange,
  type Statement,
} from "./verify-sql";
import { keyTextOf, type TableShape } from "./table-shape";

/** A connection to one side, and that side's name for errors ("target postgres://…"). */
export interface SideConnection {
  readonly client: ClientBase;
  readonly name: string;
}

/** Connections that read one snapshot of each side. */
export interface VerifyConnections {
  /** Reads the range boundaries from the source's key index. */
  readonly boundaries: SideConnection;
  /** One range at a time per lane: a source and a target connection. */
  readonly lanes: readonly { readonly source: SideConnection; readonly target: SideConnection }[];
}

export interface VerifyTableOptions {
  /** Source rows per key range, and the most rows per side compared row by row. */
  readonly chunkRows: number;
  /** Keys listed per kind of difference; the rest are counted. */
  readonly maxKeys: number;
  /** Called after each range with the source rows verified so far in this table. */
  readonly onRows?: (rows: number) => void;
}

/** Count and checksum of a range on one side. */
interface RangeSum {
  readonly rows: number;
  readonly sum: bigint;
}

type Kind = "missing" | "extra" | "changed";
type Differences = Record<Kind, { count: number; keys: string[] }>;

const noDifferences = (): Differences => ({
  missing: { count: 0, keys: [] },
  extra: { count: 0, keys: [] },
  changed: { count: 0, keys: [] },
});

/** Runs a statement; an error names the side and the table (e.g. a statement timeout). */
async function run(side: SideConnection, shape: TableShape, statement: Statement) {
  try {
    return await side.client.query(statement.text, [...statement.values]);
  } catch (error) {
    throw new Error(`${side.name}, table ${shape.table}: ${(error as Error).message}`);
  }
}

async function rangeSum(
  side: SideConnection,
  shape: TableShape,
  range: KeyRange,
): Promise<RangeSum> {
  const { rows } = await run(side, shape, rangeChecksumSql(shape, range));
  const row = rows[0] as { rows: string; checksum: string };
  return { rows: Number(row.rows), sum: BigInt(row.checksum) };
}

async function keyAt(
  side: SideConnection,
  shape: TableShape,
  range: KeyRange,
  position: number,
): Promise<string[] | undefined> {
  const { rows } = await run(side, shape, keyAtSql(shape, range, position));
  // Primary-key columns are never null.
  return rows[0] ? (keyTextOf(shape, rows[0] as Record<string, unknown>) as string[]) : undefined;
}

const same = (a: RangeSum, b: RangeSum) => a.rows === b.rows && a.sum === b.sum;
const plus = (a: RangeSum, b: RangeSum): RangeSum => ({
  rows: a.rows + b.rows,
  sum: a.sum + b.sum,
});
const minus = (a: RangeSum, b: RangeSum): RangeSum => ({
  rows: a.rows - b.rows,
  sum: a.sum - b.sum,
});

/** What one range held on each side, and the keys that differ in it (at most maxKeys each). */
interface RangeResult {
  readonly source: RangeSum;
  readonly target: RangeSum;
  readonly differences?: Differences;
}

/** Verifies one range on one lane, drilling down when its checksums differ. */
async function verifyRange(
  lane: VerifyConnections["lanes"][number],
  shape: TableShape,
  range: KeyRange,
  options: VerifyTableOptions,
): Promise<RangeResult> {
  const [left, right] = await Promise.all([
    rangeSum(lane.source, shape, range),
    rangeSum(lane.target, shape, range),
  ]);
  if (same(left, right)) return { source: left, target: right };
  const differences = noDifferences();
  const note = (kind: Kind, key: string) => {
    differences[kind].count++;
    if (differences[kind].keys.length < options.maxKeys) differences[kind].keys.push(key);
  };

  // Neither side holds more than chunkRows rows here: compare them row by row, by key.
  const compareRows = async (part: KeyRange) => {
    const [onSource, onTarget] = await Promise.all([
      run(lane.source, shape, rowFingerprintsSql(shape, part)),
      run(lane.target, shape, rowFingerprintsSql(shape, part)),
    ]);
    type Fingerprint = { key: string; fingerprint: string };
    const targetRows = new Map((onTarget.rows as Fingerprint[]).map((r) => [r.key, r.fingerprint]));
    for (const row of onSource.rows as Fingerprint[]) {
      const other = targetRows.get(row.key);
      if (other === undefined) note("missing", row.key);
      else if (other !== row.fingerprint) note("changed", row.key);
      targetRows.delete(row.key);
    }
    for (const key of targetRows.keys()) note("extra", key);
  };

  const drill = async (part: KeyRange, s: RangeSum, t: RangeSum): Promise<void> => {
    if (s.rows <= options.chunkRows && t.rows <= options.chunkRows) return compareRows(part);
    // Split at the middle key of the fuller side: each half holds fewer of its rows.
    const [side, rows] = s.rows >= t.rows ? [lane.source, s.rows] : [lane.target, t.rows];
    const middle = await keyAt(side, shape, part, Math.floor(rows / 2) - 1);
    if (!middle) throw new Error(`${shape.table}: a range's row count changed within a snapshot`);
    const lower = { ...part, through: middle };
    const [sLower, tLower] = await Promise.all([
      rangeSum(lane.source, shape, lower),
      rangeSum(lane.target, shape, lower),
    ]);
    if (!same(sLower, tLower)) await drill(lower, sLower, tLower);
    // The upper half's sums follow by subtraction: nothing to read again.
    const [sUpper, tUpper] = [minus(s, sLower), minus(t, tLower)];
    if (!same(sUpper, tUpper)) await drill({ ...part, after: middle }, sUpper, tUpper);
  };

  await drill(range, left, right);
  return { source: left, target: right, differences };
}

/** The ranges of a table in key order, each boundary read from the source's index. */
async function* ranges(
  side: SideConnection,
  shape: TableShape,
  chunkRows: number,
): AsyncGenerator<KeyRange> {
  let after: string[] | undefined;
  for (;;) {
    const through = await keyAt(side, shape, after ? { after } : {}, chunkRows - 1);
    yield { ...(after ? { after } : {}), ...(through ? { through } : {}) };
    if (!through) return;
    after = through;
  }
}

export async function verifyTable(
  connections: VerifyConnections,
  shape: TableShape,
  options: VerifyTableOptions,
): Promise<TableVerification> {
  const { lanes } = connections;
  const totals = { source: { rows: 0, sum: 0n }, target: { rows: 0, sum: 0n } };
  const differences = noDifferences();
  let chunks = 0;
  let differingChunks = 0;
  // Ranges are started in key order, one per lane, and taken back in that order, so the keys
  // listed are in key order too; at most one range per lane is in flight.
  const take = (result: RangeResult) => {
    totals.source = plus(totals.source, result.source);
    totals.target = plus(totals.target, result.target);
    if (result.differences) {
      differingChunks++;
      for (const kind of ["missing", "extra", "changed"] as const) {
        const from = result.differences[kind];
        const into = differences[kind];
        into.count += from.count;
        into.keys.push(...from.keys.slice(0, options.maxKeys - into.keys.length));
      }
    }
    options.onRows?.(totals.source.rows);
  };
  const inFlight: Promise<RangeResult>[] = [];
  try {
    for await (const range of ranges(connections.boundaries, shape, options.chunkRows)) {
      if (inFlight.length === lanes.length) take(await (inFlight.shift() as Promise<RangeResult>));
      const result = verifyRange(lanes[chunks % lanes.length], shape, range, options);
      result.catch(() => undefined); // handled when taken; not "unhandled" while it waits
      inFlight.push(result);
      chunks++;
    }
    while (inFlight.length > 0) take(await (inFlight.shift() as Promise<RangeResult>));
  } finally {
    // On a failure, the ranges still running end before their connections are closed.
    await Promise.allSettled(inFlight);
  }

  const summary = (t: RangeSum): TableSideSummary => ({ rows: t.rows, checksum: String(t.sum) });
  const list = (d: Differences[Kind]): KeyList => ({ count: d.count, keys: d.keys });
  return {
    table: shape.table,
    key: shape.key,
    equal: differingChunks === 0,
    source: summary(totals.source),
    target: summary(totals.target),
    chunks,
    differingChunks,
    missing: list(differences.missing),
    extra: list(differences.extra),
    changed: list(differences.changed),
  };
}
