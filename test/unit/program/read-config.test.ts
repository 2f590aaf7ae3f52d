import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { StackConfigError } from "../../../migrations";
import { deferred, rawStackConfig } from "../../../migrations/program";
import { evaluateProgram } from "../../../tools/evaluate";
import { evaluateStack } from "./support";

describe("rawStackConfig", () => {
  it("parses structured keys, keeps text keys as text and skips other namespaces", () => {
    expect(
      rawStackConfig({
        "stepwise:environment": "dev",
        "stepwise:phases": '{"events":"parallel"}',
        "stepwise:monolithImage": "firstviscount/modular-monolith:1.0.0",
        "docker:host": "unix:///var/run/docker.sock",
      }),
    ).toEqual({
      environment: "dev",
      phases: { events: "parallel" },
      monolithImage: "firstviscount/modular-monolith:1.0.0",
    });
  });

  it("refuses a structured key written as plain text, naming it", () => {
    const attempt = () => rawStackConfig({ "stepwise:phases": "events=parallel" });
    expect(attempt).toThrow(StackConfigError);
    expect(attempt).toThrow(
      'stepwise:phases = "events=parallel": must be a map (a YAML mapping under the key)',
    );
  });
});

describe("readStackConfig", () => {
  it("refuses stepwise:policy by the policy pack's own schema", async () => {
    await expect(
      evaluateStack("dev", { policy: { levels: { "one-step": "mandatory" } } }),
    ).rejects.toThrow('stepwise:policy.levels.one-step: unknown rule id "one-step"; valid ids: ');
  });
});

describe("deferred", () => {
  it("resolves to a value supplied later, keeping it secret", async () => {
    const { result } = await evaluateProgram(() => {
      const later = deferred<string>();
      const used = later.output.apply((v) => `url=${v}`);
      later.resolve(pulumi.secret("postgresql://x"));
      return new Promise<[string, boolean]>((resolve) =>
        pulumi.all([used, pulumi.isSecret(used)]).apply(resolve),
      );
    });
    expect(result).toEqual(["url=postgresql://x", true]);
  });
});
