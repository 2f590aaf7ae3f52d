import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, OBJECT_CONFIG_KEYS } from "../config/keys";
import { parseStackConfig, type ParseOptions } from "../config/schema";
import { StackConfigError, type StackConfig } from "../config/stack-config";

/**
 * Pulumi's config map (`stepwise:phases` → JSON text) to raw values keyed without the
 * namespace, with structured values parsed. Keys of other namespaces (providers) are skipped.
 */
export function rawStackConfig(entries: Readonly<Record<string, string>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [fullKey, text] of Object.entries(entries)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if (!OBJECT_CONFIG_KEYS.includes(key)) {
      raw[key] = text;
      continue;
    }
    try {
      raw[key] = JSON.parse(text) as unknown;
    } catch {
      problems.push(
        `${fullKey} = ${JSON.stringify(text)}: must be a map (a YAML mapping under the key)`,
      );
    }
  }
  if (problems.length > 0) throw new StackConfigError(problems);
  return raw;
}

/**
 * The running stack's config, validated (`stepwise:policy` by `policyProblems`, which the layer
 * that owns the policy schema supplies); stops the program with every problem at once.
 */
export function readStackConfig(
  options: Pick<ParseOptions, "services" | "coordinationService" | "policyProblems">,
): StackConfig {
  return parseStackConfig(rawStackConfig(pulumi.runtime.allConfig()), options);
}
