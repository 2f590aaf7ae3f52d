import { defineConfig } from "vitest/config";

// Two layers: unit tests need nothing running; integration tests get real Kafka brokers and a
// real PostgreSQL cluster from the global setup (test/services), shared by every file.
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
    ],
  },
});
