/**
 * The resumable record of an offset migration: one JSON line per translated partition, appended
 * and fsync'd after each chunk. A rerun reads it back and translates only what is missing, so a
 * run killed midway and rerun yields the same mapping.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { partitionKey, type PartitionTranslation } from "./offset-mapping";

interface ProgressHeader {
  readonly kind: "stepwise-offset-progress";
  /** The run's identity; a progress file of a different run is refused, not mixed in. */
  readonly run: string;
}

export class ProgressFile {
  private readonly done = new Map<string, PartitionTranslation>();

  constructor(
    private readonly path: string,
    run: string,
  ) {
    if (!existsSync(path)) {
      this.append([{ kind: "stepwise-offset-progress", run } satisfies ProgressHeader]);
      return;
    }
    const lines = readFileSync(path, "utf8").split("\n");
    const header = JSON.parse(lines[0] ?? "{}") as Partial<ProgressHeader>;
    if (header.kind !== "stepwise-offset-progress" || header.run !== run)
      throw new Error(
        `progress file ${path} belongs to another run (${header.run ?? "unknown"}); ` +
          `this run is ${run}. Pass a new --progress path, or delete the file to start over.`,
      );
    // A crash mid-append leaves at most one torn last line; it is simply translated again.
    for (const line of lines.slice(1)) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as PartitionTranslation;
        this.done.set(partitionKey(entry), entry);
      } catch {
        continue;
      }
    }
  }

  get(key: string): PartitionTranslation | undefined {
    return this.done.get(key);
  }

  get size(): number {
    return this.done.size;
  }

  record(entries: readonly PartitionTranslation[]): void {
    if (entries.length === 0) return;
    this.append(entries);
    for (const entry of entries) this.done.set(partitionKey(entry), entry);
  }

  private append(items: readonly object[]): void {
    const fd = openSync(this.path, "a");
    try {
      writeSync(fd, items.map((item) => JSON.stringify(item) + "\n").join(""));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
