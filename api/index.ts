/**
 * `stepwise-iac`: the components every infrastructure state is made of, the service spec they
 * share, and the program builder that turns a stack's config into the platform for its current
 * phases. What is not listed here is internal and may change in any release.
 *
 *   import { stepwiseProgram } from "stepwise-iac";
 *   export = () => stepwiseProgram({ services: (databaseUrl) => [...] });
 */

// The program builder and the migration paths it follows.
export { stepwiseProgram } from "./program";
export { LEDGER_OUTPUT, type ProgramOptions, type ProgramOutputs } from "../migrations/program";
export { MIGRATION_PATHS } from "../migrations/paths";
export { PATH_IDS, isPathId } from "../migrations/path-queries";
export type { GateId, MigrationPath, PathId, PhaseDefinition } from "../migrations/path";
export type { Ledger } from "../migrations/ledger";

// Service specs: written by hand or imported from a Compose file.
export {
  importComposeFile,
  importComposeFiles,
  ComposeImportError,
  isPinnedImage,
  validateServiceSpecs,
  ServiceSpecError,
  type ComposeImport,
  type ComposeImportOptions,
  type ComposeSource,
  type HealthCheck,
  type PlatformKind,
  type ServicePort,
  type ServiceResources,
  type ServiceSpec,
  type ServiceVolume,
  type StartCondition,
} from "../components/spec";

// Platforms, routing and monitoring.
export {
  ComposePlatform,
  K3sPlatform,
  PlatformServices,
  type ComposePlatformArgs,
  type K3sPlatformArgs,
  type PlatformServicesArgs,
} from "../components/platform";
export {
  ComposeRouter,
  K3sRouter,
  type ComposeRouterArgs,
  type FeatureFlags,
  type K3sRouterArgs,
  type RouteSpec,
} from "../components/routing";
export { Monitoring, type MetricsEndpoint, type MonitoringArgs } from "../components/monitoring";

// Event clusters and topics.
export {
  KafkaCluster,
  RedpandaCluster,
  Topic,
  TopicSet,
  type KafkaClusterArgs,
  type RedpandaClusterArgs,
  type TopicArgs,
  type TopicDeclaration,
  type TopicSetArgs,
} from "../components/events";

// Databases.
export {
  CitusCluster,
  CitusDatabase,
  DistributedTable,
  PostgresDatabase,
  PostgresServer,
  ReferenceTable,
  type CitusClusterArgs,
  type CitusDatabaseArgs,
  type DistributedTableArgs,
  type PostgresDatabaseArgs,
  type PostgresServerArgs,
  type ReferenceTableArgs,
} from "../components/database";
