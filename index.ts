// The Pulumi program: stack config (stacks/Pulumi.<stack>.yaml) -> the platform for the current
// phases. Everything lives in migrations/program; this file only runs it where the engine runs.
import { stepwiseProgram } from "./migrations/program";

const outputs = stepwiseProgram();

export const environment = outputs.environment;
export const phases = outputs.phases;
export const ledger = outputs.ledger;
export const placement = outputs.placement;
