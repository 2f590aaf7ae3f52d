import { defineConfig } from "vitest/config";

// Three layers: unit tests need nothing running; integration tests get real Kafka brokers and a
// real PostgreSQL cluster from the global setup (test/services), shared by every file; engine
// tests run the real Pulumi engine, which their global setup builds once (test/engine).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/services/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One file at a time: the brokers and the database are shared and the machine is small.
          fileParallelism: false,
        },
      },
      {
        test: {
          // npm pack, the tarball installed into a fresh project, planned with its command.
          name: "package",
          include: ["test/package/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: "engine",
          include: ["test/engine/**/*.test.ts"],
          globalSetup: ["test/engine/global-setup.ts"],
          // A preview compiles the TypeScript program and starts the language host and the
          // dynamic provider: seconds per step, one file at a time, after the other layers.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
