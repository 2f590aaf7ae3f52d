import type { Command } from "commander";
import { phaseStepCommand } from "./phase-step";

export function advanceCommand(): Command {
  return phaseStepCommand("advance");
}
