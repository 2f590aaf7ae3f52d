/**
 * `stepwise events verify`: proof of no loss between the two clusters, per partition; with
 * --rollback the messages-synced-back gate (Redpanda holds every record of Kafka).
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import {
  MESSAGES_GATE,
  messagesGateRecord,
  type RecordedMessagesGate,
} from "../../../events/verify/verify-gate";
import {
  verifyTopic,
  VerifyError,
  type TopicVerification,
} from "../../../events/verify/verify-topic";
import { EXIT, UsageError } from "../../exit";
import { createProgress } from "../../progress";
import { addTimeoutOptions } from "../timeouts";
import { connectBoth, parsePositive, type ClusterOptions } from "./clusters";

export function registerVerifyCommand(events: Command): void {
  addTimeoutOptions(events.command("verify"))
    .description("Prove every message on the source is on the target, per partition; exit 1 if not")
    .requiredOption("--source <bootstrap>", "cluster whose messages must all be on the target")
    .requiredOption("--target <bootstrap>", "cluster checked")
    .requiredOption("--topic <names...>", "topics to verify")
    .option("--window <n>", "look-ahead and memory bound, in messages", parsePositive, 10_000)
    .option("--concurrency <n>", "partitions verified at once", parsePositive, 4)
    .option(
      "--rollback",
      "before producers publish to Redpanda again: Kafka as --source, Redpanda as --target; " +
        "Redpanda may hold more (what it had before), only missing or reordered records fail",
    )
    .option("--record <file>", `with --rollback, write the ${MESSAGES_GATE} gate record (JSON)`)
    .option("--json", "print the results as JSON")
    .action(
      async (
        options: ClusterOptions & {
          topic: string[];
          window: number;
          concurrency: number;
          rollback?: boolean;
          record?: string;
          json?: boolean;
        },
      ) => {
        if (options.record !== undefined && !options.rollback) {
          throw new UsageError(
            `--record writes the ${MESSAGES_GATE} gate of a rollback; add --rollback (Kafka as --source, Redpanda as --target)`,
          );
        }
        const [source, target] = await connectBoth(options);
        const results: TopicVerification[] = [];
        for (const topic of options.topic) {
          const progress = createProgress(`verify ${topic}`);
          try {
            results.push(
              await verifyTopic({
                source,
                target,
                topic,
                window: options.window,
                concurrency: options.concurrency,
                onPartition: (_result, done, total) => progress.update(done, total),
              }),
            );
          } catch (error) {
            if (error instanceof VerifyError) throw new UsageError(error.message);
            throw error;
          }
          progress.finish();
        }
        const json = (_key: string, value: unknown) =>
          typeof value === "bigint" ? value.toString() : value;
        if (options.json) process.stdout.write(`${JSON.stringify(results, json, 2)}\n`);
        else for (const r of results) process.stdout.write(renderVerification(r));
        if (!options.rollback) {
          process.exitCode = results.every((r) => r.passed) ? EXIT.ok : EXIT.blocked;
          return;
        }
        const record = messagesGateRecord(results, options, new Date());
        if (options.record !== undefined) {
          const file: RecordedMessagesGate = { [MESSAGES_GATE]: record };
          writeFileSync(options.record, `${JSON.stringify(file, null, 2)}\n`);
        }
        if (!options.json)
          process.stdout.write(`${record.passed ? "PASSED" : "FAILED"}: ${record.detail}\n`);
        process.exitCode = record.passed ? EXIT.ok : EXIT.blocked;
      },
    );
}

/** A short report: one line per partition, examples of what is wrong. */
export function renderVerification(result: TopicVerification): string {
  const lines = [`${result.passed ? "PASSED" : "FAILED"} ${result.topic} (${result.mode})`];
  for (const p of result.partitions) {
    const range = `source ${p.source.from}..${p.source.to}, target ${p.target.from}..${p.target.to}`;
    const status = p.passed ? "ok" : "MISMATCH";
    if (p.mode === "log") {
      const c = p.comparison;
      lines.push(
        `  ${p.partition}: ${status}  matched ${c.matched}, missing ${c.missing}, extra ${c.extra}, ` +
          `reordered ${c.reordered}, duplicates ${c.duplicatesOnTarget}, ` +
          `trimmed by retention ${c.trimmedByRetention}  (${range})`,
      );
    } else {
      const c = p.comparison;
      lines.push(
        `  ${p.partition}: ${status}  keys matched ${c.matched}, missing ${c.missing}, ` +
          `extra ${c.extra}, different value ${c.differing}  (${range})`,
      );
    }
    for (const [kind, examples] of Object.entries(p.comparison.examples))
      for (const e of examples as ReadonlyArray<{ id: string; offset: string }>)
        lines.push(`     ${kind}: ${e.id} at offset ${e.offset}`);
  }
  return lines.join("\n") + "\n";
}
