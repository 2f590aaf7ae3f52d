import * as pulumi from "@pulumi/pulumi";
import {
  offsetMappingProvider,
  type OffsetMappingEntryState,
  type OffsetMappingState,
} from "./offset-mapping-provider";

/** Module and type of the dynamic resource; the engine sees `OFFSET_MAPPING_TYPE`. */
export const OFFSET_MAPPING_MODULE = "stepwise";
export const OFFSET_MAPPING_TYPE_NAME = "OffsetMapping";
export const OFFSET_MAPPING_TYPE = `pulumi-nodejs:dynamic/${OFFSET_MAPPING_MODULE}:${OFFSET_MAPPING_TYPE_NAME}`;

export interface OffsetMappingArgs {
  /** forward (Redpanda → Kafka, phase consumers-on-kafka) or rollback. */
  readonly direction: pulumi.Input<"forward" | "rollback">;
  /** Bootstrap of the cluster the offsets were translated from. */
  readonly source: pulumi.Input<string>;
  /** Bootstrap of the cluster the offsets were committed on. */
  readonly target: pulumi.Input<string>;
  /** The entries of an `events migrate-offsets` mapping file (group, topic, partition, offsets, method). */
  readonly entries: pulumi.Input<readonly OffsetMappingEntryState[]>;
}

/**
 * The offset mapping of the consumers-on-kafka phase, kept in stack state: which committed
 * offset on the source became which offset on the target, per group and partition. It records
 * what `events migrate-offsets` did; the reverse mapping of a rollback is a second instance.
 */
export class OffsetMapping extends pulumi.dynamic.Resource {
  declare public readonly direction: pulumi.Output<"forward" | "rollback">;
  declare public readonly entries: pulumi.Output<OffsetMappingEntryState[]>;
  declare public readonly entryCount: pulumi.Output<number>;
  declare public readonly groups: pulumi.Output<string[]>;
  declare public readonly digest: pulumi.Output<string>;

  constructor(name: string, args: OffsetMappingArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      offsetMappingProvider,
      name,
      {
        direction: args.direction,
        source: args.source,
        target: args.target,
        entries: args.entries,
        entryCount: undefined,
        groups: undefined,
        digest: undefined,
      },
      opts,
      OFFSET_MAPPING_MODULE,
      OFFSET_MAPPING_TYPE_NAME,
    );
  }
}

/**
 * The args for a mapping file written by `events migrate-offsets` (its document satisfies
 * `OffsetMappingState`; the component reads only these fields and imports nothing from the
 * tools). Only the translation is kept (not what a particular run did), so rerunning the
 * migration leaves stack state unchanged.
 */
export function offsetMappingArgs(document: OffsetMappingState): OffsetMappingArgs {
  return {
    direction: document.direction,
    source: document.source,
    target: document.target,
    entries: document.entries.map(
      ({ group, topic, partition, sourceOffset, targetOffset, method }) => ({
        group,
        topic,
        partition,
        sourceOffset,
        targetOffset,
        method,
      }),
    ),
  };
}
