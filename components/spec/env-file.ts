/** A `.env` line that could not be read; names the source and line, never the value. */
export class EnvFileError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${source} line ${line}: ${reason}`);
    this.name = "EnvFileError";
  }
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `.env` / `.env.secret` text by Compose's rules: `KEY=value` per line, blank lines and
 * `#` comments skipped, an optional `export ` prefix, values optionally in single quotes
 * (literal) or double quotes (`\n`, `\"`, `\\` escapes). Parsing here rather than with
 * `kubectl --from-env-file` (which keeps quotes) gives a value the same meaning on both
 * platforms. A key given twice is an error rather than a silent overwrite. Errors never echo
 * values, because the text may hold secrets.
 */
export function parseEnvFile(text: string, source = ".env"): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const body = line.startsWith("export ") ? line.slice("export ".length).trimStart() : line;
    const eq = body.indexOf("=");
    if (eq < 0) {
      throw new EnvFileError(source, lineNo, "expected KEY=value (no '=' found)");
    }
    const key = body.slice(0, eq).trim();
    if (!KEY.test(key)) {
      throw new EnvFileError(
        source,
        lineNo,
        `key "${key}" is not a valid variable name; use letters, digits and '_', not starting with a digit`,
      );
    }
    if (key in result) {
      throw new EnvFileError(source, lineNo, `key "${key}" is set twice; keep one`);
    }
    result[key] = parseValue(body.slice(eq + 1).trim(), source, lineNo, key);
  });
  return result;
}

function parseValue(value: string, source: string, line: number, key: string): string {
  const quote = value[0];
  if (quote === "'" || quote === '"') {
    const end = value.lastIndexOf(quote);
    if (end === 0) {
      throw new EnvFileError(
        source,
        line,
        `value of "${key}" opens a ${quote} quote but never closes it`,
      );
    }
    const rest = value.slice(end + 1).trim();
    if (rest !== "" && !rest.startsWith("#")) {
      throw new EnvFileError(source, line, `value of "${key}" has text after its closing quote`);
    }
    const inner = value.slice(1, end);
    return quote === "'" ? inner : unescapeDoubleQuoted(inner);
  }
  // Unquoted: an inline comment starts at " #", as in Compose.
  const comment = value.search(/\s#/);
  return (comment >= 0 ? value.slice(0, comment) : value).trim();
}

function unescapeDoubleQuoted(inner: string): string {
  return inner.replace(/\\([nrt"\\])/g, (_m, c: string) =>
    c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c,
  );
}
