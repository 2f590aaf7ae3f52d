// Your organisation's CrossGuard pack with stepwise's rules. Publish it with
// `pulumi policy publish <org>`; each stack's settings come from
// `npx stepwise policies pack-config --stack <stack>` (pulumi preview --policy-pack-config).
import { PolicyPack } from "@pulumi/policy";
import { packPolicies } from "stepwise-iac/policies";

new PolicyPack("stepwise-no-big-bang", {
  description: "No big-bang changes: small phase steps, gates, rollback windows, no plain secrets.",
  policies: packPolicies(),
});
