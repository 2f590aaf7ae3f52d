import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// docs/api.md is the reference of the package's entry points: every name an entry point
// exports is named in that entry point's section, so the reference cannot fall behind.
const ROOT = join(__dirname, "..", "..", "..");
const ENTRY_POINTS: Record<string, string> = {
  "stepwise-iac": "index.ts",
  "stepwise-iac/policies": "policies.ts",
  "stepwise-iac/events": "events.ts",
  "stepwise-iac/db": "db.ts",
};

/** The names an api/ module exports: every identifier in its `export { … }` lists. */
function exportedNames(source: string): string[] {
  return [...source.matchAll(/export(?: type)? \{([^}]*)\}/g)].flatMap((match) =>
    (match[1] ?? "")
      .split(",")
      .map((entry) => entry.trim().replace(/^type /, ""))
      .filter((entry) => entry !== ""),
  );
}

function section(doc: string, entry: string): string {
  const start = doc.indexOf(`### \`${entry}\``);
  if (start < 0) return "";
  const next = doc.indexOf("\n### ", start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

describe("docs/api.md", () => {
  const doc = readFileSync(join(ROOT, "docs", "api.md"), "utf8");

  for (const [entry, file] of Object.entries(ENTRY_POINTS)) {
    it(`names everything ${entry} exports in its section`, () => {
      const names = exportedNames(readFileSync(join(ROOT, "api", file), "utf8"));
      expect(names.length).toBeGreaterThan(3);
      const text = section(doc, entry);
      // `Name` or `Name(…)`: a name that is only the start of another (Topic, TopicSet) counts once.
      const named = (name: string) => text.includes(`\`${name}\``) || text.includes(`\`${name}(`);
      expect(names.filter((name) => !named(name))).toEqual([]);
    });
  }

  it("lists exactly the entry points package.json exports", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      name: string;
      exports: Record<string, unknown>;
    };
    const entries = Object.keys(pkg.exports)
      .filter((key) => !key.includes("*") && key !== "./package.json")
      .map((key) => (key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`));
    expect(entries.sort()).toEqual(Object.keys(ENTRY_POINTS).sort());
  });
});
