/**
 * `stepwise-iac/db`: what a service and an operator use on the database path — writing to both
 * databases, backfilling, proving the two agree, the Citus readiness check, the cutover.
 */
export { DualWriter, type DualWriterOptions } from "../tools/postgres/dual-writer";
export { dualWriteEnv } from "../tools/postgres/dual-write-env";
export { backfill, type BackfillOptions, type BackfillReport } from "../tools/postgres/backfill";
export { verifyDatabases, type VerifyOptions } from "../tools/postgres/verify-databases";
export { checkDatabaseReadiness, type ReadinessReport } from "../tools/postgres/readiness";
export {
  switchSourceOfTruth,
  StillFrozenError,
  type SwitchOptions,
  type SwitchReport,
} from "../tools/postgres/cutover";
