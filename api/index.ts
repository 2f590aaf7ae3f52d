/**
 * `stepwise`: the components every infrastructure state is made of, and the program builder
 * that turns a stack's config into the platform for its current phases.
 *
 *   import { stepwiseProgram } from "stepwise";
 *   export default () => stepwiseProgram({ services: (databaseUrl) => [...] });
 */
export * from "../components";
export {
  stepwiseProgram,
  LEDGER_OUTPUT,
  PLATFORM_TOPICS,
  type ProgramOptions,
  type ProgramOutputs,
} from "../migrations/program";
export { MIGRATION_PATHS } from "../migrations/paths";
export { PATH_IDS, isPathId } from "../migrations/phases";
export type { GateId, MigrationPath, PathId, PhaseDefinition } from "../migrations/path";
export type { Ledger } from "../migrations/ledger";
