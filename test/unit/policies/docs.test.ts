import { describe, expect, it } from "vitest";
import { RESOURCE_CLASSES } from "../../../policies/classify";
import {
  README_END,
  README_START,
  renderPolicyDocs,
  renderReadmeRules,
  replaceReadmeSection,
} from "../../../policies/docs";
import { RULES } from "../../../policies/rules";

describe("the generated README section", () => {
  it("has one row per rule with its id, what it prevents and how to satisfy it", () => {
    const rows = renderReadmeRules()
      .split("\n")
      .filter((line) => line.startsWith("| `"));
    expect(rows).toEqual(
      RULES.map((r) => `| \`${r.id}\` | ${r.prevents} | ${r.satisfy} | ${r.levels.prod} |`),
    );
  });

  it("replaces only what lies between the markers, the same way every time", () => {
    const readme = `# x\n\nintro\n${README_START}\nold table\n${README_END}\n\n## next\n`;
    const once = replaceReadmeSection(readme, "NEW");
    expect(once).toBe(`# x\n\nintro\n${README_START}\n\nNEW\n${README_END}\n\n## next\n`);
    expect(replaceReadmeSection(once, "NEW")).toBe(once);
  });

  it("fails clearly when the markers are missing or swapped", () => {
    const message = `README.md: markers ${README_START} and ${README_END} not found in that order; put both on their own lines where the rules table belongs`;
    expect(() => replaceReadmeSection("# no markers\n", "x")).toThrow(message);
    expect(() => replaceReadmeSection(`${README_END}\n${README_START}\n`, "x")).toThrow(message);
  });
});

describe("docs/policies.md", () => {
  const docs = renderPolicyDocs();
  it("documents every rule and every classified type token", () => {
    for (const rule of RULES) {
      expect(docs).toContain(`### \`${rule.id}\` — ${rule.title}`);
      expect(docs).toContain(`- **How to satisfy it:** ${rule.satisfy}`);
    }
    for (const type of Object.keys(RESOURCE_CLASSES)) expect(docs).toContain(`| \`${type}\` |`);
  });
});
