/**
 * The dual writer: a service's writes to its database, kept in step on a second one (phases
 * dual-write and verified of the database path: PostgreSQL is the source of truth and Citus
 * follows; citus-primary: the roles swap and PostgreSQL follows, so a rollback loses nothing).
 *
 * - The source of truth's write decides the result. write(), upsert(), delete() and
 *   transaction() resolve or reject exactly as the write to it did.
 * - Before the source's write commits, the keys it changes are on disk as a write-ahead intent
 *   (write-intents.ts; appends arriving together share one fsync). upsert() and delete() know
 *   their key beforehand; write() and transaction() run in a source transaction and take the
 *   keys from RETURNING before COMMIT. The intent is passed once the change is mirrored or
 *   logged, so a process that dies in between leaves it for replay: nothing committed is missed.
 * - In the same call the changed rows are mirrored to the secondary (mirror-apply.ts: by primary
 *   key, re-read from the source, deletes as tombstones). Any failure there is swallowed: the
 *   changes go to a durable local replay log (replay-log.ts) and the call still resolves.
 * - The first failure marks the secondary unhealthy; from then on, and while the log holds
 *   anything, changes go straight to the log (the call waits for its fsync, not for the
 *   secondary) and a background replay drains it; once it is empty the secondary is healthy.
 * - Waits on the secondary are bounded (secondaryTimeouts): a dead secondary holds up at most
 *   one call per outage, for at most max(connectMs, statementMs + 1 s).
 * - A full log cannot record a change: the call still resolves, the change is counted as lost
 *   and the log's overflow file names its table; replay then reports the secondary out of step
 *   until the tables are copied and verified again (db backfill, db verify). An intent that does
 *   not fit (or whose disk fails) does not stop the write either: it goes on unprotected against
 *   a crash before its mirror, counted as `unprotected`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DatabaseError, Pool, type PoolClient, type QueryResult, type QueryResultRow } from "pg";
import { SpoolFullError } from "../events/spool";
import { pgClientConfig, redactConnectionString, type PgTimeouts } from "./connection";
import { applyRowChanges, STABLE_TEXT_OPTIONS } from "./mirror-apply";
import { replayLog } from "./log-replay";
import { logEndpoint, ReplayLog, type Overflow } from "./replay-log";
import type { RowChange } from "./row-change";
import {
  deleteStatement,
  DualWriteUsageError,
  keyTextsOf,
  runWrite,
  upsertStatement,
} from "./dual-write-statements";
import type { WriteIntent } from "./write-intents";
import { dualWriteEnv } from "./dual-write-env";
import { qualifiedName, readKeyedShapes, requireSameShapes, type TableShape } from "./table-shape";

export { DualWriteUsageError, deleteStatement, upsertStatement } from "./dual-write-statements";
export { dualWriteEnv, type DualWriteTargets } from "./dual-write-env";

export interface DualWriterOptions {
  /** The source of truth: where reads go and whose write decides (DATABASE_URL). */
  readonly primary: string;
  /** The database kept in step (DATABASE_DUAL_WRITE_URL); absent: no dual writing. */
  readonly secondary?: string;
  /** The program's names of the two, e.g. postgres and citus (recorded in the replay log). */
  readonly systems?: { readonly primary?: string; readonly secondary?: string };
  /** Tables written through the writer ("schema.table" or a table of public); each needs a key. */
  readonly tables: readonly string[];
  /** Folder of the replay log; one writer process per folder. */
  readonly replayLogDir: string;
  /** Bytes of unreplayed changes the log may hold. @default 256 MiB */
  readonly maxLogBytes?: number;
  /** @default DEFAULT_PG_TIMEOUTS (10 s connect, 30 s per statement) */
  readonly primaryTimeouts?: PgTimeouts;
  /** Short, so a dead secondary hardly delays a call. @default 1 s connect, 1 s per statement */
  readonly secondaryTimeouts?: PgTimeouts;
  /** Connections to the primary for the service's statements. @default 10 */
  readonly poolSize?: number;
  /** How often replay is retried while the secondary fails. @default 1000 */
  readonly replayIntervalMs?: number;
  /** Changes per replay transaction. @default 500 */
  readonly replayBatchSize?: number;
  /** For crash tests only: runs after the source's commit, before the mirror. */
  readonly afterSourceCommit?: () => void;
}

export interface DualWriterState {
  /** False when no secondary is configured. */
  readonly dualWriting: boolean;
  readonly secondaryHealthy: boolean;
  /** Calls whose primary write succeeded / failed. */
  readonly primaryWrites: number;
  readonly primaryFailures: number;
  /** Row changes applied on the secondary in the same call. */
  readonly mirrored: number;
  /** Row changes this writer put in the replay log. */
  readonly spooled: number;
  /** Row changes this writer replayed from the log. */
  readonly replayed: number;
  /** Row changes in the log, waiting (including any left by an earlier run). */
  readonly waiting: number;
  /** Row changes that could not be recorded (the log was full or its disk failed). */
  readonly lost: number;
  /**
   * Row changes written without a write-ahead intent (it did not fit or its disk failed): a
   * crash between their commit and their mirror would lose them.
   */
  readonly unprotected: number;
  /** Failed attempts on the secondary (live mirrors and replays). */
  readonly secondaryFailures: number;
  /** The last secondary failure, passwords redacted, until the secondary is healthy again. */
  readonly lastSecondaryError: string | undefined;
  /** Set once the log overflowed; see docs/database.md. */
  readonly overflow: Overflow | undefined;
}

/** The writing half of a transaction: statements run on the primary inside it. */
export interface DualTransaction {
  query<R extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  write<R extends QueryResultRow = QueryResultRow>(
    table: string,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  upsert<R extends QueryResultRow = QueryResultRow>(
    table: string,
    row: Readonly<Record<string, unknown>>,
  ): Promise<R | undefined>;
  delete(table: string, key: Readonly<Record<string, unknown>>): Promise<number>;
}

const DEFAULT_SECONDARY_TIMEOUTS: PgTimeouts = { connectMs: 1000, statementMs: 1000 };

export class DualWriter {
  /** The source of truth's pool: reads, and anything not written through the writer. */
  readonly primary: Pool;
  /** Re-reads rows for the secondary, with stable text settings. */
  private readonly mirrorSource: Pool;
  private readonly secondaryPool: Pool | undefined;
  private shapes = new Map<string, TableShape>();
  private log: ReplayLog | undefined;
  private healthy = true;
  private replaying: Promise<void> | undefined;
  private closing = false;
  private wake: AbortController | undefined;
  private lastError: string | undefined;
  private counts = {
    primaryWrites: 0,
    primaryFailures: 0,
    mirrored: 0,
    spooled: 0,
    replayed: 0,
    lost: 0,
    unprotected: 0,
    secondaryFailures: 0,
  };

  constructor(private readonly options: DualWriterOptions) {
    const primaryTimeouts = options.primaryTimeouts;
    // ISO dates and exact floats on the primary too: key texts taken from its answers are cast
    // back on the other connections (node-postgres reads ISO dates only anyway).
    this.primary = new Pool({
      ...pgClientConfig(options.primary, primaryTimeouts),
      options: "-c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3",
      max: options.poolSize ?? 10,
    });
    this.mirrorSource = new Pool({
      ...pgClientConfig(options.primary, primaryTimeouts),
      options: STABLE_TEXT_OPTIONS,
      max: 4,
    });
    const secondaryTimeouts = options.secondaryTimeouts ?? DEFAULT_SECONDARY_TIMEOUTS;
    this.secondaryPool = options.secondary
      ? new Pool({
          ...pgClientConfig(options.secondary, secondaryTimeouts),
          options: STABLE_TEXT_OPTIONS,
          max: 4,
        })
      : undefined;
    // A connection that dies (server restarted, link cut) must not crash the service: idle in
    // the pool, or checked out between two statements (a mirror waits on the source with its
    // target connection open). The failure surfaces through the next statement on it.
    for (const pool of [this.primary, this.mirrorSource, this.secondaryPool]) {
      pool?.on("error", () => undefined);
      pool?.on("connect", (client) => client.on("error", () => undefined));
    }
  }

  /**
   * A writer configured the way the program configures a service: DATABASE_URL (source of
   * truth), DATABASE_DUAL_WRITE_URL (kept in step; absent: no dual writing), and the system
   * names DATABASE_READ_FROM and DATABASE_WRITE_TO.
   */
  static fromEnv(
    options: Omit<DualWriterOptions, "primary" | "secondary" | "systems">,
    env: NodeJS.ProcessEnv = process.env,
  ): DualWriter {
    return new DualWriter({ ...options, ...dualWriteEnv(env) });
  }

  /**
   * Reads the tables' shapes (refusing a missing table or one without a key, and a secondary
   * whose tables differ), opens the replay log and replays what an earlier run left. A
   * secondary that cannot be reached now is caught up by replay later.
   */
  async open(): Promise<void> {
    const client = await this.primary.connect();
    try {
      const shapes = await readKeyedShapes(
        client,
        this.options.tables,
        `primary ${redactConnectionString(this.options.primary)}`,
      );
      this.shapes = new Map(shapes.map((s) => [s.table, s]));
    } finally {
      client.release();
    }
    if (!this.secondaryPool || !this.options.secondary) return;
    const shapes = [...this.shapes.values()];
    this.log = ReplayLog.open(
      this.options.replayLogDir,
      {
        tables: shapes.map((s) => ({ table: s.table, key: s.key })),
        source: logEndpoint(this.options.primary, this.options.systems?.primary),
        target: logEndpoint(this.options.secondary, this.options.systems?.secondary),
      },
      this.options.maxLogBytes !== undefined ? { maxBytes: this.options.maxLogBytes } : {},
    );
    try {
      await this.log.recoverIntents(); // a crashed run's intents, before any of this run's
    } catch (error) {
      await this.log.close();
      this.log = undefined;
      throw error;
    }
    try {
      const secondary = await this.secondaryPool.connect();
      try {
        const on = `secondary ${redactConnectionString(this.options.secondary)}`;
        requireSameShapes(shapes, await readKeyedShapes(secondary, this.options.tables, on));
      } finally {
        secondary.release();
      }
    } catch (error) {
      if (!isConnectionFailure(error)) {
        await this.log.close();
        throw error;
      }
      this.secondaryFailed(error);
    }
    if (this.log.pending) this.startReplay();
  }

  /** A statement on the primary outside any dual writing: reads. */
  query<R extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>> {
    return this.primary.query<R>(sql, params as unknown[]);
  }

  /**
   * One INSERT, UPDATE or DELETE of `table` on the primary, whose RETURNING list includes the
   * key columns (RETURNING * does); the returned rows are the ones mirrored.
   */
  async write<R extends QueryResultRow = QueryResultRow>(
    table: string,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>> {
    const shape = this.shapeOf(table);
    if (!this.log) {
      const { result, changes } = await this.onPrimary(() =>
        runWrite<R>(this.primary, shape, sql, params),
      );
      await this.mirror(changes);
      return result;
    }
    const { value, changes, intent } = await this.onPrimary(() =>
      this.inTransaction(async (client, changes) => {
        const written = await runWrite<R>(client, shape, sql, params);
        changes.push(...written.changes);
        return written.result;
      }),
    );
    await this.mirrorAndPass(changes, intent);
    return value;
  }

  /** Inserts the row or updates the one with its key; resolves with the row as written. */
  async upsert<R extends QueryResultRow = QueryResultRow>(
    table: string,
    row: Readonly<Record<string, unknown>>,
  ): Promise<R | undefined> {
    const shape = this.shapeOf(table);
    const { sql, params } = upsertStatement(shape, row);
    const change: RowChange = { table: shape.table, op: "upsert", key: keyTextsOf(shape, row) };
    return (await this.writeKnownKey<R>(shape, change, sql, params)).rows[0];
  }

  /** Deletes the row with this key; resolves with the number deleted (0 or 1). */
  async delete(table: string, key: Readonly<Record<string, unknown>>): Promise<number> {
    const shape = this.shapeOf(table);
    const { sql, params } = deleteStatement(shape, key);
    const change: RowChange = { table: shape.table, op: "delete", key: keyTextsOf(shape, key) };
    return (await this.writeKnownKey(shape, change, sql, params)).rowCount ?? 0;
  }

  /**
   * One statement whose changed row is known beforehand: its intent is recorded first, then the
   * statement commits on its own (no transaction round trips).
   */
  private async writeKnownKey<R extends QueryResultRow>(
    shape: TableShape,
    change: RowChange,
    sql: string,
    params: readonly unknown[],
  ): Promise<QueryResult<R>> {
    if (!this.log) return this.write<R>(shape.table, sql, params);
    const intent = await this.recordIntent([change]);
    let written: Awaited<ReturnType<typeof runWrite<R>>>;
    try {
      written = await this.onPrimary(() => runWrite<R>(this.primary, shape, sql, params));
    } catch (error) {
      await this.settleFailedWrite(intent, [change], !rolledBack(error));
      throw error;
    }
    await this.mirrorAndPass(written.changes, intent);
    return written.result;
  }

  /**
   * Runs `work` in one primary transaction; once it commits, every row it changed is mirrored
   * in one secondary transaction. A rejection of `work` or of the commit rolls back and
   * rejects, mirroring nothing.
   */
  async transaction<T>(work: (tx: DualTransaction) => Promise<T>): Promise<T> {
    const { value, changes, intent } = await this.onPrimary(() =>
      this.inTransaction((client, changes) => work(this.transactionOn(client, changes))),
    );
    await this.mirrorAndPass(changes, intent);
    return value;
  }

  /**
   * Runs `work` in a source transaction; the keys it changed are recorded as an intent before
   * COMMIT. On failure rolls back, settles the intent and rethrows.
   */
  private async inTransaction<T>(
    work: (client: PoolClient, changes: RowChange[]) => Promise<T>,
  ): Promise<{ value: T; changes: RowChange[]; intent: WriteIntent | undefined }> {
    const client = await this.primary.connect();
    const changes: RowChange[] = [];
    let intent: WriteIntent | undefined;
    let committing = false;
    try {
      await client.query("BEGIN");
      const value = await work(client, changes);
      intent = await this.recordIntent(changes);
      committing = true;
      await client.query("COMMIT");
      client.release();
      return { value, changes, intent };
    } catch (error) {
      // A connection that could roll back is fine for the next call (a constraint violation
      // must not cost a reconnect); one that could not is discarded.
      const usable = await client.query("ROLLBACK").then(
        () => true,
        () => false,
      );
      client.release(usable ? undefined : true);
      await this.settleFailedWrite(intent, changes, committing && !rolledBack(error));
      throw error;
    }
  }

  private transactionOn(client: PoolClient, changes: RowChange[]): DualTransaction {
    const write = async <R extends QueryResultRow>(
      table: string,
      sql: string,
      params?: readonly unknown[],
    ) => {
      const written = await runWrite<R>(client, this.shapeOf(table), sql, params);
      changes.push(...written.changes);
      return written.result;
    };
    return {
      query: (sql, params) => client.query(sql, params as unknown[]),
      write,
      upsert: async (table, row) => {
        const { sql, params } = upsertStatement(this.shapeOf(table), row);
        return (await write(table, sql, params)).rows[0] as never;
      },
      delete: async (table, key) => {
        const { sql, params } = deleteStatement(this.shapeOf(table), key);
        return (await write(table, sql, params)).rowCount ?? 0;
      },
    };
  }

  get state(): DualWriterState {
    return {
      dualWriting: this.secondaryPool !== undefined,
      secondaryHealthy: this.secondaryPool !== undefined && this.healthy && !this.log?.pending,
      ...this.counts,
      waiting: this.log?.waiting ?? 0,
      lastSecondaryError: this.lastError,
      overflow: this.log?.overflow,
    };
  }

  /** Replays until the log is empty or the time is up; true when it is empty. */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.log?.pending || this.replaying) {
      if (Date.now() >= deadline) return false;
      if (this.log?.pending) this.startReplay(true);
      await sleep(20);
    }
    return true;
  }

  /** Replays what it can within `drainTimeoutMs`, then closes; the rest stays in the log. */
  async close(drainTimeoutMs = 5000): Promise<void> {
    await this.drain(drainTimeoutMs);
    this.closing = true;
    this.wake?.abort();
    await this.replaying;
    await this.log?.close();
    await Promise.allSettled([
      this.primary.end(),
      this.mirrorSource.end(),
      this.secondaryPool?.end(),
    ]);
  }

  private shapeOf(table: string): TableShape {
    const shape = this.shapes.get(qualifiedName(table));
    if (!shape)
      throw new DualWriteUsageError(
        this.shapes.size === 0
          ? `dual writer not open; call open() before writing ${table}`
          : `table ${qualifiedName(table)} is not written through this writer; add it to the writer's tables (${[...this.shapes.keys()].join(", ")})`,
      );
    return shape;
  }

  private async onPrimary<T>(work: () => Promise<T>): Promise<T> {
    try {
      const value = await work();
      this.counts.primaryWrites++;
      return value;
    } catch (error) {
      this.counts.primaryFailures++;
      throw error;
    }
  }

  /** The intent of the changes, on disk; undefined when there is none to record or it failed. */
  private async recordIntent(changes: readonly RowChange[]): Promise<WriteIntent | undefined> {
    if (!this.log || changes.length === 0) return undefined;
    try {
      return await this.log.intents.record(changes);
    } catch {
      this.counts.unprotected += changes.length; // the write goes on; see the class comment
      return undefined;
    }
  }

  /** After the source's commit: mirrors (or logs) the changes, then passes their intent. */
  private async mirrorAndPass(
    changes: readonly RowChange[],
    intent: WriteIntent | undefined,
  ): Promise<void> {
    if (changes.length > 0) this.options.afterSourceCommit?.();
    await this.mirror(changes);
    if (intent) this.log?.intents.pass(intent);
  }

  /**
   * A write that failed after its intent was recorded: when it may have committed anyway (the
   * connection failed during COMMIT) its changes are logged, so replay copies whatever is there.
   */
  private async settleFailedWrite(
    intent: WriteIntent | undefined,
    changes: readonly RowChange[],
    mayHaveCommitted: boolean,
  ): Promise<void> {
    if (!intent) return;
    if (mayHaveCommitted) await this.toLog(changes);
    this.log?.intents.pass(intent);
  }

  /** Brings the secondary in step with the changes; never throws. */
  private async mirror(changes: readonly RowChange[]): Promise<void> {
    const pool = this.secondaryPool;
    if (!pool || !this.log || changes.length === 0) return;
    if (!this.healthy || this.log.pending || this.replaying) {
      await this.toLog(changes);
      return;
    }
    try {
      const client = await pool.connect();
      try {
        await applyRowChanges(this.mirrorSource, client, this.shapes, changes);
        client.release();
      } catch (error) {
        client.release(true); // discard: the server rolls the transaction back
        throw error;
      }
      this.counts.mirrored += changes.length;
    } catch (error) {
      this.secondaryFailed(error);
      await this.toLog(changes);
    }
  }

  private async toLog(changes: readonly RowChange[]): Promise<void> {
    const log = this.log as ReplayLog;
    try {
      await log.append(changes);
      this.counts.spooled += changes.length;
    } catch (error) {
      this.counts.lost += changes.length;
      this.lastError =
        error instanceof SpoolFullError
          ? error.message
          : `replay log ${log.dir}: ${(error as Error).message}`;
      try {
        for (const table of new Set(changes.map((c) => c.table))) log.recordOverflow(table);
      } catch {
        // the disk refuses even the small overflow file; `lost` still counts it
      }
    }
    this.startReplay();
  }

  private secondaryFailed(error: unknown): void {
    this.healthy = false;
    this.counts.secondaryFailures++;
    this.lastError = redactConnectionString((error as Error).message ?? String(error));
  }

  /** Starts the background replay unless it runs; `now` skips the wait before a retry. */
  private startReplay(now = false): void {
    if (now) this.wake?.abort();
    if (this.replaying || this.closing || !this.log?.pending) return;
    this.replaying = this.replayInBackground().finally(() => {
      this.replaying = undefined;
      // Changes appended while it finished are replayed too.
      if (this.log?.pending && !this.closing) this.startReplay();
    });
  }

  private async replayInBackground(): Promise<void> {
    const log = this.log as ReplayLog;
    const pool = this.secondaryPool as Pool;
    while (log.pending && !this.closing) {
      let client: PoolClient | undefined;
      try {
        client = await pool.connect();
        const done = await replayLog(log, this.mirrorSource, client, this.shapes, {
          batchSize: this.options.replayBatchSize ?? 500,
          stop: () => this.closing,
        });
        client.release();
        this.counts.replayed += done.replayed;
      } catch (error) {
        client?.release(true);
        this.secondaryFailed(error);
        this.wake = new AbortController();
        await sleep(this.options.replayIntervalMs ?? 1000, undefined, {
          signal: this.wake.signal,
        }).catch(() => undefined);
      }
    }
    if (!log.pending) {
      this.healthy = true;
      this.lastError = undefined;
    }
  }
}

/** The server refused the statement or commit: the transaction certainly rolled back. */
function rolledBack(error: unknown): boolean {
  return error instanceof DatabaseError && !/^(08|57|XX)/.test(error.code ?? "");
}

/** Connection-level failures; anything else on the secondary at open() is a setup problem. */
function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  const message = (error as Error).message ?? "";
  return (
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|57P0[0-9]|08...)$/.test(
      code,
    ) || /timeout|terminated|Connection terminated|ECONNREFUSED/i.test(message)
  );
}
