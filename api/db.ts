/**
 * `stepwise-iac/db`: what a service and an operator use on the database path — writing to both
 * databases, backfilling, proving the two agree, the Citus readiness check, the cutover.
 */
export { DualWriter, type DualWriterOptions } from "../tools/database/dual-writer";
export { dualWriteEnv } from "../tools/database/dual-write-env";
export { backfill, type BackfillOptions, type BackfillReport } from "../tools/database/backfill";
export { verifyDatabases, type VerifyOptions } from "../tools/database/verify-databases";
export { checkDatabaseReadiness, type ReadinessReport } from "../tools/database/readiness";
export {
  switchSourceOfTruth,
  StillFrozenError,
  type SwitchOptions,
  type SwitchReport,
} from "../tools/database/cutover";
