/** Phase 1 of the events path: read both clusters, compare, record the gate. */
import { renameSync, writeFileSync } from "node:fs";
import type { Kafka } from "kafkajs";
import type { AppSettings } from "./app-settings";
import { kafkajsApis } from "./client-apis";
import { compareClusters } from "./compare-clusters";
import { compatibilityGateRecord, type RecordedCompatibilityGate } from "./gate";
import type { GateRecord } from "../../../migrations/ledger";
import type { CompatibilityReport } from "./compare-clusters";
import { collectSnapshot } from "./snapshot";

export interface CheckCompatibilityOptions {
  readonly source: Kafka;
  readonly target: Kafka;
  readonly sourceName: string;
  readonly targetName: string;
  readonly topics: readonly string[];
  /** @default no application settings checked */
  readonly app?: AppSettings;
  /** Where the gate record is written, as `{ "compatibility-verified": record }`. @default not written */
  readonly recordFile?: string;
  /** @default the current time */
  readonly now?: Date;
}

export async function checkCompatibility(
  options: CheckCompatibilityOptions,
): Promise<{ readonly record: GateRecord; readonly report: CompatibilityReport }> {
  const source = await collectSnapshot(options.sourceName, options.source, options.topics);
  const target = await collectSnapshot(options.targetName, options.target, options.topics);
  const report = compareClusters(source, target, kafkajsApis(), options.app);
  const record = compatibilityGateRecord(report, options.now ?? new Date());
  if (options.recordFile) {
    const file: RecordedCompatibilityGate = { "compatibility-verified": record };
    writeFileSync(`${options.recordFile}.tmp`, JSON.stringify(file, null, 2) + "\n");
    renameSync(`${options.recordFile}.tmp`, options.recordFile);
  }
  return { record, report };
}
