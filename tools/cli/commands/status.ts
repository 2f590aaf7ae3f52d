import { UsageError } from "../exit";
import { Command } from "commander";
import { durationMs, isInFuture } from "../../../migrations/duration";
import { phaseDefinition, PATH_IDS } from "../../../migrations/path-queries";
import { minimumTimeFor } from "../../../migrations/ledger-record";
import { resolvePolicySettings, stackPolicyInput } from "../../../policies/config";
import { deployedPhases, type DeployedPhases } from "./deployed-status";
import {
  addStackOptions,
  asUsage,
  evaluationConfig,
  nowOf,
  readStack,
  stackNames,
  type StackOptions,
} from "./stack-context";

const DAY = 86_400_000;

/** One row of `stepwise status`. */
export interface PathStatus {
  readonly stack: string;
  readonly path: string;
  readonly phase: string;
  readonly previous: string | undefined;
  readonly enteredAt: string | undefined;
  /** Milliseconds in the phase, undefined without an entry time. */
  readonly inPhaseMs: number | undefined;
  /** Milliseconds before the path may advance (its minimum time in phase). */
  readonly mayAdvanceInMs: number;
  /** Rollback window: ms left at a cutover phase, "closed" once retired, undefined otherwise. */
  readonly rollbackWindow: number | "closed" | undefined;
  /** With --deployed: the phase the stack's state records ("-" when none is). */
  readonly deployed?: string;
}

export function statusCommand(): Command {
  const command = new Command("status")
    .description(
      "Phases of every stack: per path the phase, time in it, time before it may advance, and the\n" +
        "rollback window left after a cutover.",
    )
    .argument("[stack]", "only this stack")
    .option("--json", "print the rows as JSON")
    .option(
      "--deployed",
      "also read what the stack's state says is deployed (the Pulumi backend of PULUMI_BACKEND_URL or `pulumi login`; needs the engine)",
    );
  return addStackOptions(command).action(
    async (
      stack: string | undefined,
      options: StackOptions & { json?: boolean; deployed?: boolean },
    ) => {
      const stacks = stack === undefined ? stackNames(options) : [stack];
      const now = nowOf(options);
      const rows: PathStatus[] = [];
      const notes: string[] = [];
      for (const name of stacks) {
        const fileRows = stackStatus(name, options, now);
        if (!options.deployed) {
          rows.push(...fileRows);
          continue;
        }
        const deployed = await deployedPhases(name, options);
        rows.push(
          ...fileRows.map((row) => ({
            ...row,
            deployed: deployed.phases[row.path] ?? "-",
          })),
        );
        notes.push(...deploymentNotes(name, fileRows, deployed));
      }
      if (options.json) console.log(JSON.stringify(rows, null, 2));
      else console.log([statusTable(rows), ...notes].join("\n"));
    },
  );
}

/** What a reader must know when the file and the state disagree, or the last update failed. */
export function deploymentNotes(
  stack: string,
  rows: readonly PathStatus[],
  deployed: DeployedPhases,
): string[] {
  const notes: string[] = [];
  if (deployed.lastUpdate === undefined) notes.push(`${stack}: never deployed`);
  else notes.push(`${stack}: last ${deployed.lastUpdate}`);
  if (deployed.lastUpdateFailed) {
    notes.push(
      `${stack}: the last update failed; the deployed phases above are the last ones deployed whole. Run \`pulumi up\` again to finish the change.`,
    );
  }
  const pending = rows.filter((row) => (deployed.phases[row.path] ?? row.phase) !== row.phase);
  for (const row of pending) {
    notes.push(
      `${stack}: ${row.path} is at "${row.phase}" in the stack file but "${deployed.phases[row.path]}" is deployed`,
    );
  }
  return notes;
}

export function stackStatus(stack: string, options: StackOptions, now: Date): PathStatus[] {
  const { file, text } = readStack(stack, options);
  const { config } = evaluationConfig(text, file);
  const map = (key: string): Record<string, string> => {
    const value = config[`stepwise:${key}`];
    return typeof value === "object" && value !== null ? (value as Record<string, string>) : {};
  };
  const phases = map("phases");
  const enteredAt = map("enteredAt");
  const previous = map("previousPhases");
  const minimumTime = map("minimumTime");
  const settings = asUsage(() => resolvePolicySettings(stackPolicyInput(config), { stack }));
  return PATH_IDS.filter((path) => phases[path] !== undefined).map((path) => {
    const phase = phases[path] ?? "";
    const definition = asUsage(() => phaseDefinition(path, phase));
    const entered = enteredAt[path];
    if (entered !== undefined && isInFuture(entered, now)) {
      throw new UsageError(
        `${file}: stepwise:enteredAt.${path} = ${entered} is in the future (now is ${now.toISOString()}); entry times are written by \`stepwise advance\` and \`rollback\`: restore the one they wrote`,
      );
    }
    const inPhaseMs = entered === undefined ? undefined : now.getTime() - Date.parse(entered);
    const configuredMinimum = minimumTimeFor(minimumTime, path, phase);
    const minimum =
      Object.keys(minimumTime).length > 0
        ? asUsage(
            () => durationMs(configuredMinimum),
            `${file}: stepwise:minimumTime for ${path} at ${phase}`,
          )
        : settings.minimumPhaseTimeMs;
    const window = settings.rollbackWindowDays * DAY;
    return {
      stack,
      path,
      phase,
      previous: previous[path],
      enteredAt: entered,
      inPhaseMs,
      mayAdvanceInMs: Math.max(0, minimum - (inPhaseMs ?? minimum)),
      rollbackWindow: definition.retirement
        ? "closed"
        : definition.cutover
          ? Math.max(0, window - (inPhaseMs ?? 0))
          : undefined,
    };
  });
}

export function statusTable(rows: readonly PathStatus[]): string {
  const withDeployed = rows.some((r) => r.deployed !== undefined);
  const header = [
    "stack",
    "path",
    "phase",
    ...(withDeployed ? ["deployed"] : []),
    "previous",
    "in phase",
    "may advance",
    "rollback window",
  ];
  const body = rows.map((r) => [
    r.stack,
    r.path,
    r.phase,
    ...(withDeployed ? [r.deployed ?? "-"] : []),
    r.previous ?? "-",
    r.inPhaseMs === undefined ? "?" : humanDuration(r.inPhaseMs),
    r.mayAdvanceInMs === 0 ? "now" : `in ${humanDuration(r.mayAdvanceInMs)}`,
    r.rollbackWindow === undefined
      ? "-"
      : r.rollbackWindow === "closed"
        ? "closed (retired)"
        : r.rollbackWindow === 0
          ? "passed: may retire"
          : `${humanDuration(r.rollbackWindow)} left`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)),
  );
  return [header, ...body]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function humanDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days}d${hours > 0 ? ` ${hours}h` : ""}`;
  if (hours > 0) return `${hours}h ${minutes % 60}m`;
  return `${minutes}m`;
}
