/**
 * The dual writer's durable replay log: row changes the secondary database has not yet taken,
 * kept in a folder until replay applies them. It is the events path's spool (fsync'd before an
 * append resolves, bounded, replayed from a persisted cursor) holding row changes, plus:
 *
 * - replay-log.json, what the log belongs to: its tables with their keys and the two databases
 *   (system names when known; host, port and database name, never a user or password). A log
 *   is only replayed between those databases for those tables; an empty log may be taken over.
 * - replay-log.lock, the process that owns the folder: one writer or replayer at a time.
 * - replay-log.overflow.json, written when the log was full and changes could not be recorded:
 *   the secondary is then out of step in a way replay cannot mend (see docs/database.md).
 * - intents/, the writer's write-ahead intents (write-intents.ts). Intents a dead writer left
 *   count as waiting changes; replay (or the next writer) moves them into the log first.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { writeFileDurably } from "../durable-file";
import { Spool, SpoolFullError, type Peeked } from "../events/spool";
import { ROW_CHANGE_TOPIC, rowChangeCodec, type LoggedChange, type RowChange } from "./row-change";
import { WriteIntents } from "./write-intents";

export const MANIFEST_FILE = "replay-log.json";
const LOCK_FILE = "replay-log.lock";
const OVERFLOW_FILE = "replay-log.overflow.json";
const INTENTS_FOLDER = "intents";

/** Where rows come from and go to, safe to record: no user, no password. */
export interface LogEndpoint {
  /** "postgres" or "citus" when the program said so. */
  readonly system?: string;
  /** host:port/database */
  readonly database: string;
}

export interface ReplayLogIdentity {
  readonly tables: readonly { readonly table: string; readonly key: readonly string[] }[];
  readonly source: LogEndpoint;
  readonly target: LogEndpoint;
}

interface Manifest extends ReplayLogIdentity {
  readonly format: 1;
  readonly createdAt: string;
}

/** What replay cannot mend: changes lost because the log was full. */
export interface Overflow {
  /** When the first change could not be recorded. */
  readonly since: string;
  /** Tables with a change that was not recorded. */
  readonly tables: readonly string[];
}

/** The log belongs to other tables or databases; the message says which and what to do. */
export class ReplayLogMismatchError extends Error {}
/** Another process owns the folder. */
export class ReplayLogBusyError extends Error {}

/** Folders this process holds (the lock file's pid cannot tell two owners in one process). */
const heldHere = new Set<string>();

/** host:port/database of a postgres:// URL; the user and password are left out. */
export function logEndpoint(url: string, system?: string): LogEndpoint {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres";
  const host = parsed.hostname || parsed.searchParams.get("host") || "localhost";
  return {
    ...(system ? { system } : {}),
    database: `${host}:${parsed.port || "5432"}/${database}`,
  };
}

const databaseName = (endpoint: LogEndpoint) => endpoint.database.replace(/^[^/]*\//, "");
const describeTables = (identity: ReplayLogIdentity) =>
  [...identity.tables]
    .map((t) => `${t.table}(${t.key.join(", ")})`)
    .sort()
    .join(", ");
const describeEndpoint = (e: LogEndpoint) => (e.system ? `${e.system} ${e.database}` : e.database);

/**
 * Why a log written for `recorded` cannot be replayed as `wanted`, or undefined. Addresses may
 * differ (a proxy, the cluster's inside address); the database name, the system and the table
 * set (names and keys) may not.
 */
export function identityMismatch(
  recorded: ReplayLogIdentity,
  wanted: ReplayLogIdentity,
): string | undefined {
  if (describeTables(recorded) !== describeTables(wanted))
    return `it holds changes of ${describeTables(recorded)}, not of ${describeTables(wanted)}`;
  for (const side of ["source", "target"] as const) {
    const a = recorded[side];
    const b = wanted[side];
    const otherSystem = a.system !== undefined && b.system !== undefined && a.system !== b.system;
    if (otherSystem || databaseName(a) !== databaseName(b))
      return `it was written with ${describeEndpoint(a)} as the ${side}, not ${describeEndpoint(b)}`;
  }
  return undefined;
}

export interface ReplayLogOptions {
  /** Bytes of unreplayed changes the log may hold. @default 256 MiB */
  readonly maxBytes?: number;
}

export class ReplayLog {
  private readonly spool: Spool<LoggedChange>;
  /** The writer's write-ahead intents, in the same folder and under the same lock. */
  readonly intents: WriteIntents;
  private overflowState: Overflow | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    private identityState: ReplayLogIdentity,
    options: ReplayLogOptions,
  ) {
    const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.spool = new Spool<LoggedChange>(dir, { codec: rowChangeCodec, maxBytes });
    this.intents = new WriteIntents(join(dir, INTENTS_FOLDER), maxBytes);
    this.overflowState = readOverflow(dir);
  }

  /** What the folder's log belongs to, or undefined when there is none. */
  static manifest(dir: string): (ReplayLogIdentity & { createdAt: string }) | undefined {
    const path = join(dir, MANIFEST_FILE);
    if (!existsSync(path)) return undefined;
    return JSON.parse(readFileSync(path, "utf8")) as Manifest;
  }

  /**
   * Opens (or creates) the log in `dir` for `identity`, owning the folder until close(). Refuses
   * a folder another process owns, and a non-empty log written for other tables or databases.
   */
  static open(dir: string, identity: ReplayLogIdentity, options: ReplayLogOptions = {}): ReplayLog {
    mkdirSync(dir, { recursive: true });
    takeLock(dir);
    try {
      const recorded = ReplayLog.manifest(dir);
      const log = new ReplayLog(dir, recorded ?? identity, options);
      const problem = recorded && identityMismatch(recorded, identity);
      if (problem && (log.pending || log.overflow)) {
        log.spool.close().catch(() => undefined);
        log.intents.close().catch(() => undefined);
        throw new ReplayLogMismatchError(
          `replay log ${dir} belongs elsewhere: ${problem}. Replay it between the databases it was written for (stepwise db replay --log ${dir} …), or give this writer another folder`,
        );
      }
      if (!recorded || problem) {
        writeDurably(join(dir, MANIFEST_FILE), {
          format: 1,
          createdAt: new Date().toISOString(),
          ...identity,
        } satisfies Manifest);
        log.identityState = identity;
      }
      return log;
    } catch (error) {
      releaseLock(dir);
      throw error;
    }
  }

  /** The tables and databases the log belongs to. */
  get identity(): ReplayLogIdentity {
    return this.identityState;
  }

  /** True while changes wait for replay (intents a dead writer left included). */
  get pending(): boolean {
    return this.spool.pending || this.intents.leftover > 0;
  }

  /** Changes waiting for replay (intents a dead writer left included). */
  get waiting(): number {
    return this.spool.waitingMessages + this.intents.leftover;
  }

  /**
   * Moves the intents a dead writer left into the log, so replay copies the source's current
   * rows for their keys. A log too full to take them marks their tables as overflowed.
   */
  recoverIntents(): Promise<void> {
    return this.intents.recoverLeftover(async (changes) => {
      try {
        await this.append(changes);
      } catch (error) {
        if (!(error instanceof SpoolFullError)) throw error;
        for (const table of new Set(changes.map((c) => c.table))) this.recordOverflow(table);
      }
    });
  }

  /** Changes replayed since the log was created. */
  get replayed(): number {
    return this.spool.replayed;
  }

  get overflow(): Overflow | undefined {
    return this.overflowState;
  }

  /** Resolves once the changes are on disk; rejects with SpoolFullError when the log is full. */
  append(changes: readonly RowChange[]): Promise<void> {
    return this.spool.append(changes.map((change) => ({ ...change, topic: ROW_CHANGE_TOPIC })));
  }

  /** The oldest unreplayed changes, at most `limit`, in log order. */
  peek(limit: number): Peeked<RowChange> {
    const { messages, next } = this.spool.peek(limit);
    return { messages: messages.map(({ table, op, key }) => ({ table, op, key })), next };
  }

  commit(next: Peeked<RowChange>["next"]): void {
    this.spool.commit(next);
  }

  /** Records durably that changes of `table` were lost because the log was full. */
  recordOverflow(table: string, now = new Date()): void {
    const before = this.overflowState;
    if (before?.tables.includes(table)) return;
    this.overflowState = {
      since: before?.since ?? now.toISOString(),
      tables: [...(before?.tables ?? []), table].sort(),
    };
    writeDurably(join(this.dir, OVERFLOW_FILE), this.overflowState);
  }

  /** Forgets an overflow once the tables were copied again and verified. */
  clearOverflow(): void {
    this.overflowState = undefined;
    rmSync(join(this.dir, OVERFLOW_FILE), { force: true });
  }

  /** Persists the cursor, closes the file and gives up the folder. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.all([this.spool.close(), this.intents.close()]);
    } finally {
      releaseLock(this.dir);
    }
  }
}

function readOverflow(dir: string): Overflow | undefined {
  const path = join(dir, OVERFLOW_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Overflow) : undefined;
}

/** Writes JSON to `path` through a synced temporary file, so a crash leaves old or new. */
function writeDurably(path: string, value: unknown): void {
  writeFileDurably(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
}

/** Takes the folder's lock, or throws naming its owner; a dead owner's lock is taken over. */
function takeLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(dir))
    throw new ReplayLogBusyError(
      `replay log ${dir} is already open in this process; close the other writer or replayer first`,
    );
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
      closeSync(fd);
      heldHere.add(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(path);
      if (owner && ownerAlive(owner))
        throw new ReplayLogBusyError(
          `replay log ${dir} is in use by process ${owner.pid} on ${owner.host}; stop it (a service's dual writer replays its own log) or wait for it to finish`,
        );
      rmSync(path, { force: true }); // its owner died; the spool's cursor makes taking over safe
    }
  }
  throw new ReplayLogBusyError(`replay log ${dir}: could not take ${LOCK_FILE}; try again`);
}

function readOwner(path: string): { pid: number; host: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as { pid: number; host: string };
  } catch {
    return undefined; // half-written by an owner that died at once
  }
}

function ownerAlive(owner: { pid: number; host: string }): boolean {
  if (owner.host !== hostname()) return true; // cannot tell; assume it runs
  if (owner.pid === process.pid) return false; // not in heldHere: left by an earlier run
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function releaseLock(dir: string): void {
  heldHere.delete(dir);
  rmSync(join(dir, LOCK_FILE), { force: true });
}
