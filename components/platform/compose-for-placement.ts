import { DEFAULT_K3S_EXTERNAL_ADDRESS } from "./platform-ref";
import { validateServiceSpecs, type ServiceSpec } from "../spec";
import { resolveService } from "../spec/resolve";
import { renderComposeFile } from "./compose-file";
import { checkPlacement, planDiscovery, platformOf, type Placement } from "./discovery";

export interface ComposeForPlacementArgs {
  readonly services: readonly ServiceSpec[];
  /** @default every service on Compose */
  readonly placement?: Placement;
  /** Compose project; match the ComposePlatform's name to get the same container names. */
  readonly project: string;
  /** Where Compose reaches services on K3s. @default "127.0.0.1" */
  readonly k3sAddress?: string;
  /** @default "./secrets" */
  readonly secretsDir?: string;
}

/**
 * The docker-compose.yml of the Compose side of a placement: only services placed on Compose,
 * with the K3s addresses of moved dependencies in their env, as PlatformServices wires them.
 */
export function composeFileForPlacement(args: ComposeForPlacementArgs): string {
  const placement = args.placement ?? {};
  validateServiceSpecs(args.services);
  checkPlacement(placement, args.services);
  const discovery = planDiscovery(args.services.map(resolveService), placement, {
    composeHost: "unused",
    k3sAddress: args.k3sAddress ?? DEFAULT_K3S_EXTERNAL_ADDRESS,
  });
  return renderComposeFile({
    project: args.project,
    services: args.services.filter((s) => platformOf(placement, s.name) === "compose"),
    remoteServices: discovery.composeRemotes,
    secretsDir: args.secretsDir,
  });
}
