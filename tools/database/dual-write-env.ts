/** Where a service's dual writer writes, as the program configures it (migrations/program/topology.ts). */
import { ConnectionSettingError } from "./connection";

/** The primary (source of truth) and the secondary (kept in step), by URL and system name. */
export interface DualWriteTargets {
  readonly primary: string;
  readonly secondary?: string;
  readonly systems?: { readonly primary?: string; readonly secondary?: string };
}

/** The writer's connection settings from a service's environment (see DualWriter.fromEnv). */
export function dualWriteEnv(env: NodeJS.ProcessEnv): DualWriteTargets {
  const primary = env.DATABASE_URL;
  if (!primary)
    throw new ConnectionSettingError(
      "DATABASE_URL is not set; the dual writer needs the source of truth's postgres:// URL there",
    );
  const secondary = env.DATABASE_DUAL_WRITE_URL || undefined;
  const readFrom = env.DATABASE_READ_FROM || undefined;
  const writeTo = (env.DATABASE_WRITE_TO ?? "").split(",").filter(Boolean);
  const other = writeTo.find((system) => system !== readFrom);
  if (other && !secondary)
    throw new ConnectionSettingError(
      `DATABASE_WRITE_TO is ${writeTo.join(",")} but DATABASE_DUAL_WRITE_URL is not set; writes to ${other} would be skipped. Give the service ${other}'s URL in DATABASE_DUAL_WRITE_URL`,
    );
  if (secondary && writeTo.length > 0 && !other)
    throw new ConnectionSettingError(
      `DATABASE_DUAL_WRITE_URL is set but DATABASE_WRITE_TO (${writeTo.join(",")}) names no second system to write to; remove the URL or fix DATABASE_WRITE_TO`,
    );
  return {
    primary,
    ...(secondary ? { secondary } : {}),
    systems: { ...(readFrom ? { primary: readFrom } : {}), ...(other ? { secondary: other } : {}) },
  };
}
