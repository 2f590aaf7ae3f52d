export * from "./metrics-endpoint";
export * from "./Monitoring";
export * from "./prometheus-config";
