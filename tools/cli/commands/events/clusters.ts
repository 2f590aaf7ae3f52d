/** The two clusters every events command reads: their options and clients that fail fast. */
import { Kafka, logLevel } from "kafkajs";
import { UsageError } from "../../exit";
import {
  noAnswerHint,
  timeoutsOf,
  withDeadline,
  type NetworkTimeouts,
  type TimeoutOptions,
} from "../timeouts";

/** `--source` and `--target` (bootstrap lists) with the network timeouts. */
export interface ClusterOptions extends TimeoutOptions {
  source: string;
  target: string;
}

/** A whole-number option above zero (`--concurrency`, `--window`), or a usage error. */
export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`expected a positive whole number, got '${value}'`);
  return n;
}

/** Clients that fail fast, checked before any work: an unreachable broker is named at once. */
export async function connectBoth(options: ClusterOptions): Promise<[Kafka, Kafka]> {
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
