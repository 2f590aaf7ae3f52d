import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
import { validateDatabaseObjects, type TablePrivilege } from "./database-objects";
import { DatabaseArgsError } from "./postgres-node";
import type { PostgresConnection } from "./PostgresServer";

export const POSTGRES_DATABASE_TYPE = "stepwise:database:PostgresDatabase";

export interface DatabaseRoleArgs {
  /** Role name, lower-case identifier. */
  readonly name: string;
  /** Login password; stored only as a secret. */
  readonly password: pulumi.Input<string>;
  /** Privileges on every table of `schema`. */
  readonly privileges: readonly TablePrivilege[];
}

export interface PostgresDatabaseArgs {
  /** Superuser connection (PostgresServer.adminConnection or CitusCluster.adminConnection). */
  readonly server: PostgresConnection;
  readonly databaseName: string;
  /**
   * Create the database, owned by a new `<databaseName>_owner` role. false manages roles,
   * grants and extensions inside an existing database (e.g. the one the citus image made).
   * @default true
   */
  readonly createDatabase?: boolean;
  /** Password of the owner role; required when createDatabase is true. */
  readonly ownerPassword?: pulumi.Input<string>;
  /** Application roles with their table privileges. @default none */
  readonly roles?: readonly DatabaseRoleArgs[];
  /** Extensions to create in the database, e.g. ["citus"]. @default none */
  readonly extensions?: readonly string[];
  /** Schema the table grants apply to. @default "public" */
  readonly schema?: pulumi.Input<string>;
  /** libpq sslmode for Pulumi's own connection. @default "disable" (in-platform servers have no TLS) */
  readonly sslMode?: pulumi.Input<string>;
}

/**
 * The logical side of a server through @pulumi/postgresql: a database, roles (passwords as
 * secrets), grants and extensions — all through one explicit provider built from the server's
 * outputs, so nothing depends on ambient PG* settings of the machine running Pulumi.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
  public readonly provider: postgresql.Provider;
  public readonly database: pulumi.Output<string>;
  public readonly roles: Readonly<Record<string, postgresql.Role>>;
  public readonly extensions: Readonly<Record<string, postgresql.Extension>>;

  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `PostgresDatabase ${name}`;
    const roleArgs = args.roles ?? [];
    const extensionNames = args.extensions ?? [];
    const createDatabase = args.createDatabase ?? true;
    validateDatabaseObjects(component, args.databaseName, roleArgs, extensionNames);
    if (createDatabase && args.ownerPassword === undefined)
      throw new DatabaseArgsError(
        `${component}: ownerPassword is missing; a created database is owned by role '${args.databaseName}_owner', which needs a password (or set createDatabase: false).`,
      );
    super(POSTGRES_DATABASE_TYPE, name, {}, opts);

    this.provider = new postgresql.Provider(
      `${name}-provider`,
      {
        host: args.server.host,
        port: args.server.port,
        username: args.server.username,
        password: pulumi.secret(args.server.password),
        database: "postgres",
        sslmode: args.sslMode ?? "disable",
        superuser: true,
      },
      // Children of a component do not wait for the component's dependsOn; everything here
      // goes through this provider, so making it wait orders them all (e.g. after Citus workers
      // are registered).
      { parent: this, dependsOn: opts?.dependsOn },
    );
    const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };

    let created: postgresql.Database | undefined;
    if (createDatabase) {
      const owner = new postgresql.Role(
        `${name}-owner`,
        {
          name: `${args.databaseName}_owner`,
          login: true,
          password: pulumi.secret(args.ownerPassword ?? ""),
        },
        childOpts,
      );
      created = new postgresql.Database(
        name,
        { name: args.databaseName, owner: owner.name },
        childOpts,
      );
    }
    this.database = created ? created.name : pulumi.output(args.databaseName);
    // Everything inside the database waits for it to exist.
    const inDatabase = pulumi.mergeOptions(childOpts, { dependsOn: created ? [created] : [] });

    this.extensions = Object.fromEntries(
      extensionNames.map((extension) => [
        extension,
        new postgresql.Extension(
          `${name}-${extension}`,
          { name: extension, database: this.database },
          inDatabase,
        ),
      ]),
    );
    const roles: Record<string, postgresql.Role> = {};
    for (const role of roleArgs) {
      const created = new postgresql.Role(
        `${name}-${role.name}`,
        { name: role.name, login: true, password: pulumi.secret(role.password) },
        childOpts,
      );
      roles[role.name] = created;
      const grantOpts = pulumi.mergeOptions(inDatabase, { dependsOn: [created] });
      new postgresql.Grant(
        `${name}-${role.name}-connect`,
        {
          database: this.database,
          role: created.name,
          objectType: "database",
          privileges: ["CONNECT"],
        },
        grantOpts,
      );
      new postgresql.Grant(
        `${name}-${role.name}-tables`,
        {
          database: this.database,
          role: created.name,
          schema: args.schema ?? "public",
          objectType: "table",
          privileges: [...role.privileges],
        },
        grantOpts,
      );
    }
    this.roles = roles;
    this.registerOutputs({ database: this.database, roles: Object.keys(roles) });
  }
}
