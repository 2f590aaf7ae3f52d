export * from "./evaluate";
export * from "./registered-resource";
