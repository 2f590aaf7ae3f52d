/**
 * Structural checks of a review comment with a real Markdown parser (markdown-it, CommonMark +
 * GFM tables): every <details> closed, every fence closed, every table row as wide as its head,
 * and no HTML of the document's own making beyond the renderer's <details>/<summary>/<sub>/<br>.
 */
import MarkdownIt from "markdown-it";

const parser = new MarkdownIt({ html: true });

/** The renderer's own tags; anything else in HTML tokens came from the document. */
const OWN_TAGS = /^<\/?(?:details|summary|sub|br|span)>$/;

export function markdownProblems(markdown: string): string[] {
  const problems: string[] = [];
  const tokens = parser.parse(markdown, {});
  const lines = markdown.split("\n");
  let depth = 0;
  const htmlTags = (content: string): string[] => content.match(/<\/?[a-z][^>]*>/gi) ?? [];
  for (const token of [...tokens, ...tokens.flatMap((t) => t.children ?? [])]) {
    if (token.type === "html_block" || token.type === "html_inline") {
      for (const tag of htmlTags(token.content)) {
        if (!OWN_TAGS.test(tag.replace(/\s.*>$/, ">")))
          problems.push(`foreign HTML ${JSON.stringify(tag)}`);
        if (/^<details>/.test(tag)) depth++;
        if (/^<\/details>/.test(tag)) depth--;
        if (depth < 0) problems.push("</details> without <details>");
      }
    }
    if (token.type === "fence" && token.map) {
      const closing = lines[token.map[1] - 1] ?? "";
      if (!closing.trim().startsWith(token.markup) || token.map[1] - token.map[0] < 2) {
        problems.push(`fence opened on line ${token.map[0] + 1} is not closed`);
      }
    }
  }
  if (depth !== 0) problems.push(`${depth} <details> left open`);
  let headCells = 0;
  let cells = 0;
  let inHead = false;
  for (const token of tokens) {
    if (token.type === "thead_open") inHead = true;
    if (token.type === "thead_close") inHead = false;
    if (token.type === "tr_open") cells = 0;
    if (token.type === "th_open" || token.type === "td_open") cells++;
    if (token.type === "tr_close") {
      if (inHead) headCells = cells;
      else if (cells !== headCells) problems.push(`table row of ${cells} cells under ${headCells}`);
    }
  }
  // Only the renderer's own headings: text from the document cannot start one.
  tokens.forEach((token, i) => {
    const text = tokens[i + 1]?.content ?? "";
    if (
      token.type === "heading_open" &&
      !/^(?:stepwise: |Policy verdicts$|Diagnostics$|Path )/.test(text)
    ) {
      problems.push(`heading of the document's own: ${JSON.stringify(text)}`);
    }
  });
  return problems;
}
