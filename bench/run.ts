/**
 * npm run bench [-- <filter>]   runs every bench/*.bench.ts (or those whose file name contains
 * the filter) once and prints each figure with its same-run baseline ratio and goal.
 */
import { readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Bench, BenchResult } from "./result";

async function main(filter: string | undefined): Promise<number> {
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith(".bench.ts") && (!filter || file.includes(filter)))
    .sort();
  const all: Array<BenchResult & { bench: string }> = [];
  for (const file of files) {
    console.log(`\n## ${file}`);
    const module = (await import(join(__dirname, file))) as { run: Bench };
    const results = await module.run((line) => console.log(`  ${line}`));
    for (const result of results) {
      all.push({ ...result, bench: file });
      console.log(`  ${format(result)}`);
    }
  }
  const out = join(__dirname, "..", ".cache", "bench-results.json");
  mkdirSync(join(__dirname, "..", ".cache"), { recursive: true });
  writeFileSync(out, JSON.stringify(all, null, 2));
  console.log(`\n${all.length} figures; written to ${out}`);
  return 0;
}

function format(result: BenchResult): string {
  const value = `${result.name}: ${round(result.value)} ${result.unit}`;
  const ratio = result.ratio === undefined ? "" : `  ratio ${round(result.ratio)}×`;
  const baseline = result.baseline
    ? ` (baseline ${result.baseline.name}: ${round(result.baseline.value)})`
    : "";
  const goal = result.goal ? `  goal ${result.goal}: ${result.met ? "met" : "NOT met"}` : "";
  return `${value}${ratio}${baseline}${goal}`;
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
