/**
 * stepwise's own folder — the checkout, or node_modules/stepwise when installed — found from
 * this file upward, so it is the same whether the code runs from source (tsx) or from dist/.
 * Its .cache holds the engine the repository's scripts build.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function packageRootFrom(start: string): string {
  for (let dir = start; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return start;
}

export const STEPWISE_ROOT = packageRootFrom(__dirname);
