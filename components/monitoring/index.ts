// The monitoring component, its args and the scrape targets it is given.
export { Monitoring, type MonitoringArgs } from "./Monitoring";
export type { MetricsEndpoint } from "./metrics-endpoint";
