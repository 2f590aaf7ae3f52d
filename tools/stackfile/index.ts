export * from "./phase-edit";
