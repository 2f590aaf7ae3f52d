/**
 * `stepwise-iac/policies`: the no-big-bang rules, the checks they run on a transition's plan, and
 * the CrossGuard policies for a pack of the user's own (`new PolicyPack(name, { policies:
 * packPolicies() })`), configured per stack with `stepwise policies pack-config`.
 */
export { RULES } from "../policies/rules";
export { packPolicies } from "../policies/pack/pack-policies";
export { packConfigFor } from "../policies/pack-config";
export { resolvePolicySettings, PolicyConfigError, type PolicySettings } from "../policies/config";
export { checkTransition } from "../policies/transition";
