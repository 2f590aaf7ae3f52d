export * from "./cli-run";
export * from "./plan-difference";
export * from "./engine-stack";
export * from "./engine-environment";
export * from "./failure-hints";
export * from "./locate";
export * from "./preview-document";
