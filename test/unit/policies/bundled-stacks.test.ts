/**
 * The rules on real transitions: the bundled prod stack and the stepwise program, planned
 * offline (evaluated under mocks for both configurations and diffed), then checked.
 */
import { textWithQuotedTimes } from "../../../migrations/config/stack-file-reader";
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { seedProgram, seedStackFile } from "../../support/seed-platform";
import type { RuleId } from "../../../policies/rules";
import { stackEvaluationConfig } from "../../../tools/plan/evaluation-config";
import { planAndCheck, type CheckedTransition } from "../../../tools/plan/plan-and-check";
import { applyPhaseStep } from "../../../tools/stackfile";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const PROD = readFileSync(seedStackFile("prod"), "utf8");
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

function advance(text: string, path: "events" | "database" | "platform", at = NOW): string {
  return applyPhaseStep(text, path, "advance", at, "prod").text;
}

async function transition(
  before: string,
  after: string,
  stack = "prod",
): Promise<CheckedTransition> {
  return planAndCheck({
    program: seedProgram,
    stack,
    before: stackEvaluationConfig(before, "before"),
    after: stackEvaluationConfig(after, "after"),
    now: NOW,
  });
}

const failed = (t: CheckedTransition, rule: RuleId) =>
  t.verdicts
    .filter((v) => v.ruleId === rule && !v.passed)
    .map((v) => v.message.split(". To pass")[0]);
const blocking = (t: CheckedTransition) => [
  ...new Set(t.verdicts.filter((v) => !v.passed && v.level === "mandatory").map((v) => v.ruleId)),
];

/** prod with events at kafka-only (cutover) since `days` ago, every gate it needed recorded. */
function prodAtCutover(days: number): string {
  const document = parseDocument(PROD);
  document.setIn(["config", "stepwise:phases", "events"], "kafka-only");
  document.setIn(["config", "stepwise:previousPhases", "events"], "consumers-on-kafka");
  document.setIn(["config", "stepwise:enteredAt", "events"], daysBefore(days).toISOString());
  document.setIn(["config", "stepwise:gates", "offsets-migrated"], {
    passed: true,
    recordedAt: daysBefore(days + 3).toISOString(),
    detail: "offsets: 4 groups, 12 partitions translated",
  });
  return textWithQuotedTimes(document);
}

describe("policies on the bundled prod stack", () => {
  it("advancing one path by one phase passes every rule", async () => {
    const t = await transition(PROD, advance(PROD, "events"));
    expect(t.moves).toEqual([{ path: "events", from: "redpanda", to: "parallel" }]);
    expect(t.verdicts.filter((v) => !v.passed)).toEqual([]);
  });

  it("advancing two paths in one update is blocked (and the database lacks its gate)", async () => {
    const t = await transition(PROD, advance(advance(PROD, "events"), "database"));
    expect(blocking(t)).toEqual(["one-path-per-update", "phase-gates"]);
    expect(failed(t, "one-path-per-update")).toEqual([
      "2 paths move in one update: events (redpanda → parallel), database (postgres → citus-provisioned)",
    ]);
    expect(failed(t, "phase-gates")).toEqual([
      'path "database" enters "citus-provisioned" but gate "data-model-reviewed" is not recorded',
    ]);
  });

  it("skipping a phase is blocked", async () => {
    const t = await transition(PROD, advance(advance(PROD, "events"), "events"));
    expect(t.moves).toEqual([{ path: "events", from: "redpanda", to: "dual-publish" }]);
    expect(blocking(t)).toEqual(["one-phase-step"]);
    expect(failed(t, "one-phase-step")).toEqual([
      'path "events" moves 2 phases (redpanda → dual-publish) in one update; go to "parallel" first',
    ]);
  });

  it("a database password written in plain text into the stack file is blocked", async () => {
    const document = parseDocument(PROD);
    document.setIn(["config", "stepwise:databasePassword"], "hunter2");
    const t = await transition(PROD, document.toString());
    expect(failed(t, "no-plaintext-secrets")).toEqual([
      "stack config stepwise:databasePassword is credential-like and has a plain value",
    ]);
    expect(blocking(t)).toContain("no-plaintext-secrets");
  });

  it("the platform path: coordination moves to K3s, then one service per update, all passing", async () => {
    const onK3s = advance(PROD, "platform");
    const first = await transition(PROD, onK3s);
    expect(first.verdicts.filter((v) => !v.passed)).toEqual([]);
    // Its Compose volume is only forgotten (retainOnDelete): the data stays for a rollback.
    const volume = first.plan.steps.find((s) =>
      s.urn.endsWith("Volume::platform-compose-platform-coordination-state"),
    );
    expect(volume).toMatchObject({ op: "delete", oldState: { retainOnDelete: true } });
    // One replica in prod, accepted for its stated reason.
    const coordination = first.plan.steps.find((s) =>
      s.urn.endsWith("Deployment::platform-k3s-platform-coordination"),
    );
    expect(coordination?.newState?.inputs).toMatchObject({
      spec: {
        replicas: 1,
        template: {
          metadata: {
            annotations: {
              "stepwise.dev/single-replica-reason": "keeps its saga log on a ReadWriteOnce volume",
            },
          },
        },
      },
    });

    let before = advance(onK3s, "platform");
    for (const service of ["product-catalog", "orders", "inventory"]) {
      const document = parseDocument(before);
      document.setIn(["config", "stepwise:placement", service], "k3s");
      const after = document.toString();
      const moved = await transition(before, after);
      // The last service leaves Compose, which still runs the engines and is scraped through them.
      expect({ service, failed: moved.verdicts.filter((v) => !v.passed) }).toEqual({
        service,
        failed: [],
      });
      before = after;
    }
  });

  it("retiring Redpanda 10 days after cutover is blocked; 31 days after, it passes", async () => {
    const early = prodAtCutover(10);
    const tooEarly = await transition(early, advance(early, "events"));
    expect(tooEarly.moves).toEqual([
      { path: "events", from: "kafka-only", to: "redpanda-retired" },
    ]);
    // The plan really deletes Redpanda's data: its component and its broker volume.
    const deleted = tooEarly.plan.steps
      .filter((s) => s.op === "delete")
      .map((s) => s.oldState?.type);
    expect(deleted).toEqual(
      expect.arrayContaining(["stepwise:events:RedpandaCluster", "docker:index/volume:Volume"]),
    );
    expect(blocking(tooEarly)).toEqual(["stateful-delete-after-window"]);
    expect(failed(tooEarly, "stateful-delete-after-window")).toEqual([
      'path "events" enters "redpanda-retired" 10.0 days after cutover "kafka-only"; the rollback window is 30 days (until 2026-12-16T12:00:00.000Z)',
    ]);

    const late = prodAtCutover(31);
    const inTime = await transition(late, advance(late, "events"));
    expect(inTime.verdicts.filter((v) => !v.passed)).toEqual([]);
  });
});

describe("policies on the bundled dev stack (services moving, api canary at 25)", () => {
  const DEV = readFileSync(seedStackFile("dev"), "utf8");
  const edited = (edits: [string[], unknown][]) => {
    const document = parseDocument(DEV);
    for (const [path, value] of edits) document.setIn(["config", ...path], value);
    return document.toString();
  };

  it("one service moving to K3s passes; two in one update fail", async () => {
    const one = await transition(DEV, edited([[["stepwise:placement", "orders"], "k3s"]]), "dev");
    expect(failed(one, "one-service-platform-move")).toEqual([]);
    const two = await transition(
      DEV,
      edited([
        [["stepwise:placement", "orders"], "k3s"],
        [["stepwise:placement", "inventory"], "k3s"],
      ]),
      "dev",
    );
    expect(failed(two, "one-service-platform-move")).toEqual([
      "2 services change platform in one update: inventory (compose → k3s), orders (compose → k3s)",
    ]);
  });

  it("the canary weight moving 25 → 50 passes; 25 → 75 fails, naming both implementations", async () => {
    const step = await transition(
      DEV,
      edited([[["stepwise:apiWeights", "product-catalog"], 50]]),
      "dev",
    );
    expect(failed(step, "traffic-weight-step")).toEqual([]);
    const jump = await transition(
      DEV,
      edited([[["stepwise:apiWeights", "product-catalog"], 75]]),
      "dev",
    );
    expect(failed(jump, "traffic-weight-step")).toEqual([
      'service "product-catalog": 50 points of its traffic change hands in one update (product-catalog 75% → 25%, product-catalog-next 25% → 75%); the limit is 25',
    ]);
    expect(jump.verdicts.find((v) => v.ruleId === "traffic-weight-step")?.level).toBe("advisory");
  });
});
