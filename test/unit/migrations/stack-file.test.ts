import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackConfig, parseStackFile, SECRET_PLACEHOLDER_PREFIX } from "../../../migrations";
import { seedStackFile } from "../../support/seed-platform";

const STACK = `# a comment
encryptionsalt: v1:abc
config:
  stepwise:environment: dev
  stepwise:phases:
    events: parallel
  stepwise:apiWeights:
    orders: 25
  stepwise:databasePassword:
    secure: v1:AAAA:BBBB
  stepwise:nested:
    a:
      token:
        secure: v1:CCCC:DDDD
      plain: yes
  docker:host: unix:///var/run/docker.sock
`;

describe("loadStackConfig", () => {
  it("keeps maps as maps, numbers as numbers, and replaces secure values by opaque placeholders", () => {
    const dir = mkdtempSync(join(tmpdir(), "stepwise-stack-"));
    const file = join(dir, "Pulumi.dev.yaml");
    writeFileSync(file, STACK);
    const { config, secretKeys } = loadStackConfig(file);
    expect(Object.keys(config)).toEqual([
      "stepwise:environment",
      "stepwise:phases",
      "stepwise:apiWeights",
      "stepwise:databasePassword",
      "stepwise:nested",
      "docker:host",
    ]);
    expect(config["stepwise:phases"]).toEqual({ events: "parallel" });
    expect(config["stepwise:apiWeights"]).toEqual({ orders: 25 });
    expect(secretKeys).toEqual(["stepwise:databasePassword", "stepwise:nested"]);
    const password = config["stepwise:databasePassword"] as string;
    expect(password).toMatch(/^\[secret:[0-9a-f]{12}\]$/);
    expect(password.startsWith(SECRET_PLACEHOLDER_PREFIX)).toBe(true);
    expect(JSON.stringify(config)).not.toContain("BBBB");
    const nested = config["stepwise:nested"] as { a: { token: string; plain: string } };
    expect(nested.a.plain).toBe("yes");
    expect(nested.a.token).toMatch(/^\[secret:[0-9a-f]{12}\]$/);
  });

  it("gives the same placeholder for the same ciphertext and a different one when it changes", () => {
    const one = parseStackFile("config:\n  stepwise:k:\n    secure: v1:A:B\n").config;
    const same = parseStackFile("config:\n  stepwise:k:\n    secure: v1:A:B\n").config;
    const changed = parseStackFile("config:\n  stepwise:k:\n    secure: v1:A:C\n").config;
    expect(one["stepwise:k"]).toBe(same["stepwise:k"]);
    expect(one["stepwise:k"]).not.toBe(changed["stepwise:k"]);
  });

  it.each([
    [
      "a key without namespace",
      "config:\n  phases: {}\n",
      'x.yaml: config key "phases" has no namespace; write it as "stepwise:phases" (or "<provider>:phases")',
    ],
    [
      "config that is not a map",
      "config: [1]\n",
      'x.yaml: "config" = [1]: must be a map of key to value',
    ],
    ["a document that is not a map", "- a\n", 'x.yaml: expected a YAML map with a "config" key'],
    ["malformed YAML", "config:\n  a: [\n", "x.yaml is not valid YAML:"],
  ])("refuses %s, naming the file", (_case, text, message) => {
    expect(() => parseStackFile(text, "x.yaml")).toThrow(message);
  });

  it("names a missing file", () => {
    expect(() => loadStackConfig("/nonexistent/Pulumi.qa.yaml")).toThrow(
      /^cannot read stack file \/nonexistent\/Pulumi.qa.yaml: ENOENT/,
    );
  });

  it.each(["dev", "staging", "prod"])("reads the bundled %s stack", (stack) => {
    const { config, secretKeys } = loadStackConfig(seedStackFile(stack));
    expect(config["stepwise:environment"]).toBe(stack);
    expect(secretKeys).toContain("stepwise:databasePassword");
  });
});
