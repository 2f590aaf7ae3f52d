/**
 * The program builder as stepwise-iac publishes it: migrations/program's stepwiseProgram with
 * the stack's `stepwise:policy` checked by the policies' own schema. The check is passed in here
 * because the program and the policies sit side by side and import nothing of each other.
 */
import {
  stepwiseProgram as buildPlatform,
  type ProgramOptions,
  type ProgramOutputs,
} from "../migrations/program";
import { policySettingsProblems } from "../policies/config";

export function stepwiseProgram(options: ProgramOptions): ProgramOutputs {
  return buildPlatform({ policyProblems: policySettingsProblems, ...options });
}
