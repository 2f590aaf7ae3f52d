export * from "./path";
export * from "./paths";
export * from "./ledger";
