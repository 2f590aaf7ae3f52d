import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { CitusDatabase } from "../../components/database/CitusDatabase";
import type { TablePrivilege } from "../../components/database/database-objects";
import type { DistributionPlan } from "../../components/database/distribution-plan";
import type { PostgresConnection } from "../../components/database/PostgresServer";
import type { ServiceSpec } from "../../components/spec";
import type { GateId } from "../path";
import type { StackConfig } from "../config/stack-config";

/** The gate the Citus readiness check records; no table is distributed before it passed. */
export const DISTRIBUTION_GATE: GateId = "data-model-reviewed";

/** What an application role may do with the rows of every table in the schema. */
export const APPLICATION_PRIVILEGES: readonly TablePrivilege[] = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
];

/** Name of the resources on Citus (the component and, under it, the PostgresDatabase). */
export const CITUS_DATABASE_NAME = "citus-app";

/** How the program reaches the Citus coordinator the phase uses (built or external). */
export interface CitusAccess {
  /** Superuser connection for @pulumi/postgresql. */
  readonly server: PostgresConnection;
  /** Secret URL of the coordinator from where Pulumi runs, for the table resources. */
  readonly connectionString: pulumi.Input<string>;
  /** The application database on the cluster. */
  readonly databaseName: string;
  /** What must exist first (the worker registrations). */
  readonly ready: readonly pulumi.Resource[];
}

/** What the database phase declares on Citus, decided from config before any resource. */
export interface CitusDatabasePlan {
  /** One role per service that has a DATABASE_URL, named after it ("product-catalog" → "product_catalog"). */
  readonly roles: readonly string[];
  /** The schema the roles' grants cover: the distribution plan's, else "public". */
  readonly schema: string;
  /** The tables to distribute: the plan once the gate passed, else none. */
  readonly distribution: DistributionPlan | undefined;
}

/**
 * Roles from the services at their baseline (not from the phases' renamings, so the api and
 * consolidation paths never add or drop one); tables only with the plan and the passed gate.
 */
export function citusDatabasePlan(
  config: Pick<StackConfig, "gates" | "distribution">,
  baseServices: readonly ServiceSpec[],
): CitusDatabasePlan {
  const roles = baseServices
    .filter((spec) => spec.secretEnv?.DATABASE_URL !== undefined)
    .map((spec) => roleName(spec.name));
  const gatePassed = config.gates[DISTRIBUTION_GATE]?.passed === true;
  return {
    roles,
    schema: config.distribution?.schema ?? "public",
    distribution: gatePassed ? config.distribution : undefined,
  };
}

/** A service name as a lower-case SQL identifier. */
export function roleName(service: string): string {
  return service.replace(/[^a-z0-9_]/g, "_");
}

/**
 * A role's login password, derived from the superuser password (HMAC-SHA256 keyed by it, over
 * the role name): nothing new to keep in the stack file, stable across updates, and a secret
 * wherever it goes. Changing the superuser password changes every role's password too.
 */
export function rolePassword(
  superuserPassword: pulumi.Input<string>,
  role: string,
): pulumi.Output<string> {
  return pulumi.secret(
    pulumi
      .output(superuserPassword)
      .apply((key) =>
        createHmac("sha256", key).update(`stepwise role ${role}`).digest("base64url"),
      ),
  );
}

/** The application database's objects and the planned tables on the Citus the phase uses. */
export function declareCitusDatabase(access: CitusAccess, plan: CitusDatabasePlan): CitusDatabase {
  return new CitusDatabase(
    CITUS_DATABASE_NAME,
    {
      server: access.server,
      connectionString: access.connectionString,
      databaseName: access.databaseName,
      schema: plan.schema,
      roles: plan.roles.map((role) => ({
        name: role,
        password: rolePassword(access.server.password, role),
        privileges: APPLICATION_PRIVILEGES,
      })),
      ...(plan.distribution ? { distribution: plan.distribution } : {}),
    },
    { dependsOn: [...access.ready] },
  );
}
