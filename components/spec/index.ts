export * from "./compose-import";
export * from "./env-file";
export * from "./examples";
export * from "./plaintext-secret";
export * from "./resolve";
export * from "./schema";
export * from "./service-spec";
export * from "./validate";
