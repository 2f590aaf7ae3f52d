// The router components, their args and the route they serve.
export { ComposeRouter, type ComposeRouterArgs } from "./ComposeRouter";
export { K3sRouter, type K3sRouterArgs, type K3sTraefikSettings } from "./K3sRouter";
export type { FeatureFlags, RouteSpec } from "./route";
