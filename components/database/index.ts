export * from "./CitusCluster";
export * from "./CitusNodeRegistration";
export * from "./database-objects";
export * from "./DistributedTable";
export * from "./postgres-node";
export * from "./PostgresDatabase";
export * from "./PostgresServer";
export * from "./ReferenceTable";
