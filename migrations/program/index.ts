export * from "./program";
export * from "./read-config";
export * from "./topology";
export * from "./engines";
export * from "./deferred";
export * from "./system-metrics";
