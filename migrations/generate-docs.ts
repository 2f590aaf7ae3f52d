// Regenerates the path tables and Mermaid diagrams in docs/migrations.md from the definitions:
//   ./run npx tsx migrations/generate-docs.ts          (writes the file)
//   ./run npx tsx migrations/generate-docs.ts --check  (exit 1 when the file is out of date)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formattedDoc } from "./docs-format";

async function main(): Promise<void> {
  const file = join(__dirname, "..", "docs", "migrations.md");
  const current = readFileSync(file, "utf8");
  const updated = await formattedDoc(current);
  if (process.argv.includes("--check")) {
    if (updated !== current) {
      console.error(`${file} is out of date; run ./run npx tsx migrations/generate-docs.ts`);
      process.exitCode = 1;
    }
  } else if (updated !== current) {
    writeFileSync(file, updated);
    console.log(`updated ${file}`);
  } else {
    console.log(`${file} is up to date`);
  }
}

void main();
