import { join } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..", "..");

/** The project's eslint.config.mjs on text placed in a user project of the repository. */
async function messagesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, {
    filePath: join(root, filePath),
  });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe("npm run lint on the examples and the packaging test's project", () => {
  it.each([
    ["examples/policy-pack/lint-fixture.ts", "../../policies/rules", "not its sources"],
    ["test/fixtures/user-project/lint-fixture.ts", "../../../components", "not its sources"],
    [
      "examples/policy-pack/lint-fixture.ts",
      "stepwise-iac/internal/policies/rules.js",
      "are public",
    ],
  ])("refuses %s importing %s", async (file, target, reason) => {
    const messages = await messagesFor(file, `import * as x from "${target}";\nexport { x };\n`);
    expect(messages).toEqual([
      expect.stringMatching(new RegExp(`^no-restricted-imports: .*${reason}`)),
    ]);
  });

  it.each([
    "stepwise-iac",
    "stepwise-iac/policies",
    "stepwise-iac/events",
    "stepwise-iac/db",
    "./services",
  ])("lets a user project import %s", async (target) => {
    expect(
      await messagesFor(
        "examples/policy-pack/lint-fixture.ts",
        `import * as x from "${target}";\nexport { x };\n`,
      ),
    ).toEqual([]);
  });
});
