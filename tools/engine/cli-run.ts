/** Running the Pulumi CLI directly, for what the Automation API does not offer. */
import { execFile } from "child_process";
import { existsSync, readFileSync } from "fs";
import type { PolicyEvent } from "@pulumi/pulumi/automation";

/** How one run of the CLI ended. */
export interface EngineRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export function run(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<EngineRun> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        reject(new Error(`could not run ${file}: ${error.message}`));
        return;
      }
      resolvePromise({
        stdout,
        stderr,
        exitCode: typeof error?.code === "number" ? error.code : 0,
      });
    });
  });
}

/** The policy events of an engine event log (one JSON event per line); none if it is missing. */
export function policyEventsIn(eventLog: string): PolicyEvent[] {
  if (!existsSync(eventLog)) return [];
  return readFileSync(eventLog, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      const event = JSON.parse(line) as { policyEvent?: PolicyEvent };
      return event.policyEvent ? [event.policyEvent] : [];
    });
}
