/** `stepwise events compat`: compare two clusters, record the compatibility-verified gate. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseAppSettings, type AppSettings } from "../../../events/compat/app-settings";
import { checkCompatibility } from "../../../events/compat/check-compatibility";
import { EXIT, UsageError } from "../../exit";
import { addTimeoutOptions } from "../timeouts";
import { connectBoth, type ClusterOptions } from "./clusters";

export function registerCompatCommand(events: Command): void {
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
        options: ClusterOptions & {
          topic: string[];
          app?: string;
          record?: string;
          json?: boolean;
        },
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
