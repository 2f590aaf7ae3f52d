import { describe, expect, it } from "vitest";
import {
  code,
  codeBlock,
  codeSpan,
  gfm,
  joinMarkdown,
  markdownText,
  tableRow,
  terminalLine,
} from "../../../tools/review/escape";

const WJ = "\u2060"; // word joiner

describe("terminalLine", () => {
  it.each([
    ["ANSI colour", "\u001b[31mred\u001b[0m", "\uFFFD[31mred\uFFFD[0m"],
    ["OSC 8 hyperlink", "\u001b]8;;https://x\u0007y", "\uFFFD]8;;https://x\uFFFDy"],
    ["one-byte CSI (C1)", "a\u009b2Jb", "a\uFFFD2Jb"],
    [
      "CR that rewrites the line",
      "Verdict: BLOCKED\rVerdict: allowed",
      "Verdict: BLOCKED↵Verdict: allowed",
    ],
    ["CRLF, LF, VT, FF, NEL, LS, PS", "a\r\nb\nc\vd\fe\u0085f\u2028g\u2029h", "a↵b↵c↵d↵e↵f↵g↵h"],
    [
      "bidi override and isolates",
      "\u202eabc\u202c \u2066d\u2069 \u200f",
      "\uFFFDabc\uFFFD \uFFFDd\uFFFD \uFFFD",
    ],
    ["NUL, BEL, BS, DEL, tab", "\u0000\u0007\u0008\u007f\tx", "\uFFFD\uFFFD\uFFFD\uFFFD x"],
    ["plain text and other scripts", "kafka → k3s, 東京, émigré", "kafka → k3s, 東京, émigré"],
  ])("%s", (_, input, expected) => {
    expect(terminalLine(input)).toBe(expected);
  });
});

describe("markdownText", () => {
  it.each([
    ["HTML becomes entities", "<img src=x>&", "&lt;img src=x&gt;&amp;"],
    ["a closing details tag", "</details>", "&lt;/details&gt;"],
    ["entities stay text", "&lt;b&gt;", "&amp;lt;b&amp;gt;"],
    [
      "emphasis, code, links, strikethrough",
      "*a* _b_ `c` [d](e) ~f~ \\",
      "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\~f\\~ \\\\",
    ],
    ["a heading", "## ✅ Allowed", "\\#\\# ✅ Allowed"],
    ["line breaks stay in the line", "a\n## b\r\n> c", "a<br>\\#\\# b<br>&gt; c"],
    ["a list marker at the start", "- [x] ok", "\\- \\[x\\] ok"],
    ["a numbered item at the start", "1. one", "1\\. one"],
    ["a setext underline at the start", "===", "\\==="],
    ["a marker after leading spaces", "   + x", "   \\+ x"],
    ["a dash inside text is left alone", "redpanda-data", "redpanda-data"],
    ["mentions", "@octocat and @org/team", `@${WJ}octocat and @${WJ}org/team`],
    ["an e-mail address", "a@b.io", `a@${WJ}b.io`],
    ["issue references", "#12 GH-3 o/r#4", `\\#${WJ}12 GH-${WJ}3 o/r\\#${WJ}4`],
    ["bare links", "https://x.io www.x.io", `https:${WJ}//x.io www${WJ}.x.io`],
    ["math", "$x$", "<span>$</span>x<span>$</span>"],
    ["controls", "\u001b[2J\u202e", "\uFFFD\\[2J\uFFFD"],
  ])("%s", (_, input, expected) => {
    expect(markdownText(input)).toBe(expected);
  });
});

describe("codeSpan", () => {
  it.each([
    ["plain", "redpanda-data", "`redpanda-data`"],
    ["a backtick inside", "a`b", "``a`b``"],
    ["the longest run decides the fence", "a``b`c", "```a``b`c```"],
    ["backticks at the ends are padded", "`x`", "`` `x` ``"],
    ["a space at one end is kept", " x", "`  x `"],
    ["only spaces", "  ", "`  `"],
    ["empty", "", "` `"],
    ["line breaks are marked, controls replaced", "a\n# b\u001b", "`a↵# b\uFFFD`"],
    ["HTML stays literal", "</details>", "`</details>`"],
  ])("%s", (_, input, expected) => {
    expect(codeSpan(input)).toBe(expected);
  });

  it("fences a text of a million backtick runs without overflowing", () => {
    const text = "`a".repeat(1_000_000) + "``";
    const span = codeSpan(text);
    expect(span.startsWith("```")).toBe(true);
    expect(span.startsWith("````")).toBe(false);
  });
});

describe("codeBlock", () => {
  it("uses a fence longer than any backtick run in the text", () => {
    expect(codeBlock("mermaid", "a\n```\nb")).toBe("````mermaid\na\n```\nb\n````");
    expect(codeBlock("", "x")).toBe("```\nx\n```");
  });

  it("takes only a plain language name", () => {
    expect(() => codeBlock("js\n# x", "")).toThrow(/letters, digits and dashes/);
  });
});

describe("gfm, tableRow, joinMarkdown", () => {
  it("escapes interpolated text and keeps interpolated Markdown as it is", () => {
    const rule = code("a|b");
    expect(gfm`**${"*x*"}** ${rule} ${3}`.source).toBe("**\\*x\\*** `a|b` 3");
  });

  it("escapes every pipe of a table cell, inside code spans too", () => {
    const row = tableRow([gfm`${"a | b"}`, code("c|d"), gfm`${"e\\|f"}`]);
    expect(row.source).toBe("| a \\| b | `c\\|d` | e\\\\\\|f |");
  });

  it("joins with a separator that is Markdown", () => {
    expect(joinMarkdown([code("a"), gfm`${"<b>"}`], gfm`<br>`).source).toBe("`a`<br>&lt;b&gt;");
  });
});
