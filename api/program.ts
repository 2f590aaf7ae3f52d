/**
 * The program builder as stepwise-iac publishes it: migrations/program's stepwiseProgram with
 * the stack's `stepwise:policy` checked by the policies' own schema. The check is passed in here
 * because the policies sit above the program's layer.
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
