import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { stopServices } from "./manager";

/**
 * Runs the calling test file's services as a second, separate set (its own state folder), so
 * that starting, crashing and stopping them never touches the set the other tests use. Call it
 * inside a `describe`; the set is stopped and its folder removed after the tests.
 */
export function useSeparateServices(prefix: string): void {
  const servicesDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const previousDir = process.env.STEPWISE_SERVICES_DIR;
  beforeAll(() => {
    process.env.STEPWISE_SERVICES_DIR = servicesDir;
  });
  afterAll(async () => {
    await stopServices();
    if (previousDir === undefined) delete process.env.STEPWISE_SERVICES_DIR;
    else process.env.STEPWISE_SERVICES_DIR = previousDir;
    rmSync(servicesDir, { recursive: true, force: true });
  });
}
