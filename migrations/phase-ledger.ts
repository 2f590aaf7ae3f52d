import * as pulumi from "@pulumi/pulumi";
import type { Ledger } from "./ledger";
import { reconcileLedger } from "./ledger-reconcile";

export interface PhaseLedgerArgs {
  /** What this update deploys: every path's phase, entry time and phase before, and the gates. */
  readonly ledger: pulumi.Input<Ledger>;
  /** The stack's environment, so that policies can apply prod-only rules. */
  readonly environment: pulumi.Input<string>;
}

/**
 * Nothing to create anywhere: the ledger is the resource's inputs, echoed as its outputs, so it
 * lands in stack state and every policy sees it with the resources it governs. Pulumi
 * serializes these functions into the stack, so they use nothing but reconcileLedger, which
 * is self-contained.
 *
 * `check` is where the deployed ledger comes in: the engine hands it the inputs last deployed
 * (`olds`, empty on a first update), and what it returns is what the update records and what
 * CrossGuard sees. So `previous` is always the phase really deployed before, on any backend,
 * without the program reading its own stack.
 */
export const phaseLedgerProvider: pulumi.dynamic.ResourceProvider = {
  check(olds: Record<string, unknown>, news: Record<string, unknown>) {
    const deployed = olds.ledger as Ledger | undefined;
    const configured = news.ledger as Ledger;
    return Promise.resolve({ inputs: { ...news, ledger: reconcileLedger(configured, deployed) } });
  },
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
