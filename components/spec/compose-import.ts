// The Compose import lives in ./compose, one module per concern; this keeps existing imports working.
export * from "./compose";
