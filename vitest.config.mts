import { resolve } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

// The layers: unit tests need nothing running and stay quick (npm run test:unit); program tests
// need nothing either but evaluate the whole program, most of them many times over (the CLI's
// plans and drills, the attack corpus); integration tests get real Kafka brokers and a real
// PostgreSQL cluster from the global setup (test/services), shared by every file; engine tests
// run the real Pulumi engine, which their global setup builds once (test/engine). `vitest run`
// (npm test) runs them all.

/** Tests under test/unit/ that evaluate the whole program: the program project runs them. */
const PROGRAM_TESTS = [
  "test/unit/program/**/*.test.ts",
  "test/unit/attacks/**/*.test.ts",
  "test/unit/cli/migration-commands.test.ts",
  "test/unit/cli/cli-process.test.ts",
  "test/unit/plan/bundled-stacks.test.ts",
  "test/unit/policies/bundled-stacks.test.ts",
  "test/unit/policies/pack-on-program.test.ts",
  "test/unit/routing/routes-by-phase.test.ts",
];

/**
 * "stepwise-iac" as the examples import it, resolved to the package's sources as tsconfig.json's
 * paths resolve it for tsc and tsx (vitest runs from the repository's root).
 */
const PACKAGE_SOURCES = [
  { find: /^stepwise-iac$/, replacement: resolve("api", "index.ts") },
  { find: /^stepwise-iac\/(.*)$/, replacement: resolve("api", "$1.ts") },
];

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: PACKAGE_SOURCES },
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...PROGRAM_TESTS],
          // Files share a worker's module cache: importing Pulumi's SDK once per worker instead of
          // once per file is most of the layer's time. A unit test leaves no global state behind
          // (spies restored; each evaluation under mocks sets its own).
          isolate: false,
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias: PACKAGE_SOURCES },
        test: {
          name: "program",
          include: PROGRAM_TESTS,
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias: PACKAGE_SOURCES },
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
        resolve: { alias: PACKAGE_SOURCES },
        test: {
          // npm pack, the tarball installed into a fresh project, planned with its command.
          name: "package",
          include: ["test/package/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        resolve: { alias: PACKAGE_SOURCES },
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
