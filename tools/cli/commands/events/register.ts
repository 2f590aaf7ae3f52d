/**
 * `stepwise events …`: the data-plane tools of the Redpanda → Kafka path, one file per command.
 *   compat            phase 1: compare clusters, record the compatibility-verified gate
 *   migrate-offsets   phase consumers-on-kafka (and rollback): translate and commit group offsets
 *   verify            proof of no loss between the two clusters, per partition; with --rollback
 *                     the messages-synced-back gate (Redpanda holds every record of Kafka)
 */
import type { Command } from "commander";
import { registerCompatCommand } from "./compat";
import { registerMigrateOffsetsCommand } from "./migrate-offsets";
import { registerVerifyCommand } from "./verify";

export function registerEventsCommands(program: Command): void {
  const events = program
    .command("events")
    .description("Redpanda → Kafka event tools (kafkajs, real brokers)");
  registerCompatCommand(events);
  registerMigrateOffsetsCommand(events);
  registerVerifyCommand(events);
}
