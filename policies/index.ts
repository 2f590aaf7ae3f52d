/**
 * The CrossGuard pack entry: `pulumi preview --policy-pack policies`. Constructing PolicyPack
 * starts the analyzer's gRPC server, so nothing else imports this file; the policies are built
 * in pack/pack-policies.ts from the rules (rules/<rule id>.ts).
 */
import { PolicyPack } from "@pulumi/policy";
import { packPolicies } from "./pack/pack-policies";

new PolicyPack("stepwise-no-big-bang", {
  description: "No big-bang changes: small phase steps, gates, rollback windows, no plain secrets.",
  policies: packPolicies(),
});
