/**
 * `stepwise events migrate-offsets`: at consumers-on-kafka (and on its rollback), translate the
 * consumer groups' offsets from one cluster to the other and commit them.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { migrateOffsets, OffsetMigrationError } from "../../../events/offsets/offset-migration";
import {
  OFFSETS_GATES,
  offsetsGateRecord,
  type RecordedOffsetsGate,
} from "../../../events/offsets/offsets-gate";
import { TranslationError } from "../../../events/offsets/translate-partition";
import { EXIT, UsageError } from "../../exit";
import { createProgress } from "../../progress";
import { addTimeoutOptions } from "../timeouts";
import { connectBoth, parsePositive, type ClusterOptions } from "./clusters";

export function registerMigrateOffsetsCommand(events: Command): void {
  addTimeoutOptions(events.command("migrate-offsets"))
    .description(
      "Translate consumer group offsets from source to target and commit them (resumable)",
    )
    .requiredOption("--source <bootstrap>", "cluster the groups consumed from")
    .requiredOption("--target <bootstrap>", "cluster the groups move to")
    .requiredOption("--group <ids...>", "consumer groups to move (stopped on both clusters)")
    .requiredOption("--progress <file>", "progress file; rerun with the same file to resume")
    .option("--topic <names...>", "only these topics (default: all the group committed on)")
    .option("--mapping <file>", "write the offset mapping (JSON) here")
    .option(
      "--record <file>",
      "write the gate record (JSON): offsets-migrated, or offsets-migrated-back with --rollback",
    )
    .option(
      "--rollback",
      "the reverse direction: consumers moving back (Kafka as --source, Redpanda as --target)",
    )
    .option("--dry-run", "translate and report; commit nothing")
    .option("--concurrency <n>", "partitions translated at once", parsePositive, 16)
    .option("--json", "print the mapping as JSON")
    .action(
      async (
        options: ClusterOptions & {
          group: string[];
          progress: string;
          topic?: string[];
          mapping?: string;
          record?: string;
          rollback?: boolean;
          dryRun?: boolean;
          concurrency: number;
          json?: boolean;
        },
      ) => {
        const [source, target] = await connectBoth(options);
        const progress = createProgress("offsets");
        let document;
        try {
          document = await migrateOffsets({
            source,
            target,
            sourceName: options.source,
            targetName: options.target,
            groups: options.group,
            topics: options.topic,
            direction: options.rollback ? "rollback" : "forward",
            progressFile: options.progress,
            mappingFile: options.mapping,
            dryRun: options.dryRun,
            concurrency: options.concurrency,
            onProgress: (done, total) => progress.update(done, total),
          });
        } catch (error) {
          if (error instanceof OffsetMigrationError && error.blocked) {
            progress.finish("refused");
            console.error(`stepwise: ${error.message}`);
            process.exitCode = EXIT.blocked;
            return;
          }
          if (error instanceof OffsetMigrationError || error instanceof TranslationError)
            throw new UsageError(error.message);
          throw error;
        }
        progress.finish(`${document.entries.length} partitions`);
        const record = offsetsGateRecord(document, new Date());
        if (options.record) {
          const file: RecordedOffsetsGate = { [OFFSETS_GATES[document.direction]]: record };
          writeFileSync(options.record, `${JSON.stringify(file, null, 2)}\n`);
        }
        if (options.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
        else {
          for (const e of document.entries)
            process.stdout.write(
              `${e.group} ${e.topic}/${e.partition}: ${e.sourceOffset} -> ${e.targetOffset} (${e.method}) ${e.action}\n`,
            );
          process.stdout.write(`${record.detail}\n`);
        }
        process.exitCode = EXIT.ok;
      },
    );
}
