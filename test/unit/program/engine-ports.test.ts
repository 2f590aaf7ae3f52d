import { describe, expect, it } from "vitest";
import { plannedBootstrap } from "../../../migrations/program/engines";

describe("event clusters side by side", () => {
  it.each(["compose", "k3s"] as const)(
    "Redpanda and Kafka on %s publish different external ports",
    (platform) => {
      const other = platform === "compose" ? "k3s" : "compose";
      const redpanda = plannedBootstrap("redpanda", platform)[other];
      const kafka = plannedBootstrap("kafka", platform)[other];
      const port = (bootstrap: string): string => bootstrap.split(":").pop()!;
      expect(port(redpanda)).not.toBe(port(kafka));
    },
  );
});
