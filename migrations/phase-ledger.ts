import * as pulumi from "@pulumi/pulumi";
import type { Ledger } from "./ledger";

export interface PhaseLedgerArgs {
  /** What this update deploys: every path's phase, entry time and phase before, and the gates. */
  readonly ledger: pulumi.Input<Ledger>;
  /** The stack's environment, so that policies can apply prod-only rules. */
  readonly environment: pulumi.Input<string>;
}

/**
 * Nothing to create anywhere: the ledger is the resource's inputs, echoed as its outputs, so it
 * lands in stack state and every policy sees it with the resources it governs. Kept free of
 * captured module state (no imports used inside) because Pulumi serializes these functions.
 */
export const phaseLedgerProvider: pulumi.dynamic.ResourceProvider = {
  create(inputs: Record<string, unknown>) {
    return Promise.resolve({ id: "phase-ledger", outs: inputs });
  },
  diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const changed = ["ledger", "environment"].filter(
      (key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
    );
    return Promise.resolve({
      changes: changed.length > 0,
      replaces: [],
      deleteBeforeReplace: false,
    });
  },
  update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
    return Promise.resolve({ outs: news });
  },
  read(id: string, props?: Record<string, unknown>) {
    return Promise.resolve({ id, props: props ?? {} });
  },
};

/** The phase ledger in stack state (type PHASE_LEDGER_TYPE). */
export class PhaseLedger extends pulumi.dynamic.Resource {
  declare public readonly ledger: pulumi.Output<Ledger>;
  declare public readonly environment: pulumi.Output<string>;

  constructor(name: string, args: PhaseLedgerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      phaseLedgerProvider,
      name,
      { ledger: args.ledger, environment: args.environment },
      opts,
      "stepwise",
      "PhaseLedger",
    );
  }
}
