/**
 * Type tokens of stepwise's components and dynamic resources, the ones the policies recognise
 * in URNs and plans. Kept free of imports, like platform/annotations.ts, so the policy pack can
 * read them without loading the components; each component registers under its constant here.
 */

/** Monitoring: its children follow every system change (scrape targets). */
export const MONITORING_TYPE = "stepwise:monitoring:Monitoring";

export const REDPANDA_CLUSTER_TYPE = "stepwise:events:RedpandaCluster";
export const KAFKA_CLUSTER_TYPE = "stepwise:events:KafkaCluster";
export const POSTGRES_SERVER_TYPE = "stepwise:database:PostgresServer";
export const CITUS_CLUSTER_TYPE = "stepwise:database:CitusCluster";
export const CITUS_DATABASE_TYPE = "stepwise:database:CitusDatabase";
export const COMPOSE_PLATFORM_TYPE = "stepwise:platform:ComposePlatform";
export const K3S_PLATFORM_TYPE = "stepwise:platform:K3sPlatform";

/** Kafka topics are dynamic resources: module and type name, and the token the engine sees. */
export const TOPIC_MODULE = "stepwise";
export const TOPIC_TYPE_NAME = "Topic";
export const TOPIC_TYPE = `pulumi-nodejs:dynamic/${TOPIC_MODULE}:${TOPIC_TYPE_NAME}`;

/** Citus tables are dynamic resources of one module (components/database). */
export const DISTRIBUTED_TABLE_MODULE = "stepwise-database";
export const DISTRIBUTED_TABLE_TYPE_NAME = "DistributedTable";
export const REFERENCE_TABLE_TYPE_NAME = "ReferenceTable";
export const DISTRIBUTED_TABLE_TYPE = `pulumi-nodejs:dynamic/${DISTRIBUTED_TABLE_MODULE}:${DISTRIBUTED_TABLE_TYPE_NAME}`;
export const REFERENCE_TABLE_TYPE = `pulumi-nodejs:dynamic/${DISTRIBUTED_TABLE_MODULE}:${REFERENCE_TABLE_TYPE_NAME}`;
