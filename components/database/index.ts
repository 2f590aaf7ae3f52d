// The database components and their args.
export { CitusCluster, type CitusClusterArgs } from "./CitusCluster";
export { CitusDatabase, type CitusDatabaseArgs } from "./CitusDatabase";
export { DistributedTable, type DistributedTableArgs } from "./DistributedTable";
export {
  PostgresDatabase,
  type DatabaseRoleArgs,
  type PostgresDatabaseArgs,
} from "./PostgresDatabase";
export { PostgresServer, type PostgresConnection, type PostgresServerArgs } from "./PostgresServer";
export { ReferenceTable, type ReferenceTableArgs } from "./ReferenceTable";
