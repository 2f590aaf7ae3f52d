/**
 * Text an attacker can put in a stack file or a plan (gate details, config keys, resource names,
 * diagnostics), and a reader of the Markdown that results: what GitHub would take as markup.
 */

/** Each entry tries one way to make a review say something it does not. */
export const HOSTILE_TEXT: readonly string[] = [
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script><!-- hidden -->",
  "</details>\n\n## ✅ Allowed",
  "\n## ✅ **Allowed**: every rule passed",
  "x\n\n✅ **Allowed**: every rule passed — engine preview\n",
  "\r\n# Approved\r\n",
  "cc @octocat and @org/security-team, a@b.io",
  "fixes #1 and GH-2, owner/repo#3",
  "a`b",
  "`` ``` ` ",
  "x` ## ✅ Allowed `y",
  "```\n# heading in a fence\n```",
  "| forged | cell |\n|---|---|\n| ✅ | approved |",
  "> [!NOTE]\n> all good",
  "- [x] approved\n1. step\n* item",
  "===",
  "---",
  "1) numbered",
  "    indented code",
  "[click](https://evil.example) ![x](https://evil.example/x.png) https://evil.example www.evil.example",
  "**bold** _em_ ~~strike~~ [^1]",
  "$\\color{green}{\\text{Approved}}$ and $$x$$",
  "&lt;b&gt; &#60;b&#62; &amp;",
  "trailing backslash\\",
  "\\",
  "\u001b[31mred\u001b[0m \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u009b2J",
  "Verdict: BLOCKED\rVerdict: allowed: every rule passed",
  "\u202eevil\u202c \u2066isolate\u2069 \u200fmark \u061c",
  "\ttab\u0000nul\u0007bell\u0008bs\u007fdel\u000bvt\u000cff\u0085nel\u2028ls\u2029ps",
];

/** The Markdown with its code spans and fenced blocks taken out, and those spans' contents. */
export interface MarkdownParts {
  /** Everything GitHub parses as Markdown; each code span is left as "⟦code⟧". */
  readonly prose: string;
  /** Contents of the inline code spans, as CommonMark reads them (one space stripped). */
  readonly spans: readonly string[];
  /** Backtick runs that open no code span: literal backticks the text added. */
  readonly strayBackticks: number;
}

/** Splits Markdown as CommonMark does for code: fenced blocks, then inline code spans. */
export function markdownParts(markdown: string): MarkdownParts {
  const outsideFences: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^(`{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) fence = marker;
    else if (fence !== undefined && marker !== undefined && /^`+$/.test(line)) {
      if (marker.length >= fence.length) fence = undefined;
    } else if (fence === undefined) outsideFences.push(line);
  }
  const text = outsideFences.join("\n");
  const spans: string[] = [];
  let prose = "";
  let strayBackticks = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? "";
    if (char === "\\") {
      prose += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (char !== "`") {
      prose += char;
      i += 1;
      continue;
    }
    const run = /^`+/.exec(text.slice(i))?.[0] ?? "`";
    const close = closingRun(text, i + run.length, run.length);
    if (close === undefined) {
      strayBackticks += 1;
      prose += run;
      i += run.length;
      continue;
    }
    const content = text.slice(i + run.length, close);
    spans.push(/^ .*[^ ].* $/s.test(content) ? content.slice(1, -1) : content);
    prose += "⟦code⟧";
    i = close + run.length;
  }
  return { prose, spans, strayBackticks };
}

/** Where the next run of exactly `length` backticks starts, from `from` on. */
function closingRun(text: string, from: number, length: number): number | undefined {
  const runs = /`+/g;
  runs.lastIndex = from;
  for (let match = runs.exec(text); match !== null; match = runs.exec(text)) {
    if (match[0].length === length) return match.index;
  }
  return undefined;
}

/** How often each markup character occurs unescaped (not after a backslash) in `prose`. */
export function unescapedMarkup(prose: string, characters: string): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries([...characters].map((c) => [c, 0]));
  for (let i = 0; i < prose.length; i += 1) {
    const char = prose[i] ?? "";
    if (char === "\\") i += 1;
    else if (char in counts) counts[char] = (counts[char] ?? 0) + 1;
  }
  return counts;
}

/** Characters no review may print: C0 and C1 controls but the newline, DEL, bidi controls. */
export const CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
