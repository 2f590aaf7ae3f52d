/** The Kafka APIs kafkajs speaks and the versions it knows, read from kafkajs itself. */
import { apiKeys, requestDefinitions } from "../kafkajs-internals";
import type { ClientApi } from "./compare-clusters";

export function kafkajsApis(): ClientApi[] {
  return Object.entries(apiKeys)
    .map(([name, key]) => ({
      name,
      key,
      versions: (requestDefinitions[name]?.versions ?? []).map(Number),
    }))
    .filter((api) => api.versions.length > 0);
}
