/**
 * A stack with one PhaseLedger, as the stepwise program registers it (a dynamic resource of
 * type pulumi-nodejs:dynamic/stepwise:PhaseLedger with inputs { ledger, environment }), so the
 * real engine runs the stepwise policy pack on it. Self-contained: the engine tests copy this
 * folder, so it imports nothing from the repository but packages.
 */
import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
  create(inputs: Record<string, unknown>) {
    return Promise.resolve({ id: "phase-ledger", outs: inputs });
  },
};

class PhaseLedger extends pulumi.dynamic.Resource {
  constructor(name: string, props: { ledger: unknown; environment: string }) {
    super(provider, name, props, {}, "stepwise", "PhaseLedger");
  }
}

/** Stands in for Monitoring's Prometheus: its prometheus.yml text is an input. */
class ScrapeConfig extends pulumi.dynamic.Resource {
  constructor(name: string, props: { content: string }) {
    super(provider, name, props, {}, "fixture", "ScrapeConfig");
  }
}

new PhaseLedger("phase-ledger", {
  ledger: JSON.parse(process.env.STEPWISE_FIXTURE_LEDGER ?? "{}") as unknown,
  environment: process.env.STEPWISE_FIXTURE_ENVIRONMENT ?? "prod",
});

new ScrapeConfig("prometheus", { content: process.env.STEPWISE_FIXTURE_PROMETHEUS ?? "" });
