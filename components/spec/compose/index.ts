export * from "./import-compose";
export * from "./interpolate";
export * from "./normalised-names";
export * from "./units";
export { ImportContext } from "./context";
export * from "./shell-words";
export type { ComposeSource } from "./files";
