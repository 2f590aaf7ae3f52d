import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  GENERATED_END,
  GENERATED_START,
  MIGRATION_PATHS,
  pathDiagram,
  renderPathsDoc,
  withGeneratedPaths,
} from "../../../migrations";
import { formattedDoc } from "../../../migrations/docs-format";

describe("docs/migrations.md", () => {
  it("is up to date with the path definitions (regenerate: ./run npx tsx migrations/generate-docs.ts)", async () => {
    const current = readFileSync("docs/migrations.md", "utf8");
    expect(await formattedDoc(current)).toBe(current);
  });

  it("holds a Mermaid diagram of every path, generated from its definition", () => {
    const current = readFileSync("docs/migrations.md", "utf8");
    for (const path of Object.values(MIGRATION_PATHS)) {
      expect(current).toContain(`### ${path.title} (\`${path.id}\`)`);
      expect(current).toContain("```mermaid\n" + pathDiagram(path));
    }
  });

  it("replaces only the generated section", () => {
    const doc = `intro\n${GENERATED_START}\nstale\n${GENERATED_END}\noutro\n`;
    const updated = withGeneratedPaths(doc, "fresh\n");
    expect(updated).toBe(`intro\n${GENERATED_START}\n\nfresh\n\n${GENERATED_END}\noutro\n`);
    expect(() => withGeneratedPaths("no markers")).toThrow("has no");
    expect(renderPathsDoc([MIGRATION_PATHS.api])).toContain("| 1 | `canary` |");
  });
});
