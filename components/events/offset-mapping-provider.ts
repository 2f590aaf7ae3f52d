import type * as pulumi from "@pulumi/pulumi";

/** One partition of the mapping as stack state keeps it. */
export interface OffsetMappingEntryState {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly sourceOffset: string;
  readonly targetOffset: string;
  readonly method: string;
}

export interface OffsetMappingState {
  readonly direction: "forward" | "rollback";
  readonly source: string;
  readonly target: string;
  readonly entries: readonly OffsetMappingEntryState[];
}

export interface OffsetMappingOutputs extends OffsetMappingState {
  readonly entryCount: number;
  readonly groups: readonly string[];
  /** Content hash of the entries: changes exactly when the mapping does. */
  readonly digest: string;
}

const METHODS = ["message-id", "message-id-after-last", "timestamp", "log-end"];
const OFFSET = /^\d+$/;

/** A bad input, naming the property, the value and what to do. */
export class OffsetMappingInputError extends Error {
  constructor(
    readonly property: string,
    message: string,
  ) {
    super(message);
  }
}

/** Validates the inputs (pure); the engine shows the failures on preview. */
export function validateOffsetMapping(inputs: Record<string, unknown>): OffsetMappingState {
  const fail = (property: string, message: string): never => {
    throw new OffsetMappingInputError(property, message);
  };
  const direction = inputs.direction;
  if (direction !== "forward" && direction !== "rollback")
    fail("direction", `direction is ${JSON.stringify(direction)}; use "forward" or "rollback"`);
  for (const side of ["source", "target"] as const)
    if (typeof inputs[side] !== "string" || inputs[side] === "")
      fail(
        side,
        `${side} is ${JSON.stringify(inputs[side])}; give the cluster's bootstrap address`,
      );
  if (!Array.isArray(inputs.entries) || inputs.entries.length === 0)
    fail(
      "entries",
      "entries is empty; pass the entries of an `events migrate-offsets` mapping file",
    );
  const seen = new Set<string>();
  const entries = (inputs.entries as unknown[]).map((raw, i) => {
    const e = raw as Record<string, unknown>;
    const at = `entries[${i}]`;
    if (typeof e.group !== "string" || !e.group)
      fail(`${at}.group`, `${at}.group is ${JSON.stringify(e.group)}; name the consumer group`);
    if (typeof e.topic !== "string" || !e.topic)
      fail(`${at}.topic`, `${at}.topic is ${JSON.stringify(e.topic)}; name the topic`);
    if (typeof e.partition !== "number" || !Number.isInteger(e.partition) || e.partition < 0)
      fail(
        `${at}.partition`,
        `${at}.partition is ${JSON.stringify(e.partition)}; use a partition number ≥ 0`,
      );
    for (const key of ["sourceOffset", "targetOffset"])
      if (typeof e[key] !== "string" || !OFFSET.test(e[key]))
        fail(
          `${at}.${key}`,
          `${at}.${key} is ${JSON.stringify(e[key])}; use a non-negative offset as a string`,
        );
    if (typeof e.method !== "string" || !METHODS.includes(e.method))
      fail(
        `${at}.method`,
        `${at}.method is ${JSON.stringify(e.method)}; use one of ${METHODS.join(", ")}`,
      );
    const key = `${String(e.group)}/${String(e.topic)}/${String(e.partition)}`;
    if (seen.has(key))
      fail(`${at}`, `${at} repeats ${key}; each group, topic and partition appears once`);
    seen.add(key);
    return {
      group: e.group as string,
      topic: e.topic as string,
      partition: e.partition as number,
      sourceOffset: e.sourceOffset as string,
      targetOffset: e.targetOffset as string,
      method: e.method as string,
    };
  });
  return {
    direction: direction as "forward" | "rollback",
    source: inputs.source as string,
    target: inputs.target as string,
    entries,
  };
}

export function offsetMappingOutputs(state: OffsetMappingState): OffsetMappingOutputs {
  // Required here, not imported at the top: the provider is serialized as a closure, and a
  // module required at run time is captured as `require("crypto")` rather than by value.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  const digest = createHash("sha256")
    .update(JSON.stringify(state.entries))
    .digest("hex")
    .slice(0, 16);
  return {
    ...state,
    entryCount: state.entries.length,
    groups: [...new Set(state.entries.map((e) => e.group))].sort(),
    digest,
  };
}

type Provider = pulumi.dynamic.ResourceProvider<Record<string, unknown>, OffsetMappingOutputs>;

/**
 * The OffsetMapping provider only records: the offsets were committed by `events
 * migrate-offsets` (which refuses active groups and never rewinds); the stack keeps what was
 * done, for review and for a rollback ("document offset mappings"). No broker is contacted.
 */
export const offsetMappingProvider: Provider = {
  check(_olds, news) {
    try {
      return Promise.resolve({ inputs: { ...validateOffsetMapping(news) } });
    } catch (error) {
      if (!(error instanceof OffsetMappingInputError)) throw error;
      return Promise.resolve({ failures: [{ property: error.property, reason: error.message }] });
    }
  },
  diff(_id, olds, news) {
    const before = offsetMappingOutputs(
      validateOffsetMapping(olds as unknown as Record<string, unknown>),
    );
    const after = offsetMappingOutputs(validateOffsetMapping(news));
    const changed = (["direction", "source", "target", "digest"] as const).filter(
      (k) => before[k] !== after[k],
    );
    return Promise.resolve({
      changes: changed.length > 0,
      replaces: [],
      deleteBeforeReplace: false,
      stables: [],
    });
  },
  create(inputs) {
    const outs = offsetMappingOutputs(validateOffsetMapping(inputs));
    return Promise.resolve({ id: `${outs.direction}-${outs.digest}`, outs });
  },
  update(_id, _olds, news) {
    return Promise.resolve({ outs: offsetMappingOutputs(validateOffsetMapping(news)) });
  },
  delete() {
    return Promise.resolve(); // a record only: the committed offsets stay on the brokers
  },
};
