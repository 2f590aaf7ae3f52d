import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULE_IDS, RULES } from "../../../policies/rules";

const RULES_DIR = join(__dirname, "../../../policies/rules");

describe("one rule in one file", () => {
  it("has a file policies/rules/<rule id>.ts for every rule in RULES, and no other", () => {
    const files = readdirSync(RULES_DIR)
      .filter((file) => file !== "index.ts")
      .map((file) => file.replace(/\.ts$/, ""));
    expect(files.sort()).toEqual([...RULE_IDS].sort());
  });

  it.each(RULE_IDS)("policies/rules/%s.ts defines that rule, as RULES lists it", async (id) => {
    const module = (await import(join(RULES_DIR, id))) as Record<string, unknown>;
    expect(Object.values(module)).toContain(RULES.find((rule) => rule.id === id));
  });
});
