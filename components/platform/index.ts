// The platform components and their args; helpers they use are imported from their own modules.
export { ComposePlatform, type ComposePlatformArgs } from "./ComposePlatform";
export { K3sPlatform, type K3sPlatformArgs } from "./K3sPlatform";
export {
  PlatformServices,
  type PlatformServicesArgs,
  type ServiceAddress,
} from "./PlatformServices";
