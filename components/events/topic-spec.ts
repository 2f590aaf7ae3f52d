/**
 * What a topic is, validated and normalized before anything talks to a broker. Pure functions:
 * the Topic provider, TopicSet and the tests all share them.
 */

/** A topic config value as a user may write it; brokers only know strings. */
export type TopicConfigValue = string | number | boolean;

/** A topic as Kafka knows it, normalized (configs as sorted strings). */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level overrides only (`retention.ms`, `cleanup.policy`, ...), keys sorted. */
  readonly configs: Readonly<Record<string, string>>;
}

/** What the Topic provider keeps in state: the topic plus how to reach and guard it. */
export interface TopicState extends TopicSpec {
  /** Client listeners, `host:port` joined by commas. */
  readonly bootstrap: string;
  /** Delete a topic even when its partitions still hold records. */
  readonly allowDeleteWithData: boolean;
  /** How long one connection attempt may take before the broker counts as unreachable. */
  readonly connectionTimeoutMs: number;
  /** Take over a topic that already exists with the declared partitions and replication. */
  readonly adoptExisting: boolean;
}

// Kafka's own rule (org.apache.kafka.common.internals.Topic): legal characters, at most 249.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const CONFIG_KEY = /^[a-z0-9]+([._-][a-z0-9]+)*$/;
const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;

/** Bad input, with the input field it is about (Pulumi shows it as a check failure). */
export type TopicInputError = Error & { readonly property: string };

// A plain Error, not a subclass: the provider is serialized, and a serialized Error subclass
// loses its message (the closure serializer calls the base constructor as a function).
function topicInputError(property: string, message: string): TopicInputError {
  return Object.assign(new Error(message), { property });
}

export function isTopicInputError(error: unknown): error is TopicInputError {
  return error instanceof Error && typeof (error as { property?: unknown }).property === "string";
}

export function validateTopicName(name: unknown, where: string): string {
  if (typeof name !== "string" || !TOPIC_NAME.test(name) || name === "." || name === "..") {
    throw topicInputError(
      "name",
      `${where}.name = ${JSON.stringify(name)}: a topic name is 1–249 characters of ` +
        `a–z, A–Z, 0–9, ".", "_" and "-" (and not "." or ".."); choose such a name`,
    );
  }
  return name;
}

export function validateCount(value: unknown, field: string, where: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 100_000) {
    throw topicInputError(
      field,
      `${where}.${field} = ${JSON.stringify(value)}: must be a whole number from 1 to 100000`,
    );
  }
  return value;
}

/** Stringifies values and sorts keys, so that equal configs compare equal. */
export function normalizeTopicConfigs(
  configs: Readonly<Record<string, unknown>> | undefined,
  where: string,
): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const key of Object.keys(configs ?? {}).sort()) {
    const value = configs?.[key];
    if (!CONFIG_KEY.test(key)) {
      throw topicInputError(
        "configs",
        `${where}.configs: key ${JSON.stringify(key)} is not a Kafka config name ` +
          `(lower-case words joined by ".", e.g. "retention.ms"); fix the key`,
      );
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw topicInputError(
        "configs",
        `${where}.configs["${key}"] = ${value}: give a finite number or a string`,
      );
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw topicInputError(
        "configs",
        `${where}.configs["${key}"] = ${JSON.stringify(value)}: a config value is a string, ` +
          `number or boolean; leave the key out to use the broker's default`,
      );
    }
    normalized[key] = String(value);
  }
  return normalized;
}

/** Splits and checks a bootstrap list (`host:port,host:port`). */
export function parseBootstrap(bootstrap: unknown, where: string): string[] {
  const brokers =
    typeof bootstrap === "string"
      ? bootstrap
          .split(",")
          .map((b) => b.trim())
          .filter((b) => b !== "")
      : [];
  const bad = brokers.find((b) => !HOST_PORT.test(b) || Number(b.split(":").pop()) > 65535);
  if (brokers.length === 0 || bad !== undefined) {
    throw topicInputError(
      "bootstrap",
      `${where}.bootstrap = ${JSON.stringify(bootstrap)}: give the brokers' client listeners ` +
        `as "host:port" joined by commas, e.g. "kafka-0:9092,kafka-1:9092"`,
    );
  }
  return brokers;
}

export function validateTopicSpec(
  input: Readonly<Record<string, unknown>>,
  where: string,
): TopicSpec {
  return {
    name: validateTopicName(input.name, where),
    partitions: validateCount(input.partitions, "partitions", where),
    replicationFactor: validateCount(input.replicationFactor, "replicationFactor", where),
    configs: normalizeTopicConfigs(
      input.configs as Readonly<Record<string, unknown>> | undefined,
      where,
    ),
  };
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;

/** Validates everything the provider receives; the result is what lands in state. */
export function validateTopicState(input: Readonly<Record<string, unknown>>): TopicState {
  const where = `topic ${JSON.stringify(input.name)}`;
  const spec = validateTopicSpec(input, where);
  const timeout = input.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
  if (
    typeof timeout !== "number" ||
    !Number.isInteger(timeout) ||
    timeout < 100 ||
    timeout > 600_000
  ) {
    throw topicInputError(
      "connectionTimeoutMs",
      `${where}.connectionTimeoutMs = ${JSON.stringify(timeout)}: give milliseconds from 100 to 600000`,
    );
  }
  const allow = input.allowDeleteWithData ?? false;
  if (typeof allow !== "boolean") {
    throw topicInputError(
      "allowDeleteWithData",
      `${where}.allowDeleteWithData = ${JSON.stringify(allow)}: give true or false`,
    );
  }
  const adopt = input.adoptExisting ?? false;
  if (typeof adopt !== "boolean") {
    throw topicInputError(
      "adoptExisting",
      `${where}.adoptExisting = ${JSON.stringify(adopt)}: give true or false`,
    );
  }
  return {
    ...spec,
    bootstrap: parseBootstrap(input.bootstrap, where).join(","),
    allowDeleteWithData: allow,
    connectionTimeoutMs: timeout,
    adoptExisting: adopt,
  };
}

/**
 * The resource id is the topic name; `pulumi import` may also give `bootstrap/topic`
 * (e.g. `127.0.0.1:9092/orders`) so that nothing else is needed to find the topic.
 */
export function parseTopicId(id: string): { topic: string; bootstrap?: string } {
  const slash = id.lastIndexOf("/");
  if (slash < 0) return { topic: id };
  return { topic: id.slice(slash + 1), bootstrap: id.slice(0, slash) };
}
