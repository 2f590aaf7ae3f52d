/**
 * Component type tokens that the policies recognise in URNs. Kept free of imports, like
 * platform/annotations.ts, so the policy pack can read them without loading the components.
 */

/** Monitoring: its children follow every system change (scrape targets). */
export const MONITORING_TYPE = "stepwise:monitoring:Monitoring";
