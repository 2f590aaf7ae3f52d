/**
 * Writes docs/policies.md and the rules table between the README markers, from the rule
 * definitions. Run: ./run npx tsx policies/generate-docs.ts (add --check to fail on drift).
 */
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import * as prettier from "prettier";
import { renderPolicyDocs, renderReadmeRules, replaceReadmeSection } from "./docs";

/** Markdown as the repository's Prettier settings lay it out (tables aligned). */
async function formatMarkdown(text: string, root: string): Promise<string> {
  const options = await prettier.resolveConfig(join(root, "docs", "policies.md"));
  return prettier.format(text, { ...options, parser: "markdown" });
}

async function main(argv: string[]): Promise<number> {
  const root = join(__dirname, "..");
  const check = argv.includes("--check");
  const readmePath = join(root, "README.md");
  const docsPath = join(root, "docs", "policies.md");
  const readme = readFileSync(readmePath, "utf8");
  // Only the section between the markers is formatted: the rest of the README is the lead's.
  const section = (await formatMarkdown(renderReadmeRules(), root)).trimEnd();
  const outputs: [string, string, string][] = [
    [docsPath, readFileSafe(docsPath), await formatMarkdown(renderPolicyDocs(), root)],
    [readmePath, readme, replaceReadmeSection(readme, section)],
  ];
  const stale = outputs.filter(([, current, wanted]) => current !== wanted);
  if (check) {
    for (const [path] of stale)
      console.error(`${path} is out of date; run ./run npx tsx policies/generate-docs.ts`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const [path, , wanted] of stale) {
    writeFileSync(path, wanted);
    console.log(`wrote ${path}`);
  }
  if (stale.length === 0) console.log("docs/policies.md and README.md are up to date");
  return 0;
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`generate-docs: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
