// The service spec and what users do with it: import a Compose file, validate specs, check an image.
export type {
  HealthCheck,
  PlatformKind,
  ServicePort,
  ServiceResources,
  ServiceSpec,
  ServiceVolume,
} from "./service-spec";
export type { StartCondition } from "./wait-for";
export {
  importComposeFile,
  importComposeFiles,
  ComposeImportError,
  type ComposeImport,
  type ComposeImportOptions,
  type ComposeSource,
} from "./compose-import";
export { validateServiceSpecs, ServiceSpecError } from "./validate";
export { isPinnedImage } from "./pinned-image";
