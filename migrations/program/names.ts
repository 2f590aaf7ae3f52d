import type { PathId, PhaseWiring } from "../path";
import { phaseDefinition } from "../phases";
import type { StackConfig } from "../stack-config";

/** Name of the modular monolith's service (consolidation path). */
export const MONOLITH_SERVICE = "modular-monolith";
export const MONOLITH_PORT = 8090;
/** The new implementation of service S runs as `S-next` beside S (api path). */
export const NEXT_SUFFIX = "-next";
/** `S-next` publishes its ports this much higher on the Docker host, so S and S-next coexist. */
export const NEXT_PORT_OFFSET = 10_000;

/** What a path's current phase deploys and how it wires the services. */
export function wiringOf(config: StackConfig, path: PathId): PhaseWiring {
  return phaseDefinition(path, config.phases[path]).wiring;
}
