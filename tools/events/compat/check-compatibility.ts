/** Phase 1 of the events path: read both clusters, compare, record the gate. */
import { renameSync, writeFileSync } from "node:fs";
import type { Kafka } from "kafkajs";
import type { AppSettings } from "./app-settings";
import { kafkajsApis } from "./client-apis";
import { compareClusters } from "./compare-clusters";
import { compatibilityGate, type CompatibilityGateFile } from "./gate";
import { collectSnapshot } from "./snapshot";

export interface CheckCompatibilityOptions {
  readonly source: Kafka;
  readonly target: Kafka;
  readonly sourceName: string;
  readonly targetName: string;
  readonly topics: readonly string[];
  /** @default no application settings checked */
  readonly app?: AppSettings;
  /** Where the gate record is written (JSON). @default not written */
  readonly gateFile?: string;
  /** @default the current time */
  readonly now?: Date;
}

export async function checkCompatibility(
  options: CheckCompatibilityOptions,
): Promise<CompatibilityGateFile> {
  const source = await collectSnapshot(options.sourceName, options.source, options.topics);
  const target = await collectSnapshot(options.targetName, options.target, options.topics);
  const report = compareClusters(source, target, kafkajsApis(), options.app);
  const gate = compatibilityGate(report, options.now ?? new Date());
  if (options.gateFile) {
    writeFileSync(`${options.gateFile}.tmp`, JSON.stringify(gate, null, 2) + "\n");
    renameSync(`${options.gateFile}.tmp`, options.gateFile);
  }
  return gate;
}
