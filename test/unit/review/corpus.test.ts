/**
 * The review corpus (issue 22): preview documents made by this project — hand-written in the
 * engine's document shape under test/fixtures/previews/, and the engine's own captures — each
 * reviewed end to end: exact counts, verdict, exit status, destructive call-outs, every changed
 * value present, and Markdown that a real parser finds whole.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePreviewDocument } from "../../../tools/engine/preview-document";
import {
  buildReview,
  renderMarkdown,
  renderText,
  reviewDocument,
  type ReviewModel,
} from "../../../tools/review";
import { markdownProblems } from "./markdown-check";

const FIXTURES = join(__dirname, "../../fixtures");
const NOW = new Date("2026-12-07T00:00:00Z");

interface Expected {
  readonly counts: [string, number][];
  readonly verdict: ReviewModel["verdict"];
  readonly exit: 0 | 1;
  readonly destructive: string[];
  /** Per changed resource: its op and how many values it shows. */
  readonly changes: [string, string, number][];
  /** Rules that ran. */
  readonly ran: number;
}

const CORPUS: Record<string, Expected> = {
  "previews/failed-engine-error.json": {
    counts: [
      ["update", 1],
      ["same", 4],
    ],
    verdict: "failed",
    exit: 1,
    destructive: [],
    changes: [["update", "checkout", 1]],
    ran: 4,
  },
  "previews/failed-policy-violation.json": {
    counts: [
      ["create", 1],
      ["same", 2],
    ],
    verdict: "failed",
    exit: 1,
    destructive: [],
    changes: [["create", "exports", 0]],
    ran: 4,
  },
  "previews/maybe-corrupt.json": {
    counts: [
      ["update", 1],
      ["same", 3],
    ],
    verdict: "failed",
    exit: 1,
    destructive: [],
    changes: [["update", "jobs", 1]],
    ran: 4,
  },
  "previews/hidden-sames.json": {
    counts: [
      ["update", 1],
      ["same", 6],
    ],
    verdict: "allowed",
    exit: 0,
    destructive: [],
    changes: [["update", "allow-https", 1]],
    ran: 2,
  },
  "previews/replacement-steps.json": {
    counts: [
      ["replace", 2],
      ["same", 3],
    ],
    verdict: "blocked",
    exit: 1,
    destructive: ["replace orders"],
    changes: [
      ["replace", "orders", 1],
      ["replace", "shared", 0],
    ],
    ran: 2,
  },
  "previews/discard-replaced.json": {
    counts: [["same", 2]],
    verdict: "allowed",
    exit: 0,
    destructive: [],
    changes: [["discard-replaced", "legacy", 0]],
    ran: 2,
  },
  "previews/updates.json": {
    counts: [
      ["update", 5],
      ["same", 9],
    ],
    verdict: "allowed",
    exit: 0,
    destructive: [],
    changes: [
      ["update", "search", 5],
      ["update", "bastion", 1],
      ["update", "flags", 20],
      ["update", "banner", 1],
      ["update", "alerts", 1],
    ],
    ran: 4,
  },
  "previews/stateful-providers.json": {
    counts: [
      ["replace", 9],
      ["delete", 11],
      ["same", 1],
    ],
    verdict: "blocked",
    exit: 1,
    destructive: [
      "replace orders-aurora",
      "replace scratch",
      "replace reports",
      "replace archive",
      "replace main",
      "replace pg-data",
      "delete uploads",
      "delete backups",
      "delete legacy",
      "delete sessions",
      "delete orders-events",
      "delete redpanda-data",
    ],
    changes: [
      ...["orders-aurora", "scratch", "reports", "archive", "main", "pg-data"].map(
        (n): [string, string, number] => ["replace", n, 1],
      ),
      ...["uploads", "backups", "legacy", "sessions", "orders-events", "redpanda-data"].map(
        (n): [string, string, number] => ["delete", n, 0],
      ),
      ...["private", "thumbnailer", "db-access"].map((n): [string, string, number] => [
        "replace",
        n,
        1,
      ]),
      ...["uploads-policy", "aurora-params", "scratch-attach", "jobs-policy", "workers"].map(
        (n): [string, string, number] => ["delete", n, 0],
      ),
    ],
    ran: 2,
  },
  "previews/secrets.json": {
    counts: [
      ["create", 5],
      ["update", 1],
      ["same", 1],
    ],
    verdict: "blocked",
    exit: 1,
    destructive: [],
    changes: [
      ["create", "ledger", 0],
      ["create", "ledger-aurora", 0],
      ["update", "events", 1],
      ["create", "invoicer", 0],
      ["create", "jump", 0],
      ["create", "ops", 0],
    ],
    ran: 4,
  },
  "previews/hostile.json": {
    counts: [
      ["update", 1],
      ["same", 1],
    ],
    verdict: "allowed",
    exit: 0,
    destructive: [],
    changes: [["update", "x`|<img src=x onerror=alert(1)>|@octocat|#1|\n## Allowed", 2]],
    ran: 4,
  },
  // The engine's own captures (test/engine, record-pair fixture project).
  "engine/record-pair.change-with-policy.preview.json": {
    counts: [
      ["create", 1],
      ["update", 1],
      ["replace", 1],
      ["delete", 1],
      ["same", 3],
    ],
    verdict: "failed",
    exit: 1,
    destructive: [],
    changes: [
      ["create", "pair-monitor", 0],
      ["replace", "pair-topic", 1],
      ["update", "pair-settings", 1],
      ["delete", "pair-legacy", 0],
    ],
    ran: 4,
  },
  "engine/record-pair.change.preview.json": {
    counts: [
      ["create", 1],
      ["update", 1],
      ["replace", 1],
      ["delete", 1],
      ["same", 3],
    ],
    verdict: "allowed",
    exit: 0,
    destructive: [],
    changes: [
      ["update", "pair-settings", 1],
      ["create", "pair-monitor", 0],
      ["replace", "pair-topic", 1],
      ["delete", "pair-legacy", 0],
    ],
    ran: 4,
  },
  "engine/record-pair.initial.preview.json": {
    counts: [["create", 6]],
    verdict: "allowed",
    exit: 0,
    destructive: [],
    changes: [
      "record-pair-dev",
      "pair",
      "pair-legacy",
      "pair-settings",
      "pair-anchor",
      "pair-topic",
    ].map((n): [string, string, number] => ["create", n, 0]),
    ran: 4,
  },
  "engine/record-pair.unchanged.preview.json": {
    counts: [["same", 6]],
    verdict: "allowed",
    exit: 0,
    destructive: [],
    changes: [],
    ran: 4,
  },
  // A stepwise program's preview: the phase ledger is there, so every rule runs.
  "plans/engine-preview.json": {
    counts: [
      ["update", 1],
      ["replace", 1],
      ["delete", 2],
      ["same", 1],
    ],
    verdict: "blocked",
    exit: 1,
    destructive: ["delete redpanda-data"],
    changes: [
      ["update", "phase-ledger", 3],
      ["replace", "kafka", 1],
      ["delete", "redpanda", 0],
      ["delete", "redpanda-data", 0],
    ],
    ran: 17,
  },
};

function review(file: string) {
  const path = join(FIXTURES, file);
  return reviewDocument(readFileSync(path, "utf8"), path, { now: NOW });
}

describe.each(Object.entries(CORPUS))("review of %s", (file, expected) => {
  const reviewed = review(file);
  const markdown = renderMarkdown(reviewed.input);
  const text = renderText(reviewed.input);

  it("counts, verdict and exit status", () => {
    expect(reviewed.review.counts).toEqual(expected.counts);
    expect(reviewed.review.verdict).toBe(expected.verdict);
    expect(reviewed.exitCode).toBe(expected.exit);
    expect(reviewed.review.rules?.ran).toHaveLength(expected.ran);
  });

  it("calls out exactly the destructive steps on stateful resources", () => {
    expect(reviewed.review.destructive.map((s) => `${s.op} ${s.name}`)).toEqual(
      expected.destructive,
    );
    if (expected.destructive.length > 0) expect(markdown).toContain("> [!CAUTION]");
  });

  it("lists every change and every changed value, in Markdown and in the terminal", () => {
    const changes = reviewed.review.changes;
    expect(changes.map((c) => [c.op, c.name, c.values.length])).toEqual(expected.changes);
    for (const change of changes) {
      for (const value of change.values) {
        expect(text).toContain(`${value.key}: `);
        expect(markdown).toContain(value.key.includes("\n") ? "Heading" : value.key.slice(0, 20));
      }
    }
  });

  it("renders Markdown a parser finds whole, with the verdict above the fold", () => {
    expect(markdownProblems(markdown)).toEqual([]);
    const verdictAt = markdown.search(/❌|⛔|⚠️|✅|ℹ️/);
    expect(verdictAt).toBeGreaterThan(0);
    expect(verdictAt).toBeLessThan(markdown.indexOf("changed resource(s)</summary>") >>> 0);
    // No replacement character, no lone surrogate: values are cut between graphemes.
    expect(markdown + text).not.toMatch(/\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it("titles the review with the file's name only", () => {
    expect(reviewed.review.title).toBe(
      `${reviewed.review.title.split(": ")[0]}: ${file.split("/").pop()}`,
    );
    expect(markdown + text + JSON.stringify(reviewed.review)).not.toContain(FIXTURES);
  });
});

describe("a failed preview", () => {
  it("shows the engine's errors above everything, once, without doubling the severity", () => {
    const { review: model, input } = review("engine/record-pair.change-with-policy.preview.json");
    expect(model.failures).toEqual([{ kind: "engine-error", message: "preview failed" }]);
    const markdown = renderMarkdown(input);
    expect(markdown).toContain("❌ **Preview failed**");
    expect(markdown).toContain("> - **engine error**: preview failed");
    expect(markdown).not.toContain("error: error:");
    expect(markdown.indexOf("[!CAUTION]")).toBeLessThan(markdown.indexOf("Rules: "));
    expect(markdown.indexOf("[!CAUTION]")).toBeLessThan(
      markdown.indexOf("changed resource(s)</summary>"),
    );
  });

  it("names a policy violation and a possibly corrupt state", () => {
    expect(
      review("previews/failed-policy-violation.json").review.failures.map((f) => f.kind),
    ).toEqual(["policy-violation", "engine-error"]);
    expect(review("previews/maybe-corrupt.json").review.failures.map((f) => f.kind)).toEqual([
      "maybe-corrupt",
    ]);
  });

  it("folds a provider's HTML error page into a code block, never HTML", () => {
    const markdown = renderMarkdown(review("previews/failed-engine-error.json").input);
    expect(markdown).toContain("<details><summary>error: reading Lambda Function (checkout)");
    expect(markdown).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // The page is text in the fence; markdownProblems finds no HTML of its own anywhere.
    expect(markdownProblems(markdown)).toEqual([]);
  });
});

describe("counts", () => {
  it("come from changeSummary and say how many unchanged resources the preview leaves out", () => {
    const { review: model } = review("previews/hidden-sames.json");
    expect(model.countNotes).toEqual([
      "5 unchanged resource(s) are not listed in the preview (`pulumi preview --json --show-sames` lists them)",
    ]);
  });

  it("are counted from the steps when the document has no changeSummary, and say so", () => {
    const text = readFileSync(join(FIXTURES, "previews/updates.json"), "utf8");
    const plan = { ...parsePreviewDocument(text, "updates.json"), changeSummary: {} };
    const model = buildReview({ plan });
    expect(model.counts).toEqual([
      ["update", 5],
      ["same", 1],
    ]);
    expect(model.countNotes).toEqual(["the document has no changeSummary: counted from the steps"]);
  });
});

describe("rules that do not apply", () => {
  it("are not reported as passed on a program without a phase ledger", () => {
    const { review: model, input } = review("engine/record-pair.change.preview.json");
    expect(model.passed.map((v) => v.ruleId)).toEqual([
      "traffic-weight-step",
      "stateful-never-replaced",
      "no-plaintext-secrets",
      "k3s-prod-workloads",
    ]);
    expect(model.rules?.note).toBe(
      "no stepwise migration state in this preview: path rules not applicable",
    );
    expect(renderMarkdown(input)).toContain(
      "no stepwise migration state in this preview: path rules not applicable.",
    );
  });

  it("leave an unknown environment to the rules at one level everywhere, and --environment adds the rest", () => {
    const path = join(FIXTURES, "previews/stateful-providers.json");
    const text = readFileSync(path, "utf8");
    const unknown = reviewDocument(text, path, { now: NOW });
    expect(unknown.review.rules?.ran).toEqual(["stateful-never-replaced", "no-plaintext-secrets"]);
    expect(unknown.review.rules?.note).toContain('environment unknown (stack "demo"');
    const prod = reviewDocument(text, path, { now: NOW, environment: "prod" });
    expect(prod.review.rules?.environmentSource).toBe("--environment");
    expect(prod.review.rules?.ran).toHaveLength(4);
  });
});

describe("the environment and the ledger", () => {
  const text = readFileSync(join(FIXTURES, "previews/hidden-sames.json"), "utf8");
  const withConfig = (config: Record<string, string>) =>
    JSON.stringify({ ...(JSON.parse(text) as object), config });

  it("comes from the stack's stepwise:policy.environment when the name says none", () => {
    const document = withConfig({ "stepwise:policy": '{"environment":"staging"}' });
    const { review: model } = reviewDocument(document, "hidden-sames.json", { now: NOW });
    expect(model.rules?.environment).toBe("staging");
    expect(model.rules?.environmentSource).toBe("stepwise:policy.environment");
  });

  it("refuses an --environment that contradicts the stack's own, naming both", () => {
    const document = withConfig({ "stepwise:policy": '{"environment":"staging"}' });
    expect(() =>
      reviewDocument(document, "hidden-sames.json", { now: NOW, environment: "dev" }),
    ).toThrow(
      '--environment dev contradicts stepwise:policy.environment "staging" of the stack; leave --environment out or give staging',
    );
  });

  it("says when a stepwise stack's unchanged ledger was left out of the preview", () => {
    const document = withConfig({ "stepwise:phases": '{"events":"redpanda"}' });
    const { review: model } = reviewDocument(document, "hidden-sames.json", {
      now: NOW,
      environment: "dev",
    });
    expect(model.rules?.pathRules).toBe("ledger-not-in-preview");
    expect(model.rules?.note).toContain("`pulumi preview --json --show-sames`");
  });
});

describe("plaintext secrets in any preview", () => {
  const { review: model, input } = review("previews/secrets.json");

  it("are found by name and by shape, and names that only describe a credential are not", () => {
    expect(model.failed.map((v) => [v.ruleId, v.message.split(". To pass")[0]])).toEqual([
      ["no-plaintext-secrets", "ledger: input password is credential-like and has a plain value"],
      [
        "no-plaintext-secrets",
        "invoicer: input environment.variables.STRIPE_KEY holds a Stripe key",
      ],
      [
        "no-plaintext-secrets",
        "stack config billing:apiToken is credential-like and has a plain value",
      ],
    ]);
  });

  it("are never printed, from plain inputs, config or a raw secret envelope", () => {
    const everything = [renderMarkdown(input), renderText(input), JSON.stringify(model)].join("\n");
    for (const secret of [
      "Hunter2-plain-pw",
      "envelope-old-pw",
      "envelope-new-pw",
      "tok-plain-0099887766",
      "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(model.changes.find((c) => c.name === "events")?.values).toEqual([
      {
        key: "masterPassword",
        before: "[secret]",
        after: "[secret]",
        kind: "value",
        diffKind: "update",
        inputDiff: true,
      },
    ]);
  });
});

describe("changed values", () => {
  const { review: model, input } = review("previews/updates.json");
  const values = (name: string) =>
    model.changes.find((c) => c.name === name)?.values.map((v) => [v.key, v.before, v.after]);

  it("come from detailedDiff: adds, deletes and updates, without diffReasons", () => {
    expect(values("search")).toEqual([
      ["environment.variables.MODE", '"fast"', '"exact"'],
      ["environment.variables.REGION", '"eu"', "(none)"],
      ["environment.variables.INDEX", "(none)", '"v2"'],
      ['tags["team"]', '"catalog"', "(none)"],
      ["layers[1]", "(none)", '"arn:2"'],
    ]);
  });

  it("show a difference from the deployed state (drift) as such", () => {
    expect(values("bastion")).toEqual([['tags["patched-by"]', '"ops-console"', "(none)"]]);
    expect(renderMarkdown(input)).toContain(
      '- `tags["patched-by"]`: `"ops-console"` (deployed state) → `(none)`',
    );
  });

  it("list more than a dozen values of one resource, each in Markdown", () => {
    const markdown = renderMarkdown(input);
    for (let i = 0; i < 20; i++) {
      const n = String(i).padStart(2, "0");
      expect(markdown).toContain(`- \`data.LABEL_${n}\`: \`"v${i}"\` → \`"w${i}"\``);
    }
    // No empty code span (what the old cut note printed).
    expect(markdown).not.toMatch(/(?:^|[\s:(])` `(?=[\s,.]|$)/m);
  });

  it("cut long values between graphemes", () => {
    const [, before, after] = values("banner")?.[0] ?? [];
    expect(before).toMatch(/^"(?:🚀)+…$/u);
    expect(after?.endsWith("👩‍👩‍👧‍👦 family …") || after?.endsWith("family …")).toBe(true);
  });
});

describe("deep values", () => {
  it("refuses a document nested deeper than any preview, naming the limit (the CLI exits 2)", () => {
    const deep = `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`;
    const document = `{"steps":[{"op":"same","urn":"urn:pulumi:dev::p::t:m:T::n","newState":{"type":"t:m:T","urn":"urn:pulumi:dev::p::t:m:T::n","inputs":{"v":${deep}}}}]}`;
    expect(() => reviewDocument(document, "/tmp/deep.json", { now: NOW })).toThrow(
      "deep.json: nested more than 100 levels deep, which no preview document is; give the output of `pulumi preview --json`",
    );
    const deeper = `{"v":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    expect(() => reviewDocument(deeper, "/tmp/deeper.json", { now: NOW })).toThrow(
      /deeper\.json: nested more than 100 levels deep/,
    );
  });

  it("diffs a value 3,000 levels deep to its one changed leaf (a plan built in code)", () => {
    let before: unknown = 1;
    let after: unknown = 2;
    for (let i = 0; i < 3000; i++) {
      before = { a: before };
      after = { a: after };
    }
    const urn = "urn:pulumi:dev::p::aws:ssm/parameter:Parameter::deep";
    const state = (v: unknown) => ({ type: "aws:ssm/parameter:Parameter", urn, inputs: { v } });
    const model = buildReview({
      plan: {
        steps: [{ op: "update", urn, oldState: state(before), newState: state(after) }],
        changeSummary: { update: 1 },
      },
    });
    const [value] = model.changes[0]?.values ?? [];
    expect(value?.key).toBe(`v${".a".repeat(3000)}`);
    expect([value?.before, value?.after]).toEqual(["1", "2"]);
  });
});
