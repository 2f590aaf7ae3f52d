import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { freePort, residentMiB, spawnDetached, stopProcess, waitUntil } from "./processes";
import { requireJava } from "./prerequisites";

const POM = join(__dirname, "kafka", "pom.xml");
const LOG4J_CONFIG = join(__dirname, "kafka", "log4j2.properties");

/** The two test clusters: `legacy` stands in for Redpanda (which cannot run here), `target` is Kafka. */
export type KafkaClusterName = "legacy" | "target";

export interface KafkaBrokerState {
  readonly name: KafkaClusterName;
  readonly pid: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly bootstrap: string;
  readonly startMs: number;
  readonly rssMiB: number | undefined;
}

/**
 * Broker settings that differ per cluster. `legacy` gets Redpanda's defaults that differ from
 * Kafka's (no automatic topic creation, 1 default partition, compaction every 10 s);
 * `target` keeps Kafka's own defaults.
 */
const CLUSTER_SETTINGS: Record<KafkaClusterName, Record<string, string>> = {
  legacy: {
    "auto.create.topics.enable": "false",
    "num.partitions": "1",
    "log.cleaner.backoff.ms": "10000",
  },
  target: {},
};

/** Copies the broker's jars from Maven Central into the cache once; returns the jar folder. */
export function resolveKafkaJars(cacheDir: string): string {
  requireJava();
  const pom = readFileSync(POM);
  const key = createHash("sha256").update(pom).digest("hex").slice(0, 12);
  const libs = join(cacheDir, "kafka", key, "libs");
  const marker = join(libs, ".complete");
  if (existsSync(marker)) return libs;
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  process.stderr.write(`stepwise services: resolving Kafka jars from Maven Central into ${libs}\n`);
  execFileSync(
    "mvn",
    [
      "-q",
      "-B",
      "-f",
      POM,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${libs}`,
      "-DincludeScope=runtime",
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (!readdirSync(libs).some((jar) => jar.startsWith("kafka_2.13-")))
    throw new Error(`Maven finished but ${libs} holds no kafka_2.13 jar; see the output above`);
  writeFileSync(marker, new Date().toISOString());
  return libs;
}

function serverProperties(
  name: KafkaClusterName,
  port: number,
  controllerPort: number,
  dataDir: string,
): string {
  const settings: Record<string, string> = {
    "process.roles": "broker,controller",
    "node.id": "1",
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    "log.dirs": join(dataDir, "log"),
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "4",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    ...CLUSTER_SETTINGS[name],
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
}

function javaArgs(libs: string, mainClass: string, ...args: string[]): string[] {
  // A test broker is fine with a small heap and the serial collector (two cores, many services).
  return [
    "-Xms64m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
    "-cp",
    join(libs, "*"),
    mainClass,
    ...args,
  ];
}

/** Writes the config and formats the KRaft storage of a new broker in `dataDir`. */
export async function prepareKafkaBroker(
  name: KafkaClusterName,
  libs: string,
  dataDir: string,
): Promise<Omit<KafkaBrokerState, "pid" | "startMs" | "rssMiB">> {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const controllerPort = await freePort();
  const configFile = join(dataDir, "server.properties");
  writeFileSync(configFile, serverProperties(name, port, controllerPort, dataDir));
  const clusterId = execFileSync("java", javaArgs(libs, "kafka.tools.StorageTool", "random-uuid"), {
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  execFileSync(
    "java",
    javaArgs(libs, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", configFile),
    {
      stdio: "ignore",
    },
  );
  return {
    name,
    port,
    controllerPort,
    dataDir,
    configFile,
    logFile: join(dataDir, "broker.log"),
    bootstrap: `127.0.0.1:${port}`,
  };
}

/** Starts a prepared broker (or restarts a stopped one on its data) and waits until it serves. */
export async function startKafkaBroker(
  libs: string,
  prepared: Omit<KafkaBrokerState, "pid" | "startMs" | "rssMiB">,
): Promise<KafkaBrokerState> {
  const started = Date.now();
  const { pid } = spawnDetached(
    "java",
    javaArgs(libs, "kafka.Kafka", prepared.configFile),
    prepared.logFile,
  );
  try {
    await waitUntil(
      `Kafka broker '${prepared.name}' on ${prepared.bootstrap}`,
      () => kafkaServes(prepared.bootstrap),
      90_000,
      prepared.logFile,
    );
  } catch (error) {
    await stopProcess(pid, prepared.configFile, "SIGKILL");
    throw error;
  }
  return { ...prepared, pid, startMs: Date.now() - started, rssMiB: residentMiB(pid) };
}

export function stopKafkaBroker(
  state: Pick<KafkaBrokerState, "pid" | "configFile">,
): Promise<void> {
  return stopProcess(state.pid, state.configFile, "SIGTERM", 20_000);
}

/** True when the broker answers a metadata request with itself as the only broker. */
export async function kafkaServes(bootstrap: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: "stepwise-services",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length === 1 && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}
