import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRunning } from "../../services/processes";
import { useSeparateServices } from "../../services/separate-set";
import {
  healthy,
  readState,
  startServices,
  stopServices,
  type ServicesState,
} from "../../services/manager";

function processes(state: ServicesState): Array<[number, string]> {
  return [
    [state.kafka.legacy.pid, state.kafka.legacy.configFile],
    [state.kafka.target.pid, state.kafka.target.configFile],
    [state.postgres.pid, join(state.postgres.dataDir, "pgdata")],
  ];
}

describe("test services lifecycle", () => {
  useSeparateServices("stepwise-lifecycle");

  it("starts once, and a second start reuses the running services", async () => {
    const first = await startServices();
    expect(first.started).toBe(true);
    expect(await healthy(first.state)).toBe(true);

    const second = await startServices();
    expect(second.started).toBe(false);
    expect(second.state.kafka.legacy.pid).toBe(first.state.kafka.legacy.pid);
  });

  it("recovers from a crashed run: a killed broker is cleaned up and everything restarts", async () => {
    const crashed = readState()!;
    process.kill(-crashed.kafka.target.pid, "SIGKILL"); // what a crashed run leaves behind
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await healthy(crashed)).toBe(false);

    const { state, started } = await startServices();
    expect(started).toBe(true);
    expect(await healthy(state)).toBe(true);
    for (const [pid, marker] of processes(crashed)) expect(isRunning(pid, marker)).toBe(false);
  });

  it("stops every process and removes its data; stopping again is harmless", async () => {
    const state = readState()!;
    await stopServices();
    for (const [pid, marker] of processes(state)) expect(isRunning(pid, marker)).toBe(false);
    expect(readState()).toBeUndefined();
    await expect(stopServices()).resolves.toBeUndefined();
  });
});
