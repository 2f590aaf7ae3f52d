import type { ImportContext } from "./context";

/** Where variables come from: the environment, then the `.env` beside the file (Compose's order). */
export type Variables = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Replaces `${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
 * `${VAR:?message}` and `${VAR?message}` in every string value (not in keys), and `$$` with `$`,
 * as Compose does before it reads the file. A variable that is not set becomes "" with a warning
 * (Compose does the same); `:?`/`?` refuse the file, naming the variable and the field.
 */
export function interpolateDocument(value: unknown, vars: Variables, ctx: ImportContext): unknown {
  const walk = (node: unknown, at: string): unknown => {
    if (typeof node === "string") return interpolate(node, vars, at, ctx);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${at}[${i}]`));
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => [
          key,
          walk(item, at === "" ? key : `${at}.${key}`),
        ]),
      );
    }
    return node;
  };
  return walk(value, "");
}

/** One string with Compose's interpolation applied; `at` names the field in messages. */
export function interpolate(text: string, vars: Variables, at: string, ctx: ImportContext): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char !== "$") {
      out += char;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
    } else if (next === "{") {
      const end = closingBrace(text, i + 2);
      if (end < 0) {
        ctx.fail(
          at,
          `${JSON.stringify(text)}: "\${" has no closing "}"; write "$$" for a literal "$"`,
        );
        return text;
      }
      out += expand(text.slice(i + 2, end), vars, at, ctx);
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (name === undefined) {
        out += "$"; // a lone "$" stays, as in Compose
        i += 1;
      } else {
        out += lookup(name, vars, at, ctx);
        i += 1 + name.length;
      }
    }
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === "$" && text[i + 1] === "$") i += 1;
    else if (text[i] === "$" && text[i + 1] === "{") {
      depth += 1;
      i += 1;
    } else if (text[i] === "}" && (depth -= 1) === 0) return i;
  }
  return -1;
}

function expand(body: string, vars: Variables, at: string, ctx: ImportContext): string {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) {
    ctx.fail(at, `"\${${body}}": not a variable name; write "$$" for a literal "$"`);
    return "";
  }
  const rest = body.slice(name.length);
  if (rest === "") return lookup(name, vars, at, ctx);
  const op = /^(:?[-+?])/.exec(rest)?.[1];
  if (op === undefined) {
    ctx.fail(
      at,
      `"\${${body}}": unknown form; use \${${name}}, \${${name}:-default} or \${${name}:?message}`,
    );
    return "";
  }
  const arg = () => interpolate(rest.slice(op.length), vars, at, ctx);
  const value = vars[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== "";
  switch (op) {
    case ":-":
      return nonEmpty ? value : arg();
    case "-":
      return set ? value : arg();
    case ":+":
      return nonEmpty ? arg() : "";
    case "+":
      return set ? arg() : "";
    default: {
      // ":?" or "?"
      if (op === ":?" ? nonEmpty : set) return value ?? "";
      const message = arg();
      ctx.fail(
        at,
        `variable ${name} is ${set ? "empty" : "not set"}${message === "" ? "" : `: ${message}`}; set it in the environment or in .env beside the file`,
      );
      return "";
    }
  }
}

function lookup(name: string, vars: Variables, at: string, ctx: ImportContext): string {
  const value = vars[name];
  if (value !== undefined) return value;
  ctx.warn(
    at,
    `variable ${name} is not set; it became "" (as in Compose); set it in the environment or in .env`,
  );
  return "";
}
