import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SEED_PLATFORM_DIR } from "../../support/seed-platform";

// `pulumi` requires a CommonJS program and calls its exports only when they are the function
// itself (`export =`); with `export default` the engine ran the program module and registered
// nothing, while the offline planner, which unwraps a default export, planned everything.
describe("the seed platform's program module", () => {
  it("is the program function itself, as pulumi's Node.js host requires and calls it", () => {
    const nodeRequire = createRequire(__filename);
    // What pulumi's host does for a TypeScript program: a CommonJS require through a TS loader.
    (nodeRequire("tsx/cjs/api") as { register: () => unknown }).register();
    expect(nodeRequire(join(SEED_PLATFORM_DIR, "index.ts"))).toBeInstanceOf(Function);
  });
});
