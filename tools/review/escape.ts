/**
 * Untrusted text (anything from a stack file, a plan or a preview: gate details, config keys,
 * resource names, diagnostics, values) on its way into a review. In a terminal it must not
 * carry control sequences; in a pull-request comment it must stay text: no HTML, no headings or
 * quotes of its own, no @mentions, no code span it can close. The review renderers build their
 * Markdown only through `gfm`, so every interpolated string is escaped here by construction.
 */

/** Shown where a value had a line break, so it reads as one value and cannot start a line. */
export const LINE_BREAK_MARK = "↵";
/** Shown instead of a control character, so the reader sees that one was there. */
export const CONTROL_MARK = "\uFFFD";

// CRLF, LF, CR, VT, FF, NEL and the Unicode line and paragraph separators.
const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/g;
// C0 and C1 controls (ESC starts ANSI sequences, U+009B is a one-byte CSI), DEL, and the bidi
// marks and overrides that make text read differently from what it is (Trojan Source).
const CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every line break as `lineBreak`, tabs as spaces, controls as CONTROL_MARK. */
function withoutControls(text: string, lineBreak: string): string {
  return text.replace(LINE_BREAK, lineBreak).replaceAll("\t", " ").replace(CONTROL, CONTROL_MARK);
}

/** One line for a terminal: no escape sequences, no line breaks, no bidi overrides. */
export function terminalLine(text: string): string {
  return withoutControls(text, LINE_BREAK_MARK);
}

// A word joiner keeps the text as it reads but breaks GitHub's autolinks: @mentions, #123 and
// GH-123 references, bare URLs and www. links (each is matched on the characters side by side).
const WORD_JOINER = "\u2060";

/**
 * Markdown for untrusted text in running prose (a table cell, a list item, a heading): it
 * renders as the text itself and cannot leave the line it is on.
 */
export function markdownText(text: string): string {
  const escaped = withoutControls(text, "\n")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/[\\`*_[\]~#]/g, "\\$&")
    // GitHub renders $…$ as math; a backslash does not stop it, an HTML element does.
    .replaceAll("$", "<span>$</span>")
    .replace(/@(?=[\p{L}\p{N}_])/gu, `@${WORD_JOINER}`)
    .replace(/#(?=\d)/g, `#${WORD_JOINER}`)
    .replace(/\b(gh)-(?=\d)/gi, `$1-${WORD_JOINER}`)
    .replace(/:\/\//g, `:${WORD_JOINER}//`)
    .replace(/\b(www)\./gi, `$1${WORD_JOINER}.`);
  return atLineStart(escaped).replaceAll("\n", "<br>");
}

/** What would open a block if it began a line: list markers, setext underlines, numbering. */
function atLineStart(text: string): string {
  // Leading spaces are kept: up to three still leave a marker after them in force.
  return text.replace(/^(\s*)([-+=]|\d+[.)])/, (start) => start.replace(/[-+=.)]$/, "\\$&"));
}

/**
 * An inline code span holding `text` exactly: its fence is one backtick longer than any run in
 * the text, so nothing in it can close the span; line breaks show as LINE_BREAK_MARK.
 */
export function codeSpan(text: string): string {
  const content = withoutControls(text, LINE_BREAK_MARK);
  if (content === "") return "` `";
  const fence = fenceFor(content, 1);
  // A span strips one space from each end when both are there: pad so the text survives whole.
  const pad = /^[` ]|[` ]$/.test(content) && content.trim() !== "" ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A fenced code block holding `text` exactly: its fence is longer than any run in the text. */
export function codeBlock(language: string, text: string): string {
  if (!/^[\w-]*$/.test(language))
    throw new Error(
      `code block language ${JSON.stringify(language)}: use letters, digits and dashes only`,
    );
  const fence = fenceFor(text, 3);
  return `${fence}${language}\n${withoutControls(text, "\n")}\n${fence}`;
}

/** A run of backticks longer than any in `text`, and at least `shortest` long. */
function fenceFor(text: string, shortest: number): string {
  // A loop, not Math.max(...runs): a text of a million runs must not overflow the stack.
  let longest = shortest - 1;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(longest + 1);
}

/** A piece of Markdown that is safe to place: built only by `gfm` and the helpers below. */
class SafeMarkdown {
  readonly #source: string;
  constructor(source: string) {
    this.#source = source;
  }
  get source(): string {
    return this.#source;
  }
}

// Exported as a type only: nothing outside this module can make one from a raw string.
export type Markdown = SafeMarkdown;

/**
 * Markdown from a template: its literal parts are the renderer's own; each value is either
 * Markdown already or text, which is escaped with `markdownText`.
 */
export function gfm(
  literals: TemplateStringsArray,
  ...values: readonly (Markdown | string | number)[]
): Markdown {
  let source = literals[0] ?? "";
  values.forEach((value, index) => {
    const text = value instanceof SafeMarkdown ? value.source : markdownText(String(value));
    source += text + (literals[index + 1] ?? "");
  });
  return new SafeMarkdown(source);
}

/** Untrusted text as an inline code span. */
export function code(text: string): Markdown {
  return new SafeMarkdown(codeSpan(text));
}

/** Untrusted text as a fenced code block (a Mermaid diagram, say). */
export function fenced(language: string, text: string): Markdown {
  return new SafeMarkdown(codeBlock(language, text));
}

export function joinMarkdown(parts: readonly Markdown[], separator: Markdown): Markdown {
  return new SafeMarkdown(parts.map((part) => part.source).join(separator.source));
}

/**
 * A GFM table row. A pipe splits cells even inside a code span, so each is escaped; the table
 * reads `\|` as a plain pipe before the cell's Markdown is parsed.
 */
export function tableRow(cells: readonly Markdown[]): Markdown {
  return new SafeMarkdown(`| ${cells.map((c) => c.source.replaceAll("|", "\\|")).join(" | ")} |`);
}
