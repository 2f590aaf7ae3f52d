import { textWithQuotedTimes } from "../../../migrations/config/stack-file-reader";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { drillMarkdown, drillText, type DrillResult } from "../../../tools/cli/commands/drill";
import type { Plan, PlanStep } from "../../../migrations/plan-model";
import { renderMarkdown, renderText, terminalLine, type ReviewInput } from "../../../tools/review";
import { CONTROL_CHARACTERS, HOSTILE_TEXT, markdownParts, unescapedMarkup } from "./hostile-text";
import { cli, stackRepo } from "./stack-repo";

// The review is what a reviewer approves. Text from the change under review (gate details,
// config keys and values, resource names and types, diagnostics, policy messages) must read as
// that text: it cannot add a heading, a verdict, HTML, a mention, or a line of its own.

const VOLUME = "docker:index/volume:Volume";
const urnOf = (type: string, name: string) => `urn:pulumi:dev::stepwise::${type}::${name}`;

/** A review whose every slot of untrusted text carries `text`. */
function reviewWith(text: string): ReviewInput {
  const replaced = urnOf(VOLUME, text);
  const deleted = urnOf(VOLUME, `${text}-old`);
  const custom = urnOf("custom:index:Thing", "thing");
  const steps: PlanStep[] = [
    {
      op: "replace",
      urn: replaced,
      oldState: {
        type: VOLUME,
        urn: replaced,
        inputs: { [text]: text, labels: [text], nested: { [text]: text } },
      },
      newState: {
        type: VOLUME,
        urn: replaced,
        inputs: { [text]: `${text}!`, labels: [`${text}!`], nested: { [text]: `${text}?` } },
      },
      diffReasons: [text, "labels", "nested"],
      replaceReasons: [text],
    },
    {
      op: "update",
      urn: custom,
      oldState: { type: text, urn: custom, inputs: { value: text } },
      newState: { type: text, urn: custom, inputs: { value: `${text}!` } },
      diffReasons: ["value"],
    },
    { op: "delete", urn: deleted, oldState: { type: VOLUME, urn: deleted, inputs: {} } },
  ];
  const plan: Plan = {
    steps,
    changeSummary: { replace: 1, update: 1, delete: 1 },
    diagnostics: [
      { severity: "error", message: text, urn: custom },
      { severity: "warning", message: `  ${text}  ` },
    ],
    stepwise: { source: "offline", stack: text, note: text },
  };
  return {
    plan,
    title: text,
    verdicts: [
      { ruleId: text, level: "mandatory", message: text, urn: replaced },
      { ruleId: "advisory-rule", level: "advisory", message: text },
      { ruleId: "odd-level", level: text, message: text },
      { ruleId: text, level: text, passed: true, message: text },
    ],
    moves: [{ path: "events", from: text, to: `${text}'` }],
  };
}

const BENIGN = "benign";
const benignMarkdown = renderMarkdown(reviewWith(BENIGN));
const benignText = renderText(reviewWith(BENIGN));
// The plan carries an engine error, so the true verdict is a failed preview (issue 22).
const TRUE_VERDICT =
  "❌ **Preview failed**: this change cannot be applied as it stands — offline plan (desired-state diff)";
const VERDICT_LINE = /^(❌|⛔|⚠️|✅|ℹ️)/u;
const HEADINGS = ["## stepwise: ", "### Policy verdicts", "### Path `events`: ", "### Diagnostics"];
const ALLOWED_TAGS = new Set(["details", "summary", "br", "span"]);
const MARKUP = "*_[]~`";

const lineStarts = (text: string) => text.split("\n").map((line) => line.slice(0, 2));
const tagsOf = (prose: string) => [...prose.matchAll(/<\/?([a-z][\w-]*)/gi)].map((m) => m[1]);
const count = (text: string, part: string) => text.split(part).length - 1;
const tableRows = (prose: string) =>
  prose
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .join("\n");

/** What a reviewer sees in a code span holding `text`: the text, on one line. */
const visible = (text: string) => terminalLine(text);

/** The properties every rendered comment keeps, whatever its untrusted text says. */
function expectNotForged(markdown: string, benign: string): void {
  const lines = markdown.split("\n");
  // No line of its own: the same lines, each starting as the benign review's does.
  expect(lineStarts(markdown)).toEqual(lineStarts(benign));
  expect(lines.filter((line) => line.startsWith("#")).length).toBe(
    benign.split("\n").filter((line) => line.startsWith("#")).length,
  );
  const parts = markdownParts(markdown);
  const benignParts = markdownParts(benign);
  // No HTML of its own, no extra or missing <details>.
  expect(tagsOf(parts.prose).filter((tag) => !ALLOWED_TAGS.has(tag.toLowerCase()))).toEqual([]);
  for (const tag of ["<details>", "</details>", "<summary>", "</summary>"]) {
    expect(count(parts.prose, tag), tag).toBe(count(benignParts.prose, tag));
  }
  // No markup of its own and no code span it opened or closed; a pipe matters in a table row.
  expect(unescapedMarkup(parts.prose, MARKUP)).toEqual(unescapedMarkup(benignParts.prose, MARKUP));
  expect(unescapedMarkup(tableRows(parts.prose), "|")).toEqual(
    unescapedMarkup(tableRows(benignParts.prose), "|"),
  );
  expect(parts.strayBackticks).toBe(0);
  expect(parts.spans.length).toBe(benignParts.spans.length);
  // No mention, issue reference, bare link or math.
  expect(parts.prose).not.toMatch(/(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_]/u);
  expect(parts.prose).not.toMatch(/#\d|\bGH-\d|:\/\/|\bwww\./i);
  expect(parts.prose.replaceAll("<span>$</span>", "")).not.toContain("$");
  expect(markdown).not.toMatch(CONTROL_CHARACTERS);
}

describe("hostile text in every slot of a Markdown review", () => {
  it.each(HOSTILE_TEXT.map((text) => [JSON.stringify(text), text]))(
    "%s reads as text and the verdict stays the true one",
    (_, text) => {
      const markdown = renderMarkdown(reviewWith(text));
      expectNotForged(markdown, benignMarkdown);
      const lines = markdown.split("\n");
      expect(lines.filter((line) => VERDICT_LINE.test(line))).toEqual([TRUE_VERDICT]);
      for (const heading of lines.filter((line) => line.startsWith("#"))) {
        expect(
          HEADINGS.some((start) => heading.startsWith(start)),
          heading,
        ).toBe(true);
      }
      // The names, types, keys and values are each whole inside one code span.
      const spans = markdownParts(markdown).spans;
      for (const expected of [visible(text), visible(`${text}'`), visible(`${text}-old`)]) {
        expect(spans).toContain(expected);
      }
    },
  );

  it("the corpus is hostile: rendered raw, it would forge the review", () => {
    // The attack as it was: the same text pasted into the comment unescaped.
    const raw = benignMarkdown.replaceAll(BENIGN, HOSTILE_TEXT[2] ?? "");
    expect(() => expectNotForged(raw, benignMarkdown)).toThrow();
    expect(raw).toContain("\n## ✅ Allowed");
  });
});

describe("hostile text in every slot of a terminal review", () => {
  it.each(HOSTILE_TEXT.map((text) => [JSON.stringify(text), text]))(
    "%s prints no control character and no line of its own",
    (_, text) => {
      const output = renderText(reviewWith(text));
      expect(output).not.toMatch(CONTROL_CHARACTERS);
      expect(lineStarts(output)).toEqual(lineStarts(benignText));
      expect(output.split("\n").filter((line) => line.startsWith("Verdict:"))).toEqual([
        "Verdict: PREVIEW FAILED: this change cannot be applied as it stands",
      ]);
      expect(output).toContain(visible(text));
    },
  );
});

describe("hostile text in a rollback drill report", () => {
  const results = (text: string): DrillResult[] => [
    { path: "events", from: text, to: `${text}'`, problems: [text, `rule x: ${text}`] },
    { path: "api", from: "old", to: undefined, problems: [] },
  ];
  const benign = {
    markdown: drillMarkdown("dev", results(BENIGN), []),
    text: drillText("dev", results(BENIGN)),
  };

  it.each(HOSTILE_TEXT.map((text) => [JSON.stringify(text), text]))("%s", (_, text) => {
    const markdown = drillMarkdown(text, results(text), []);
    expectNotForged(markdown, benign.markdown);
    expect(markdown.split("\n")[0]?.endsWith(" ⛔ failed")).toBe(true);
    const output = drillText(text, results(text));
    expect(output).not.toMatch(CONTROL_CHARACTERS);
    expect(lineStarts(output)).toEqual(lineStarts(benign.text));
  });
});

/** What a comment printed by the CLI keeps: one verdict, no forged heading, HTML or mention. */
function expectTextOnly(markdown: string): void {
  const lines = markdown.split("\n");
  expect(lines.filter((line) => VERDICT_LINE.test(line))).toHaveLength(1);
  expect(lines.filter((line) => /^#+ .*(Allowed|Approved|heading)/.test(line))).toEqual([]);
  const { prose, strayBackticks } = markdownParts(markdown);
  expect(tagsOf(prose).filter((tag) => !ALLOWED_TAGS.has(tag.toLowerCase()))).toEqual([]);
  expect(prose).not.toMatch(/@octocat|#\d|:\/\//);
  expect(strayBackticks).toBe(0);
  expect(markdown).not.toMatch(CONTROL_CHARACTERS);
}

describe("hostile text from a pull request, through the CLI", () => {
  const repo = stackRepo();
  afterAll(() => repo.remove());
  const AT = "2026-11-26T12:00:00.000Z";
  const attack = HOSTILE_TEXT.join(" ");

  it("a failed gate's detail in the stack file: plan --markdown shows it as text", async () => {
    repo.edit("dev", (text) => {
      const document = parseDocument(text);
      document.setIn(["config", "stepwise:gates", "data-verified"], {
        passed: false,
        recordedAt: "2026-11-24T09:00:00Z",
        detail: attack,
      });
      return textWithQuotedTimes(document);
    });
    repo.commit("a gate detail that tries to approve the review");
    const args = ["dev", "--advance", "database", "--stacks-dir", repo.stacksDir, "--at", AT];
    const markdown = await cli("plan", ...args, "--markdown");
    expect(markdown.err).toBe("");
    // The detail reaches the comment (the phase-gates finding quotes it), as text.
    expect(markdown.out).toContain("data-verified");
    expect(markdown.out).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expectTextOnly(markdown.out);
    const text = await cli("plan", ...args);
    expect(text.out).toContain(visible(attack));
    expect(text.out).not.toMatch(CONTROL_CHARACTERS);
    expect(text.out.split("\n").filter((line) => line.startsWith("Verdict:"))).toHaveLength(1);
  }, 120_000);

  it("a plan document for `review`: names, note and stack read as text", async () => {
    const document = { ...reviewWith(attack).plan };
    const file = join(repo.dir, "hostile-preview.json");
    writeFileSync(file, JSON.stringify(document));
    // --stack: the policy settings are the dev stack's; the document's own stack name is text.
    const markdown = await cli("review", file, "--markdown", "--stack", "dev", "--at", AT);
    expect(markdown.err).toBe("");
    expect(markdown.out).toContain("## stepwise: ");
    expect(markdown.out).toContain(visible(`${attack}-old`));
    expectTextOnly(markdown.out);
    const text = await cli("review", file, "--stack", "dev", "--at", AT);
    expect(text.out).not.toMatch(CONTROL_CHARACTERS);
  });
});
