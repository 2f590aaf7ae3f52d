import { afterAll, describe, expect, it } from "vitest";
import { cli, stackRepo, type StackRepo } from "./stack-repo";

// Exemptions cover exactly what they name. Each attack comes as a pull request on the bundled
// stacks (the committed file is the base, the working tree the change) and goes through
// `stepwise plan --base HEAD`, as the pull-request workflow runs it.
const AT = "2026-11-26T12:00:00.000Z";
const SLOW = 120_000;
const repos: StackRepo[] = [];
afterAll(() => repos.forEach((r) => r.remove()));

function freshRepo(): StackRepo {
  const repo = stackRepo();
  repos.push(repo);
  return repo;
}

const plan = (repo: StackRepo, stack: string) =>
  cli("plan", stack, "--base", "HEAD", "--stacks-dir", repo.stacksDir, "--at", AT);

/** Rolls `path` back one phase in the working tree with the real command (exit 0: allowed). */
async function rollBack(repo: StackRepo, stack: string, path: string): Promise<void> {
  const done = await cli("rollback", stack, path, "--stacks-dir", repo.stacksDir, "--at", AT);
  expect(done.code, done.out + done.err).toBe(0);
}

/** Lines of the plan's policy findings for one rule. */
const findings = (out: string, rule: string): string[] =>
  out.split("\n").filter((line) => line.includes(`] ${rule}: `));

describe("the dataless-rollback exemption covers the rolled-back system only", () => {
  it(
    "staging: rolling events back from parallel alone deletes Kafka and passes",
    async () => {
      const repo = freshRepo();
      await rollBack(repo, "staging", "events");
      const { code, out } = await plan(repo, "staging");
      expect(code).toBe(0);
      expect(out).toContain("DELETE kafka-broker-0-data (docker:index/volume:Volume)");
      expect(findings(out, "stateful-delete-after-window")).toEqual([]);
      expect(findings(out, "stateful-delete-alone")).toEqual([]);
    },
    SLOW,
  );

  it(
    "staging: the same rollback while moving postgres deletes postgres-data: exit 1, both delete rules name it",
    async () => {
      const repo = freshRepo();
      await rollBack(repo, "staging", "events");
      repo.edit("staging", (text) =>
        text.replace(
          "  stepwise:minimumTime:",
          "  stepwise:enginePlacement:\n    postgres: k3s\n  stepwise:minimumTime:",
        ),
      );
      const { code, out } = await plan(repo, "staging");
      expect(code).toBe(1);
      expect(out).toContain("DELETE postgres-data (docker:index/volume:Volume)");
      // Only postgres-data is judged: Kafka's deletes are the rollback's own.
      expect(findings(out, "stateful-delete-after-window")).toEqual([
        expect.stringContaining(
          "[mandatory] stateful-delete-after-window: postgres-data (docker:index/volume:Volume) is deleted but no path enters a retirement phase in this update.",
        ),
      ]);
      const alone = findings(out, "stateful-delete-alone");
      expect(alone).toHaveLength(1);
      expect(alone[0]).toContain("[mandatory] stateful-delete-alone: this update deletes");
      expect(alone[0]).toContain(", postgres-data, kafka and also: ");
      expect(alone[0]).toContain('path "events" moves');
    },
    SLOW,
  );

  it(
    "staging: the same rollback with a workload change riding along: exit 1, stateful-delete-alone",
    async () => {
      const repo = freshRepo();
      await rollBack(repo, "staging", "events");
      repo.edit("staging", (text) =>
        text.replace(
          "  stepwise:minimumTime:",
          "  stepwise:k3s:\n    skipAwait: true\n  stepwise:minimumTime:",
        ),
      );
      const { code, out } = await plan(repo, "staging");
      expect(code).toBe(1);
      expect(findings(out, "stateful-delete-after-window")).toEqual([]);
      const alone = findings(out, "stateful-delete-alone");
      expect(alone).toHaveLength(1);
      expect(alone[0]).toContain(
        "[mandatory] stateful-delete-alone: this update deletes topics-kafka-coordination-sagas,",
      );
      expect(alone[0]).toContain("and also: platform-k3s-platform-coordination changes");
    },
    SLOW,
  );

  it(
    "prod: with events at parallel, the rollback plus moving postgres out: exit 1, postgres named",
    async () => {
      const repo = freshRepo();
      repo.edit("prod", (text) =>
        text
          .replace("    events: redpanda\n", "    events: parallel\n")
          .replace('    events: "2026-06-01T00:00:00Z"', '    events: "2026-11-20T00:00:00Z"')
          .replace(
            "  stepwise:gates:",
            "  stepwise:previousPhases:\n    events: redpanda\n  stepwise:gates:",
          ),
      );
      repo.commit("prod: events in parallel");
      await rollBack(repo, "prod", "events");
      // Prod runs only Compose, so postgres moves out: onto a server outside the stack.
      repo.edit("prod", (text) =>
        text.replace(
          "  stepwise:minimumTime:",
          [
            "  stepwise:enginePlacement:",
            "    postgres: external",
            "  stepwise:externalEngines:",
            "    postgres:",
            "      host: 10.0.0.5",
            "      port: 5432",
            "      database: stepwise",
            "      user: stepwise",
            "      password:",
            "        secure: v1:t4PG9UuZGzFYpQRW:f5lcOJdyHCmSn7lYemVR8/HsuireeOwmRFJ2XhL2L43njm+0g9Q=",
            "  stepwise:minimumTime:",
          ].join("\n"),
        ),
      );
      const { code, out } = await plan(repo, "prod");
      expect(code).toBe(1);
      expect(findings(out, "stateful-delete-after-window")).toEqual([
        expect.stringContaining(
          "stateful-delete-after-window: postgres-data (docker:index/volume:Volume) is deleted but no path enters a retirement phase",
        ),
        expect.stringContaining(
          "stateful-delete-after-window: postgres (stepwise:database:PostgresServer) is deleted but no path enters a retirement phase",
        ),
      ]);
      expect(findings(out, "stateful-delete-alone")).toEqual([
        expect.stringContaining('path "events" moves'),
      ]);
    },
    SLOW,
  );
});
