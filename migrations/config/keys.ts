import { PLATFORM_KINDS, type PlatformKind } from "../../components/spec/service-spec";
import { EXTERNAL } from "../external-engines";

/** Config namespace of every stepwise key (`stepwise:phases`, …): the Pulumi project name. */
export const CONFIG_NAMESPACE = "stepwise";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

// The platforms are the components' (service-spec.ts); the config names them the same way.
export { PLATFORM_KINDS, type PlatformKind };

/** Stateful engines the program runs on a platform; each stays where the stack puts it. */
export const ENGINES = ["redpanda", "kafka", "postgres", "citus", "prometheus"] as const;
export type Engine = (typeof ENGINES)[number];
/** Where an engine runs: on a platform of the stack, or outside it (see external-engines.ts). */
export type EnginePlacement = PlatformKind | typeof EXTERNAL;

/** Keys whose values are secrets: never shown in an error, read with `requireSecret`. */
export const SECRET_CONFIG_KEYS = ["databasePassword", "kubeconfig"] as const;

/** Every config key the program reads; anything else under `stepwise:` is an error. */
export const CONFIG_KEYS = [
  "environment",
  "phases",
  "enteredAt",
  "previousPhases",
  "gates",
  "placement",
  "enginePlacement",
  "externalEngines",
  "k3s",
  "apiImages",
  "apiWeights",
  "monolithImage",
  "monolithWeights",
  "minimumTime",
  "policy",
  "distribution",
  "routing",
  ...SECRET_CONFIG_KEYS,
] as const;

/** Keys whose value is a string as written; every other key holds a YAML map. */
const TEXT_CONFIG_KEYS: readonly string[] = ["environment", "monolithImage", ...SECRET_CONFIG_KEYS];

/** Keys whose value is a structured (YAML map) value, stored by Pulumi as JSON text. */
export const OBJECT_CONFIG_KEYS: readonly string[] = CONFIG_KEYS.filter(
  (key) => !TEXT_CONFIG_KEYS.includes(key),
);

/** A key (or a field inside one) as a user writes it: `stepwise:<key>[.<field>…]`. */
export function configKeyName(path: readonly PropertyKey[]): string {
  return `${CONFIG_NAMESPACE}:${path.map(String).join(".")}`;
}
