/**
 * Which provider resources hold data, so that replacing or deleting one is called out and judged
 * by the stateful rules whatever program it comes from: a maintained table of the major
 * providers' data holders, a pattern on the type's own name for the rest, and the stack's
 * `stepwise:policy.statefulTypes` / `statelessTypes`. stepwise's own components are classified
 * in classify.ts (RESOURCE_CLASSES), which consults this module for everything else.
 */

/** Data holders of the major providers whose type name the pattern below does not catch. */
export const PROVIDER_STATEFUL_TYPES: readonly string[] = [
  // AWS
  "aws:rds/instance:Instance",
  "aws:rds/clusterInstance:ClusterInstance",
  "aws:rds/globalCluster:GlobalCluster",
  "aws:dynamodb/globalTable:GlobalTable",
  "aws:efs/fileSystem:FileSystem",
  "aws:fsx/lustreFileSystem:LustreFileSystem",
  "aws:fsx/windowsFileSystem:WindowsFileSystem",
  "aws:fsx/ontapFileSystem:OntapFileSystem",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:elasticache/serverlessCache:ServerlessCache",
  "aws:memorydb/cluster:Cluster",
  "aws:opensearch/domain:Domain",
  "aws:elasticsearch/domain:Domain",
  "aws:redshiftserverless/namespace:Namespace",
  "aws:kms/key:Key",
  "aws:secretsmanager/secret:Secret",
  "aws:ecr/repository:Repository",
  "aws:backup/vault:Vault",
  "aws:glacier/vault:Vault",
  "aws:s3/bucketObject:BucketObject",
  "aws:s3/bucketObjectv2:BucketObjectv2",
  "aws:timestreamwrite/database:Database",
  "aws:qldb/ledger:Ledger",
  "aws:cognito/userPool:UserPool",
  // Google Cloud
  "gcp:sql/databaseInstance:DatabaseInstance",
  "gcp:bigquery/dataset:Dataset",
  "gcp:spanner/instance:Instance",
  "gcp:redis/instance:Instance",
  "gcp:memcache/instance:Instance",
  "gcp:filestore/instance:Instance",
  "gcp:alloydb/instance:Instance",
  "gcp:bigtable/instance:Instance",
  "gcp:kms/cryptoKey:CryptoKey",
  "gcp:secretmanager/secret:Secret",
  "gcp:artifactregistry/repository:Repository",
  "gcp:storage/bucketObject:BucketObject",
  // Azure (azure-native and the classic azure provider)
  "azure-native:storage:StorageAccount",
  "azure-native:storage:BlobContainer",
  "azure-native:storage:FileShare",
  "azure-native:sql:Server",
  "azure-native:dbforpostgresql:Server",
  "azure-native:dbforpostgresql:FlexibleServer",
  "azure-native:dbformysql:Server",
  "azure-native:dbformysql:FlexibleServer",
  "azure-native:documentdb:DatabaseAccount",
  "azure-native:cache:Redis",
  "azure-native:keyvault:Vault",
  "azure-native:eventhub:EventHub",
  "azure-native:containerregistry:Registry",
  "azure:storage/account:Account",
  "azure:storage/container:Container",
  "azure:storage/share:Share",
  "azure:mssql/server:Server",
  "azure:postgresql/flexibleServer:FlexibleServer",
  "azure:cosmosdb/account:Account",
  "azure:keyvault/keyVault:KeyVault",
  "azure:redis/cache:Cache",
  // Kubernetes (PersistentVolumeClaim and StatefulSet are in classify.ts)
  "kubernetes:core/v1:PersistentVolume",
];

/**
 * Types whose name matches the pattern but which hold no data: routing tables, a container
 * scheduler's grouping, policies and attachments named after what they attach to.
 */
export const PROVIDER_STATELESS_TYPES: readonly string[] = [
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/defaultRouteTable:DefaultRouteTable",
  "aws:ec2/transitGatewayRouteTable:TransitGatewayRouteTable",
  "aws:ec2/localGatewayRouteTable:LocalGatewayRouteTable",
  "azure-native:network:RouteTable",
  "azure:network/routeTable:RouteTable",
  "aws:ecs/cluster:Cluster",
];

/** The words a data holder's type name ends in (`aws:rds/cluster:Cluster`, `gcp:compute/disk:Disk`). */
export const STATEFUL_WORDS: readonly string[] = [
  "database",
  "volume",
  "disk",
  "bucket",
  "snapshot",
  "cluster",
  "topic",
  "queue",
  "table",
  "stream",
];

/** A type's own name as words, version suffixes dropped: `BucketV2` → ["bucket"]. */
function nameWords(type: string): string[] {
  const name = type.slice(type.lastIndexOf(":") + 1);
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "" && !/^v\d+(?:beta\d*|alpha\d*)?$/.test(w));
}

/**
 * Whether the type's own name is a data holder by the pattern: its last word (the thing it is,
 * not what it is attached to) is one of STATEFUL_WORDS, singular or plural. `BucketPolicy`,
 * `VolumeAttachment` and `ClusterParameterGroup` are not; `Bucket`, `BucketV2`, `Disk` are.
 */
export function statefulByName(type: string): boolean {
  const last = nameWords(type).at(-1) ?? "";
  return STATEFUL_WORDS.some((word) => last === word || last === `${word}s`);
}

/** The stack's own additions: exact type tokens. */
export interface StatefulTypeOverrides {
  /** Types to treat as data holders, beyond the table and the pattern. */
  readonly statefulTypes?: readonly string[];
  /** Types the pattern would take for data holders that are not (never the table's own). */
  readonly statelessTypes?: readonly string[];
}

export type StatefulSource = "table" | "pattern" | "policy";

/**
 * Why a provider type is a data holder, or undefined when it is not one: listed in the table,
 * named like one, or listed in the stack's policy. `statelessTypes` only silences the pattern.
 */
export function providerStatefulSource(
  type: string,
  overrides: StatefulTypeOverrides = {},
): StatefulSource | undefined {
  if (PROVIDER_STATEFUL_TYPES.includes(type)) return "table";
  if (overrides.statefulTypes?.includes(type)) return "policy";
  if (PROVIDER_STATELESS_TYPES.includes(type) || overrides.statelessTypes?.includes(type)) {
    return undefined;
  }
  return statefulByName(type) ? "pattern" : undefined;
}
