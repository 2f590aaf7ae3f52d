/**
 * `stepwise events …`: the data-plane tools of the Redpanda → Kafka path.
 *   compat            phase 1: compare clusters, record the compatibility-verified gate
 *   migrate-offsets   phase consumers-on-kafka (and rollback): translate and commit group offsets
 *   verify            proof of no loss between the two clusters, per partition; with --rollback
 *                     the messages-synced-back gate (Redpanda holds every record of Kafka)
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { Kafka, logLevel } from "kafkajs";
import { parseAppSettings, type AppSettings } from "../../events/compat/app-settings";
import { checkCompatibility } from "../../events/compat/check-compatibility";
import { migrateOffsets, OffsetMigrationError } from "../../events/offsets/migrate-offsets";
import {
  OFFSETS_GATES,
  offsetsGateRecord,
  type RecordedOffsetsGate,
} from "../../events/offsets/offsets-gate";
import { TranslationError } from "../../events/offsets/translate-partition";
import {
  MESSAGES_GATE,
  messagesGateRecord,
  type RecordedMessagesGate,
} from "../../events/verify/verify-gate";
import { verifyTopic, VerifyError, type TopicVerification } from "../../events/verify/verify-topic";
import { EXIT, UsageError } from "../exit";
import { createProgress } from "../progress";
import {
  addTimeoutOptions,
  noAnswerHint,
  timeoutsOf,
  withDeadline,
  type NetworkTimeouts,
  type TimeoutOptions,
} from "./timeouts";

interface Clusters extends TimeoutOptions {
  source: string;
  target: string;
}

export function registerEventsCommands(program: Command): void {
  const events = program
    .command("events")
    .description("Redpanda → Kafka event tools (kafkajs, real brokers)");

  addTimeoutOptions(events.command("compat"))
    .description(
      "Compare topics, settings and API versions of two clusters; exit 1 on a blocking difference",
    )
    .requiredOption("--source <bootstrap>", "source cluster (Redpanda), host:port[,host:port]")
    .requiredOption("--target <bootstrap>", "target cluster (Kafka), host:port[,host:port]")
    .requiredOption("--topic <names...>", "topics to compare")
    .option("--app <file>", "the application's producer/consumer settings (JSON)")
    .option("--record <file>", "write the compatibility-verified gate record (JSON)")
    .option("--json", "print the report as JSON")
    .action(
      async (
        options: Clusters & { topic: string[]; app?: string; record?: string; json?: boolean },
      ) => {
        const app = options.app ? readAppSettings(options.app) : undefined;
        const [source, target] = await connectBoth(options);
        const { record, report } = await checkCompatibility({
          source,
          target,
          sourceName: options.source,
          targetName: options.target,
          topics: options.topic,
          app,
          recordFile: options.record,
        });
        if (options.json) process.stdout.write(`${JSON.stringify({ record, report }, null, 2)}\n`);
        else {
          for (const f of report.findings)
            process.stdout.write(`${f.severity.padEnd(8)} ${f.subject}: ${f.message}\n`);
          process.stdout.write(`${record.passed ? "PASSED" : "FAILED"}: ${record.detail}\n`);
        }
        process.exitCode = record.passed ? EXIT.ok : EXIT.blocked;
      },
    );

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
        options: Clusters & {
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
        options: Clusters & {
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

function readAppSettings(path: string): AppSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`--app ${path}: cannot read it as JSON (${(error as Error).message})`);
  }
  try {
    return parseAppSettings(raw, `--app ${path}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`expected a positive whole number, got '${value}'`);
  return n;
}

/** Clients that fail fast, checked before any work: an unreachable broker is named at once. */
async function connectBoth(options: Clusters): Promise<[Kafka, Kafka]> {
  const timeouts = timeoutsOf(options);
  const source = client(options.source, timeouts);
  const target = client(options.target, timeouts);
  await Promise.all([
    reachable(source, "--source", options.source, timeouts),
    reachable(target, "--target", options.target, timeouts),
  ]);
  return [source, target];
}

function client(bootstrap: string, timeouts: NetworkTimeouts): Kafka {
  const brokers = bootstrap
    .split(",")
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0 || brokers.some((b) => !/^[^:\s]+:\d+$/.test(b)))
    throw new UsageError(
      `bootstrap '${bootstrap}' is not host:port[,host:port]; e.g. --source 127.0.0.1:9092`,
    );
  return new Kafka({
    clientId: "stepwise-events",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeouts.connectMs,
    requestTimeout: timeouts.requestMs,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

async function reachable(
  kafka: Kafka,
  flag: string,
  bootstrap: string,
  timeouts: NetworkTimeouts,
): Promise<void> {
  const admin = kafka.admin();
  const where = `the cluster at ${flag} ${bootstrap}`;
  try {
    // kafkajs retries a broker that accepts and never answers for up to a request timeout
    // each time; the connect timeout bounds the whole check.
    await withDeadline(
      admin.connect().then(() => admin.describeCluster()),
      timeouts.connectMs,
      () => new UsageError(`${where}: ${noAnswerHint(timeouts, "connect")}`),
    );
  } catch (error) {
    // Not awaited: a disconnect waits for kafkajs to finish retrying the silent broker.
    void admin.disconnect().catch(() => undefined);
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot reach ${where} (${(error as Error).message}); check the address and that the broker runs`,
    );
  }
  await admin.disconnect().catch(() => undefined);
}
