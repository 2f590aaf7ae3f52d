/** The Kafka APIs kafkajs speaks and the versions it knows, read from kafkajs itself. */
import type { ClientApi } from "./compare-clusters";

interface RequestDefinitions {
  readonly versions: readonly string[];
}

export function kafkajsApis(): ClientApi[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const keys = require("kafkajs/src/protocol/requests/apiKeys") as Record<string, number>;
  const requests = require("kafkajs/src/protocol/requests") as {
    requests: Record<string, RequestDefinitions>;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return Object.entries(keys)
    .map(([name, key]) => ({
      name,
      key,
      versions: (requests.requests[name]?.versions ?? []).map(Number),
    }))
    .filter((api) => api.versions.length > 0);
}
