import type { TestProject } from "vitest/node";
import { endpoints, startServices, stopServices, type ServiceEndpoints } from "./manager";

declare module "vitest" {
  export interface ProvidedContext {
    services: ServiceEndpoints;
  }
}

/**
 * Vitest global setup of the integration layer: real brokers and database for every test file.
 * Services this run started are stopped at the end; ones started by hand are left running.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { state, started } = await startServices((line) => console.log(`[services] ${line}`));
  project.provide("services", endpoints(state));
  return async () => {
    if (started && !process.env.STEPWISE_KEEP_SERVICES) await stopServices();
  };
}
