import { join } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..", "..");

/**
 * The project's own eslint.config.mjs, run on code written for the test: only the import rules
 * (the type-aware ones would need a TypeScript program for files that do not exist).
 */
function linter(options: { ignore?: boolean } = {}): ESLint {
  return new ESLint({
    cwd: root,
    ...options,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId.startsWith("import-x/"),
  });
}

async function messagesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await linter().lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe("npm run lint's layer rules", () => {
  it.each([
    ["components/database/lint-fixture.ts", "../../tools/database/readiness", "components/"],
    ["components/events/lint-fixture.ts", "../../migrations/ledger", "components/"],
    ["migrations/lint-fixture.ts", "../policies/config", "migrations/"],
    ["migrations/lint-fixture.ts", "./program/names", "migrations/"],
    ["policies/checks/lint-fixture.ts", "../../tools/review/values", "policies/"],
    ["policies/rules/lint-fixture.ts", "../../migrations/program/names", "policies/"],
    ["migrations/program/lint-fixture.ts", "../../policies/config", "migrations/program/"],
    ["migrations/program/lint-fixture.ts", "../../tools/database/readiness", "migrations/program/"],
    ["tools/review/lint-fixture.ts", "../cli/exit", "tools/"],
  ])("refuses %s importing %s (a back-edge)", async (file, target, layer) => {
    const messages = await messagesFor(file, `import * as up from "${target}";\nexport { up };\n`);
    expect(messages).toEqual([
      expect.stringMatching(
        new RegExp(
          `^import-x/no-restricted-paths: .*${layer} may not import from a layer above it`,
        ),
      ),
    ]);
  });

  it.each([
    ["tools/cli/commands/lint-fixture.ts", "../exit"],
    ["tools/review/lint-fixture.ts", "../../policies/config"],
    ["migrations/program/lint-fixture.ts", "../ledger"],
    ["components/database/lint-fixture.ts", "./citus-sql"],
  ])("lets %s import %s (downward or sideways)", async (file, target) => {
    expect(
      await messagesFor(file, `import * as down from "${target}";\nexport { down };\n`),
    ).toEqual([]);
  });

  it("refuses an import cycle", async () => {
    // The fixtures are out of npm run lint's scope (eslint.config.mjs ignores them); the test
    // lints them with the ignores off, under the same rules as the layered source.
    const results = await linter({ ignore: false }).lintFiles([
      join(root, "test/unit/lint/fixtures/cycle-a.ts"),
    ]);
    expect(results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`))).toEqual([
      "import-x/no-cycle: Dependency cycle detected",
    ]);
  });
});
