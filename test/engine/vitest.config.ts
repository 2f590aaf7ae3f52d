import { resolve } from "path";
import { defineConfig } from "vitest/config";

// The engine layer: tests that run the real Pulumi engine (built by test/engine/build-engine.sh).
//   ./run npx vitest run --config test/engine/vitest.config.ts
// A preview compiles the TypeScript program and starts the language host and the dynamic
// provider, so each step takes seconds; one file at a time on a small shared machine.
export default defineConfig({
  test: {
    name: "engine",
    root: resolve(__dirname, "..", ".."),
    include: ["test/engine/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
