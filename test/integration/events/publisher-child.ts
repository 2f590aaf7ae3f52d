/**
 * A publishing service for the crash test: publishes batches in a loop with kafkajs's default
 * client settings and prints the ids of every acknowledged publish() as one line
 * (`acked id,id,...`), until it is killed.
 */
import { Kafka, logLevel } from "kafkajs";
import { DualPublisher } from "../../../tools/events/dual-publisher";

interface Settings {
  readonly primary: string;
  readonly secondary: string;
  readonly spoolDir: string;
  readonly topic: string;
  readonly replayBatchSize: number;
}

const settings = JSON.parse(process.env.STEPWISE_PUBLISHER_CHILD ?? "{}") as Settings;
const kafka = (broker: string) =>
  new Kafka({ clientId: "stepwise-crash-child", brokers: [broker], logLevel: logLevel.NOTHING });

async function main(): Promise<void> {
  const publisher = new DualPublisher({
    primary: kafka(settings.primary),
    secondary: kafka(settings.secondary),
    spoolDir: settings.spoolDir,
    replayBatchSize: settings.replayBatchSize,
    forwardTimeoutMs: 1000,
  });
  await publisher.connect();
  for (let n = 0; ; n += 20) {
    const batch = Array.from({ length: 20 }, (_, i) => ({
      key: `key-${(n + i) % 12}`,
      value: `v${n + i}`,
    }));
    const ids = await publisher.publish(settings.topic, batch);
    process.stdout.write(`acked ${ids.join(",")}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
