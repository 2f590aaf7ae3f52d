/**
 * The database path's switch of the source of truth, in either direction:
 *
 * - forward (`db cutover`, verified → citus-primary): PostgreSQL's writes stop, Citus takes over;
 * - rollback (`db rollback`, citus-primary → verified): Citus's writes stop, PostgreSQL takes over.
 *
 * Both do the same three things on the side whose writes stop (the source) and the side taking
 * over (the target): freeze the application role's writes on the source (write-freeze.ts), replay
 * the dual writers' logs onto the target (what it missed while unreachable), and verify the
 * tables between the two (verify.ts), which gives the gate the phase step needs — data-verified
 * forward, data-synced-back for the rollback. When anything is missing on the target, or any step
 * fails, the freeze is undone before returning: a failed switch leaves both databases writable
 * as they were, with nothing lost.
 *
 * A successful switch keeps the source frozen: the stack step (advance or rollback) then points
 * the services at the target, and `reopen` gives the source's writes back so the dual writer
 * can keep it in step from then on.
 */
import { Client } from "pg";
import type { GateRecord } from "../../migrations/ledger";
import { pgClientConfig, redactConnectionString, type PgTimeouts } from "./connection";
import { replayFolder, type FolderReplay } from "./replay-folder";
import { qualifiedName } from "./table-shape";
import { verifyDatabases } from "./verify-databases";
import { verifyGateRecord, type VerifyDirection, type VerifyReport } from "./verify-report";
import { freezeDatabase, freezeWrites, reopenWrites, type WriteFreeze } from "./write-freeze";

export interface SwitchOptions {
  readonly direction: VerifyDirection;
  /** Admin connections: the side whose writes stop, and the side taking over. */
  readonly source: string;
  readonly target: string;
  /**
   * The role the application writes as, frozen on the source; undefined freezes the whole
   * source database instead (for an application writing as a superuser or the owner).
   */
  readonly role: string | undefined;
  /** The tables the application writes ("schema.table" or a table of public). */
  readonly tables: readonly string[];
  /** Replay log folders of the dual writers, drained onto the target. */
  readonly logs: readonly string[];
  /** How long the role's open transactions may take before they are ended. */
  readonly drainMs: number;
  readonly timeouts: PgTimeouts;
  /** Called once the source is frozen, before anything else: persist it to reopen after a crash. */
  readonly onFrozen?: (freeze: WriteFreeze) => void;
  /** What the switch is doing now, for a progress display. */
  readonly onStage?: (stage: string) => void;
  readonly onReplayBatch?: (log: string, replayed: number, total: number) => void;
  readonly onVerifyProgress?: (rows: number, total: number | undefined) => void;
}

/** What a switch did; `switched` false means every freeze was undone. */
export interface SwitchReport {
  readonly direction: VerifyDirection;
  /** Passwords redacted. */
  readonly source: string;
  readonly target: string;
  readonly switched: boolean;
  /** Why the switch was undone, when it was. */
  readonly undone?: string;
  readonly freeze: WriteFreeze;
  readonly replays: readonly FolderReplay[];
  readonly verification?: VerifyReport;
  /** The gate of this direction, sealed with the verification as evidence. */
  readonly gate?: GateRecord;
}

async function adminClient(url: string, timeouts: PgTimeouts): Promise<Client> {
  const client = new Client(pgClientConfig(url, timeouts));
  client.on("error", () => undefined); // surfaces through the next query
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`source ${redactConnectionString(url)}: ${(error as Error).message}`);
  }
  return client;
}

/** Freeze, replay, verify; undoes the freeze unless the target holds every row of the source. */
export async function switchSourceOfTruth(options: SwitchOptions): Promise<SwitchReport> {
  const tables = options.tables.map((t) => qualifiedName(t));
  const admin = await adminClient(options.source, options.timeouts);
  try {
    const who = options.role === undefined ? "every session" : `role ${options.role}`;
    options.onStage?.(`stopping writes of ${who} on ${redact(options.source)}`);
    const drain = { drainMs: options.drainMs };
    const freeze =
      options.role === undefined
        ? await freezeDatabase(admin, drain)
        : await freezeWrites(admin, options.role, tables, drain);
    const giveBack = () => reopenOrSayStuck(admin, options, freeze);
    try {
      options.onFrozen?.(freeze);
    } catch (error) {
      await giveBack();
      throw error;
    }
    const base = {
      direction: options.direction,
      source: redact(options.source),
      target: redact(options.target),
      freeze,
    };
    const undo = async (reason: string, rest: Partial<SwitchReport>): Promise<SwitchReport> => {
      await giveBack();
      return { ...base, replays: [], ...rest, switched: false, undone: reason };
    };
    const replays: FolderReplay[] = [];
    try {
      for (const log of options.logs) {
        options.onStage?.(`replaying ${log}`);
        replays.push(
          await replayFolder({
            log,
            source: options.source,
            target: options.target,
            tables,
            timeouts: options.timeouts,
            onBatch: (replayed, total) => options.onReplayBatch?.(log, replayed, total),
          }),
        );
      }
      const behind = replays.find((r) => !r.inStep);
      if (behind) {
        return await undo(
          `replay log ${behind.log} ${behind.overflow ? `overflowed at ${behind.overflow.since}: changes were lost` : `still holds ${behind.waiting} changes`}; copy the tables again (db backfill) and retry`,
          { replays },
        );
      }
      options.onStage?.("verifying");
      const verification = await verifyDatabases({
        source: options.source,
        target: options.target,
        tables,
        timeouts: options.timeouts,
        ...(options.onVerifyProgress ? { onProgress: options.onVerifyProgress } : {}),
      });
      const gate = verifyGateRecord(verification, options.direction);
      if (!verification.equal) {
        return await undo(
          "the target does not hold the same rows as the source (see the verification); find where the rows went missing (a dual writer without its log given here?), repair, and retry",
          { replays, verification, gate },
        );
      }
      return { ...base, replays, verification, gate, switched: true };
    } catch (error) {
      if (error instanceof StillFrozenError) throw error;
      await giveBack();
      throw error;
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/**
 * The switch failed and could not give the source's writes back either (the connection broke):
 * the freeze is still in force and its state file must be kept for `--reopen`.
 */
export class StillFrozenError extends Error {}

/** Gives the freeze back, on a fresh connection if the switch's own one broke. */
async function reopenOrSayStuck(
  admin: Client,
  options: Pick<SwitchOptions, "source" | "timeouts">,
  freeze: WriteFreeze,
): Promise<void> {
  try {
    await reopenWrites(admin, freeze);
  } catch {
    try {
      await reopenSource(options.source, freeze, options.timeouts);
    } catch (error) {
      throw new StillFrozenError(
        `the source's writes are STILL FROZEN: giving them back failed (${redact((error as Error).message)}); run the command again with --reopen once ${redact(options.source)} answers`,
      );
    }
  }
}

/** Gives back the writes a successful switch kept frozen on its source. */
export async function reopenSource(
  url: string,
  freeze: WriteFreeze,
  timeouts: PgTimeouts,
): Promise<void> {
  const admin = await adminClient(url, timeouts);
  try {
    await reopenWrites(admin, freeze);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

const redact = redactConnectionString;
