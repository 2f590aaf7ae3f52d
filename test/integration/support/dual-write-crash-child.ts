/**
 * A service process for the dual writer's crash test: opens a writer on the log folder, makes one
 * write and dies by SIGKILL right after the source's commit, before the mirror (no handler
 * runs, nothing is flushed or closed). Settings come in STEPWISE_CRASH_CHILD as JSON.
 */
import { DualWriter } from "../../../tools/database/dual-writer";

interface CrashChild {
  readonly primary: string;
  readonly secondary: string;
  readonly tables: string[];
  readonly replayLogDir: string;
  /** write: one statement with RETURNING; transaction: two rows; delete: by key. */
  readonly call: "write" | "transaction" | "delete";
  readonly table: string;
  readonly id: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.STEPWISE_CRASH_CHILD ?? "") as CrashChild;
  const writer = new DualWriter({
    primary: settings.primary,
    secondary: settings.secondary,
    tables: settings.tables,
    replayLogDir: settings.replayLogDir,
    afterSourceCommit: () => process.kill(process.pid, "SIGKILL"),
  });
  await writer.open();
  const { table, id } = settings;
  if (settings.call === "write")
    await writer.write(
      table,
      `INSERT INTO ${table} (id, name) VALUES ($1, 'written') RETURNING *`,
      [id],
    );
  else if (settings.call === "transaction")
    await writer.transaction(async (tx) => {
      await tx.upsert(table, { id, name: "in a transaction" });
      await tx.upsert(table, { id: id + 1, name: "in a transaction" });
    });
  else await writer.delete(table, { id });
  // Only reached when the hook did not run: the parent sees exit code 3, not SIGKILL.
  process.exit(3);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
