export * from "./path";
export * from "./paths";
