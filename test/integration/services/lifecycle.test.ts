import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunning } from "../../services/processes";
import {
  healthy,
  readState,
  startServices,
  stopServices,
  type ServicesState,
} from "../../services/manager";

// A second, separate set of services (its own state folder), so that starting, crashing and
// stopping them here never touches the set the other integration tests use.
const servicesDir = mkdtempSync(join(tmpdir(), "stepwise-lifecycle-"));
const previousDir = process.env.STEPWISE_SERVICES_DIR;

function processes(state: ServicesState): Array<[number, string]> {
  return [
    [state.kafka.legacy.pid, state.kafka.legacy.configFile],
    [state.kafka.target.pid, state.kafka.target.configFile],
    [state.postgres.pid, join(state.postgres.dataDir, "pgdata")],
  ];
}

describe("test services lifecycle", () => {
  beforeAll(() => {
    process.env.STEPWISE_SERVICES_DIR = servicesDir;
  });
  afterAll(async () => {
    await stopServices();
    if (previousDir === undefined) delete process.env.STEPWISE_SERVICES_DIR;
    else process.env.STEPWISE_SERVICES_DIR = previousDir;
    rmSync(servicesDir, { recursive: true, force: true });
  });

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
