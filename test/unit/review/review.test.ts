import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePreviewDocument } from "../../../tools/engine/preview-document";
import type { Plan, PlanStep } from "../../../migrations/plan-model";
import { OFFLINE_PLAN_NOTE } from "../../../tools/plan/diff-resources";
import {
  buildReview,
  GITHUB_COMMENT_LIMIT,
  renderMarkdown,
  renderText,
  type ReviewVerdict,
} from "../../../tools/review";

const previewFile = join(__dirname, "../../fixtures/plans/engine-preview.json");
const enginePlan = parsePreviewDocument(readFileSync(previewFile, "utf8"), previewFile);

const VERDICTS: ReviewVerdict[] = [
  {
    ruleId: "stateful-delete-after-window",
    level: "mandatory",
    passed: false,
    message: "redpanda-data deleted | too early",
    urn: "urn:pulumi:prod::stepwise::docker:index/volume:Volume::redpanda-data",
  },
  {
    ruleId: "both-systems-monitored",
    level: "advisory",
    passed: false,
    message: "kafka has no scrape target",
  },
  { ruleId: "one-phase-step", level: "mandatory", passed: true, message: "passed" },
];

describe("a retained delete (retainOnDelete)", () => {
  it("is shown as only forgotten, not as a destructive step", () => {
    const urn = "urn:pulumi:prod::stepwise::docker:index/volume:Volume::coordination-state";
    const plan: Plan = {
      steps: [
        {
          op: "delete",
          urn,
          oldState: { type: "docker:index/volume:Volume", urn, retainOnDelete: true, inputs: {} },
        },
      ],
      changeSummary: { delete: 1 },
    };
    const review = buildReview({ plan });
    expect(review.destructive).toEqual([]);
    expect(review.changes.map((c) => [c.op, c.name, c.retained])).toEqual([
      ["delete", "coordination-state", true],
    ]);
    expect(renderText({ plan })).toContain(
      "coordination-state [stateful] (retained: only forgotten, data kept)",
    );
    expect(renderMarkdown({ plan })).toContain("retained: only forgotten by Pulumi, data kept");
  });
});

describe("buildReview on a pulumi preview --json document", () => {
  const review = buildReview({ plan: enginePlan, verdicts: VERDICTS });

  it("counts a replacement once though the engine reports three steps for it", () => {
    expect(review.counts).toEqual([
      ["update", 1],
      ["replace", 1],
      ["delete", 2],
      ["same", 1],
    ]);
    expect(review.changes.map((c) => [c.op, c.name])).toEqual([
      ["update", "phase-ledger"],
      ["replace", "kafka"],
      ["delete", "redpanda"],
      ["delete", "redpanda-data"],
    ]);
  });

  it("calls out the stateful delete, reads the phase change from the ledger step, splits verdicts", () => {
    expect(review.destructive.map((s) => [s.op, s.name])).toEqual([["delete", "redpanda-data"]]);
    expect(review.moves).toEqual([{ path: "events", from: "kafka-only", to: "redpanda-retired" }]);
    expect(review.failed.map((v) => v.ruleId)).toEqual([
      "stateful-delete-after-window",
      "both-systems-monitored",
    ]);
    expect(review.passed.map((v) => v.ruleId)).toEqual(["one-phase-step"]);
    expect(review.blocked).toBe(true);
    expect(review.source).toBe("engine");
    expect(review.diagnostics).toEqual([
      {
        urn: expect.any(String) as string,
        message: "a warning from the program",
        severity: "warning",
      },
    ]);
  });
});

describe("renderMarkdown", () => {
  it("renders the engine preview as a PR comment (snapshot)", async () => {
    const markdown = renderMarkdown({
      plan: enginePlan,
      title: "prod: retire redpanda",
      verdicts: VERDICTS,
    });
    await expect(markdown).toMatchFileSnapshot("__snapshots__/engine-preview.md");
    // Above the fold: verdict and counts come before any detail.
    const lines = markdown.split("\n");
    expect(lines[0]).toBe("## stepwise: prod: retire redpanda");
    expect(lines[2]).toBe("⛔ **Blocked** by 1 mandatory rule(s) — engine preview");
    expect(lines[4]).toBe("🟡 update **1** · 🔁 replace **1** · 🔴 delete **2** · ⚪ same **1**");
    expect(markdown).toContain("> [!CAUTION]\n> **1 destructive step(s) on stateful resources**");
    expect(markdown).toContain("```mermaid\nflowchart LR");
    expect(markdown).toContain("class p4 current");
    expect(markdown).toContain("class p5 next");
    // A pipe in a message would break the table row.
    expect(markdown).toContain("redpanda-data deleted \\| too early");
    expect(markdown).toContain("<details><summary>4 changed resource(s)</summary>");
  });

  it("marks an offline plan as a desired-state diff", () => {
    const offline: Plan = {
      ...enginePlan,
      stepwise: { source: "offline", stack: "prod", note: OFFLINE_PLAN_NOTE },
    };
    const markdown = renderMarkdown({ plan: offline });
    expect(markdown).toContain("offline plan (desired-state diff)");
    // The note is the plan's own text, so it is escaped like any other: its backticks stay text.
    const escapedNote = OFFLINE_PLAN_NOTE.replaceAll("`", "\\`");
    expect(escapedNote).toContain("Run \\`pulumi preview\\` for the provider's verdict.");
    expect(markdown).toContain(`> [!NOTE]\n> ${escapedNote}\n`);
    expect(markdown.startsWith("## stepwise: prod\n")).toBe(true);
    expect(markdown).toContain("ℹ️ No policy verdicts were given");
  });

  it("stays under GitHub's comment limit by cutting details, never the summary", () => {
    const steps: PlanStep[] = Array.from({ length: 3000 }, (_, i) => ({
      op: "update",
      urn: `urn:pulumi:dev::stepwise::docker:index/container:Container::service-${i}`,
      oldState: {
        type: "docker:index/container:Container",
        urn: "",
        inputs: { memory: i, labels: ["a".repeat(50)] },
      },
      newState: {
        type: "docker:index/container:Container",
        urn: "",
        inputs: { memory: i + 1, labels: ["b".repeat(50)] },
      },
      diffReasons: ["labels", "memory"],
    }));
    const big: Plan = { steps, changeSummary: { update: 3000 } };
    const markdown = renderMarkdown({ plan: big, verdicts: VERDICTS });
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - 2000);
    expect(markdown).toContain("🟡 update **3000**");
    expect(markdown).toMatch(
      /_…\d+ more not shown to stay under GitHub's comment limit; stepwise review --json prints the whole review._/,
    );
    expect(markdown.trimEnd().endsWith("</details>")).toBe(true);
    const small = renderMarkdown({ plan: big }, { limit: 5000, fullPlanHint: "see the artifact" });
    expect(small.length).toBeLessThanOrEqual(5000);
    expect(small).toContain("see the artifact");
  });
});

describe("renderText", () => {
  it("shows the same sections for a terminal", () => {
    const text = renderText({ plan: enginePlan, title: "prod", verdicts: VERDICTS });
    expect(text.split("\n").slice(0, 3)).toEqual([
      "stepwise: prod (engine preview)",
      "Resources: update 1, replace 1, delete 2, same 1",
      "Verdict: BLOCKED by a mandatory rule",
    ]);
    expect(text).toContain(
      "!!! 1 DESTRUCTIVE STEP(S) ON STATEFUL RESOURCES !!!\n  DELETE redpanda-data (docker:index/volume:Volume)",
    );
    expect(text).toContain(
      "  [mandatory] stateful-delete-after-window: redpanda-data deleted | too early",
    );
    expect(text).toContain(
      "Path events: kafka-only -> redpanda-retired\n  redpanda - parallel - dual-publish - consumers-on-kafka - [kafka-only] - >redpanda-retired<",
    );
    expect(text).toContain('        image: "apache/kafka:4.0.0" => "apache/kafka:4.1.0"');
    expect(text).toContain(
      '        ledger.phases.events.phase: "kafka-only" => "redpanda-retired"',
    );
  });

  it("shows list changes as items removed and added, and secrets only masked", () => {
    const plan: Plan = {
      steps: [
        {
          op: "replace",
          urn: "urn:pulumi:dev::stepwise::docker:index/container:Container::orders",
          oldState: {
            type: "docker:index/container:Container",
            urn: "",
            inputs: { envs: ["A=1", "B=2"], token: "[secret]" },
          },
          newState: {
            type: "docker:index/container:Container",
            urn: "",
            inputs: { envs: ["A=1", "B=3"], token: "[secret]" },
          },
          diffReasons: ["envs"],
          replaceReasons: ["envs"],
        },
      ],
      changeSummary: { replace: 1 },
    };
    const text = renderText({ plan });
    expect(text).toContain('        envs: removed ["B=2"], added ["B=3"]');
    expect(text).not.toContain("token");
  });
});

describe("text from the plan that could pass for structure", () => {
  const urn = "urn:pulumi:dev::stepwise::kubernetes:apps/v1:Deployment::orders";
  const plan: Plan = {
    steps: [
      {
        op: "update",
        urn,
        oldState: {
          type: "kubernetes:apps/v1:Deployment",
          urn,
          inputs: { metadata: { labels: { "app.kubernetes.io/name": "a", "x\ny": 1, plain: 1 } } },
        },
        newState: {
          type: "kubernetes:apps/v1:Deployment",
          urn,
          inputs: { metadata: { labels: { "app.kubernetes.io/name": "b", "x\ny": 2, plain: 2 } } },
        },
        diffReasons: ["metadata"],
      },
    ],
    changeSummary: { update: 1 },
  };

  it("shows a key with a dot or a line break quoted, a plain one dotted", () => {
    const text = renderText({ plan });
    expect(text).toContain('        metadata.labels["app.kubernetes.io/name"]: "a" => "b"');
    expect(text).toContain('        metadata.labels["x\\ny"]: 1 => 2');
    expect(text).toContain("        metadata.labels.plain: 1 => 2");
  });

  it("draws no diagram for a move to a phase the path does not have, and says so", () => {
    const markdown = renderMarkdown({
      plan,
      moves: [{ path: "events", from: "parallel", to: "nope" }],
    });
    expect(markdown).toContain(
      "### Path `events`: `parallel` → `nope`\n\nNo diagram: not a phase of this path: `nope`",
    );
    expect(markdown).not.toContain("```mermaid");
  });
});

describe("the review of a document the real engine printed", () => {
  // Captured from `pulumi preview --json` by the engine tests (test/engine, docs/engine.md).
  const file = join(__dirname, "../../fixtures/engine/record-pair.change.preview.json");
  const plan = parsePreviewDocument(readFileSync(file, "utf8"), file);

  it("counts each operation once and names every changed resource", () => {
    const text = renderText({ plan, title: "record-pair: change" });
    expect(text).toContain("create 1, update 1, replace 1, delete 1");
    for (const name of ["pair-monitor", "pair-settings", "pair-topic", "pair-legacy"]) {
      expect(text).toContain(name);
    }
    const markdown = renderMarkdown({ plan, title: "record-pair: change" });
    expect(markdown.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain("pair-topic");
  });
});
