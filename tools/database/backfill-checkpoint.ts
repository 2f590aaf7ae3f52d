/**
 * The backfill's checkpoint: per table, the last key whose chunk is copied, written after every
 * chunk to a temporary file that is flushed to disk and renamed over the checkpoint, so a crash
 * at any moment leaves either the old or the new checkpoint, never half of one. It names the
 * source, the target and the table set, so a resume against other databases or tables is
 * refused instead of skipping rows that were never copied there.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFileDurably } from "../durable-file";
import { redactConnectionString } from "./connection";

export const CHECKPOINT_KIND = "stepwise-backfill-checkpoint";

/** How far one table is copied. Keys are PostgreSQL's text of each key column. */
export interface TableProgress {
  /** The last key of the last chunk copied; null before the first chunk. */
  readonly lastKey: readonly string[] | null;
  readonly rowsRead: number;
  readonly rowsInserted: number;
  readonly rowsRemoved: number;
  readonly done: boolean;
}

export interface BackfillCheckpoint {
  readonly kind: typeof CHECKPOINT_KIND;
  readonly version: 1;
  /** host:port/database of each side: no user, no password. */
  readonly source: string;
  readonly target: string;
  /** "schema.table", in copy order. */
  readonly tables: readonly string[];
  readonly updatedAt: string;
  readonly progress: Readonly<Record<string, TableProgress>>;
}

/** A checkpoint that cannot be used for this run; the message says why and what to do. */
export class CheckpointError extends Error {}

export const NOT_STARTED: TableProgress = {
  lastKey: null,
  rowsRead: 0,
  rowsInserted: 0,
  rowsRemoved: 0,
  done: false,
};

/**
 * Which database a URL points at, without user or password: the same database reached as
 * another user, or with a changed password, is still the same database.
 */
export function databaseIdentity(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
    const host = parsed.searchParams.get("host") ?? decodeURIComponent(parsed.hostname);
    return `${host}:${parsed.port || "5432"}/${database}`;
  } catch {
    return redactConnectionString(url);
  }
}

/** The checkpoint in `file`, or undefined when there is none. */
export function readCheckpoint(file: string): BackfillCheckpoint | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CheckpointError(
      `checkpoint ${file} cannot be read (${(error as Error).message}); it is not a backfill checkpoint, or it was edited by hand. Remove it to start over (rows already copied are skipped, not duplicated)`,
    );
  }
  const checkpoint = parsed as Partial<BackfillCheckpoint>;
  if (checkpoint.kind !== CHECKPOINT_KIND || checkpoint.version !== 1 || !checkpoint.progress) {
    throw new CheckpointError(
      `${file} is not a stepwise backfill checkpoint (kind ${JSON.stringify(checkpoint.kind)}, version ${JSON.stringify(checkpoint.version)}); pass another --checkpoint file`,
    );
  }
  return checkpoint as BackfillCheckpoint;
}

/** Refuses a checkpoint written for other databases or another table set. */
export function requireSameRun(
  checkpoint: BackfillCheckpoint,
  file: string,
  run: { readonly source: string; readonly target: string; readonly tables: readonly string[] },
): void {
  const problems: string[] = [];
  if (checkpoint.source !== run.source)
    problems.push(`its source is ${checkpoint.source}, this run's is ${run.source}`);
  if (checkpoint.target !== run.target)
    problems.push(`its target is ${checkpoint.target}, this run's is ${run.target}`);
  const sorted = (tables: readonly string[]) => [...tables].sort().join(", ");
  if (sorted(checkpoint.tables) !== sorted(run.tables))
    problems.push(
      `its tables are ${sorted(checkpoint.tables)}, this run's are ${sorted(run.tables)}`,
    );
  if (problems.length > 0) {
    throw new CheckpointError(
      `checkpoint ${file} belongs to another backfill: ${problems.join("; ")}. Resume with the same --source, --target and --table, or pass another --checkpoint file for this one`,
    );
  }
}

/** Replaces the checkpoint all or nothing, durable once this returns. */
export function writeCheckpoint(file: string, checkpoint: BackfillCheckpoint): void {
  try {
    writeFileDurably(file, `${JSON.stringify(checkpoint, null, 2)}\n`);
  } catch (error) {
    throw new CheckpointError(
      `could not write checkpoint ${file} (${(error as Error).message}); the backfill stopped after the last chunk recorded there. Free some space or fix the folder's permissions, then resume`,
    );
  }
}
