/**
 * `stepwise status --deployed`: what the stack's state in its Pulumi backend says is deployed,
 * beside what its stack file says. The two differ while a change is not yet applied, and after
 * an update that failed: the PhaseLedger is recorded last, so it names the phases whose every
 * resource was deployed.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { EngineMissingError } from "../../engine/locate";
import { UsageError } from "../exit";
import { currentProject, stacksDir, type StackOptions } from "./stack-context";

export interface DeployedPhases {
  /** Phase per path as the deployed ledger records it; empty when nothing was deployed. */
  readonly phases: Readonly<Record<string, string>>;
  /** e.g. "update succeeded at 2026-12-07T10:00:00.000Z"; undefined when never updated. */
  readonly lastUpdate: string | undefined;
  /** True when the last update failed: the state may hold part of the next phase. */
  readonly lastUpdateFailed: boolean;
}

/** The project the stacks folder belongs to: its parent when that holds Pulumi.yaml, else the working folder's. */
export function projectDirOf(options: StackOptions): string {
  const parent = dirname(stacksDir(options));
  return existsSync(join(parent, "Pulumi.yaml")) ? parent : currentProject().dir;
}

/** Reads the stack's state from the backend the environment names (PULUMI_BACKEND_URL). */
export async function deployedPhases(
  stack: string,
  options: StackOptions,
): Promise<DeployedPhases> {
  const { EngineStack } = await import("../../engine/engine-stack");
  let engine;
  try {
    engine = await EngineStack.open({
      projectDir: projectDirOf(options),
      stack,
      backend: "ambient",
    });
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof EngineMissingError) {
      throw new UsageError(`--deployed: ${message} Without it, leave out --deployed.`);
    }
    throw new UsageError(`--deployed: ${message}`);
  }
  try {
    const state = await engine.deployed();
    const phases: Record<string, string> = {};
    for (const [path, record] of Object.entries(state.ledger?.phases ?? {})) {
      if (record) phases[path] = record.phase;
    }
    const update = state.lastUpdate;
    return {
      phases,
      lastUpdate: update
        ? `${update.kind} ${update.result}${update.endTime ? ` at ${update.endTime}` : ""}`
        : undefined,
      lastUpdateFailed: update?.result === "failed",
    };
  } finally {
    engine.dispose();
  }
}
