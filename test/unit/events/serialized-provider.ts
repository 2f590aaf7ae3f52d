import * as pulumi from "@pulumi/pulumi";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { topicProvider } from "../../../components/events/topic-provider";

type TopicProvider = typeof topicProvider;

/**
 * Serializes the Topic provider the way `pulumi.dynamic.Resource` does, then loads the text in
 * plain Node (outside vitest's module graph), as the engine's dynamic-provider plugin would:
 * what comes back is the code that really runs in `pulumi up`.
 */
export async function serializedTopicProvider(): Promise<{
  text: string;
  provider: TopicProvider;
}> {
  // Exactly as @pulumi/pulumi/dynamic does it; the plugin then calls `handler()`.
  const { text } = await pulumi.runtime.serializeFunction(() => topicProvider, {
    allowSecrets: true,
  });
  // Inside the project, so that the serialized `require("kafkajs")` resolves as it would there.
  const dir = join(process.cwd(), ".cache", "serialized-providers");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `topic-${process.pid}-${Date.now()}.js`);
  writeFileSync(file, text);
  try {
    const loaded = createRequire(file)(file) as { handler: () => TopicProvider };
    return { text, provider: loaded.handler() };
  } finally {
    rmSync(file, { force: true });
  }
}
