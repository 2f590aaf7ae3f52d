import type { PathId, PhaseWiring } from "../path";
import { phaseDefinition } from "../path-queries";
import type { StackConfig } from "../config/stack-config";

export { MONOLITH_SERVICE, NEXT_SUFFIX } from "../service-names";
export const MONOLITH_PORT = 8090;
/** `S-next` publishes its ports this much higher on the Docker host, so S and S-next coexist. */
export const NEXT_PORT_OFFSET = 10_000;

/** What a path's current phase deploys and how it wires the services. */
export function wiringOf(config: StackConfig, path: PathId): PhaseWiring {
  return phaseDefinition(path, config.phases[path]).wiring;
}
