import { DatabaseArgsError } from "./postgres-node";

export const TABLE_PRIVILEGES = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "TRUNCATE",
  "REFERENCES",
  "TRIGGER",
] as const;
export type TablePrivilege = (typeof TABLE_PRIVILEGES)[number];

export interface RoleRequest {
  readonly name: string;
  readonly privileges: readonly string[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks names and privileges before anything is registered. Lower-case identifiers only:
 * they need no quoting and mean the same in every tool that touches them.
 */
export function validateDatabaseObjects(
  component: string,
  databaseName: string,
  roles: readonly RoleRequest[],
  extensions: readonly string[],
): void {
  if (!IDENTIFIER.test(databaseName))
    throw new DatabaseArgsError(
      `${component}: databaseName '${databaseName}' must be a lower-case identifier (a-z, 0-9, _; at most 63 characters).`,
    );
  const seen = new Set<string>();
  roles.forEach((role, i) => {
    if (!IDENTIFIER.test(role.name))
      throw new DatabaseArgsError(
        `${component}: roles[${i}].name '${role.name}' must be a lower-case identifier (a-z, 0-9, _).`,
      );
    if (seen.has(role.name))
      throw new DatabaseArgsError(
        `${component}: roles[${i}].name '${role.name}' is listed twice; list each role once.`,
      );
    seen.add(role.name);
    if (role.privileges.length === 0)
      throw new DatabaseArgsError(
        `${component}: roles[${i}].privileges is empty; grant at least one of ${TABLE_PRIVILEGES.join(", ")}.`,
      );
    const unknown = role.privileges.filter(
      (p) => !(TABLE_PRIVILEGES as readonly string[]).includes(p),
    );
    if (unknown.length > 0)
      throw new DatabaseArgsError(
        `${component}: roles[${i}].privileges has ${unknown.map((p) => `'${p}'`).join(", ")}; use ${TABLE_PRIVILEGES.join(", ")}.`,
      );
  });
  extensions.forEach((extension, i) => {
    if (!IDENTIFIER.test(extension))
      throw new DatabaseArgsError(
        `${component}: extensions[${i}] '${extension}' is not an extension name.`,
      );
  });
}
