import type { Command } from "commander";
import { phaseStepCommand } from "./phase-step";

export function rollbackCommand(): Command {
  return phaseStepCommand("rollback");
}
