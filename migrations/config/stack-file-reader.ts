import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isPair, isScalar, parse, parseDocument, visit, type Document } from "yaml";

/** Stack config as read from a stack file, ready for `evaluateProgram({ config, secretConfigKeys })`. */
export interface LoadedStackConfig {
  /** Full keys (`stepwise:phases`) to their values; maps stay maps, `secure:` values are placeholders. */
  readonly config: Record<string, unknown>;
  /** Keys whose value is (or contains) a `secure:` value. */
  readonly secretKeys: string[];
}

/**
 * Reads a `Pulumi.<stack>.yaml` into the config map the program would see, without the Pulumi
 * CLI and without decrypting anything. A `secure:` value becomes an opaque placeholder derived
 * from its ciphertext, so a changed secret still shows as a change but is never revealed.
 */
export function loadStackConfig(file: string): LoadedStackConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read stack file ${file}: ${(error as Error).message}`);
  }
  return parseStackFile(text, file);
}

/** The pure half of loadStackConfig: the text of a stack file to its config map. */
export function parseStackFile(text: string, file = "<stack file>"): LoadedStackConfig {
  let document: unknown;
  try {
    document = parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return { config: {}, secretKeys: [] };
  const unquoted = unquotedTimes(parseDocument(text));
  if (unquoted.length > 0) {
    throw new Error(
      `${file}: ${unquoted.map((t) => `${t.path} = ${t.text}`).join(", ")}: write times in quotes ("${unquoted[0]?.text ?? ""}"); unquoted, Pulumi reads them as dates and rewrites them`,
    );
  }
  if (!isMap(document)) throw new Error(`${file}: expected a YAML map with a "config" key`);
  const raw = document.config ?? {};
  if (!isMap(raw)) {
    throw new Error(`${file}: "config" = ${JSON.stringify(raw)}: must be a map of key to value`);
  }
  const config: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!key.includes(":")) {
      throw new Error(
        `${file}: config key "${key}" has no namespace; write it as "stepwise:${key}" (or "<provider>:${key}")`,
      );
    }
    const found = { secret: false };
    config[key] = replaceSecure(value, found, `${file}: config ${key}`);
    if (found.secret) secretKeys.push(key);
  }
  return { config, secretKeys };
}

/**
 * YAML 1.1 timestamps, which the Pulumi CLI (Go YAML) turns into dates when they are not quoted:
 * `2026-12-02T00:05:00Z` reaches the program as "2026-12-02 00:05:00 +0000 UTC".
 */
const YAML_TIMESTAMP =
  /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/;

export function looksLikeYamlTimestamp(text: string): boolean {
  return YAML_TIMESTAMP.test(text);
}

/** Plain (unquoted) scalars the engine would read as dates, with where they are. */
function unquotedTimes(document: Document): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  visit(document, {
    Scalar(key, node, path) {
      if (key !== "value" || node.type !== "PLAIN" || typeof node.value !== "string") return;
      if (!looksLikeYamlTimestamp(node.value)) return;
      const names = path.filter(isPair).map((p) => (isScalar(p.key) ? String(p.key.value) : ""));
      found.push({ path: names.join(".") || "(value)", text: node.value });
    },
  });
  return found;
}

/**
 * A YAML document as text with every string that looks like a time quoted, so the engine reads
 * it as the text it is. Values set as plain JS objects become nodes only once printed, hence the
 * second parse.
 */
export function textWithQuotedTimes(document: Document): string {
  const printed = parseDocument(document.toString());
  visit(printed, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && looksLikeYamlTimestamp(node.value)) {
        node.type = "QUOTE_DOUBLE";
      }
    },
  });
  return printed.toString();
}

/** Prefix of the placeholder that stands for a `secure:` value. */
export const SECRET_PLACEHOLDER_PREFIX = "[secret:";

/** `where` names the value in errors (`<file>: config stepwise:key.field`); values are never shown. */
function replaceSecure(value: unknown, found: { secret: boolean }, where: string): unknown {
  if (isMap(value)) {
    if ("secure" in value) {
      found.secret = true;
      return securePlaceholder(value, where);
    }
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceSecure(v, found, `${where}.${k}`)]),
    );
  }
  if (Array.isArray(value)) return value.map((v, i) => replaceSecure(v, found, `${where}[${i}]`));
  return value;
}

/**
 * A `secure:` value stands alone: anything beside it (`value: <plain copy>`) would be plain text
 * next to the ciphertext, and the engine would take the map for a plain value.
 */
function securePlaceholder(value: Record<string, unknown>, where: string): string {
  const others = Object.keys(value).filter((k) => k !== "secure");
  if (others.length > 0) {
    throw new Error(
      `${where} has ${others.map((k) => `"${k}"`).join(", ")} beside "secure": a secure value stands alone; remove ${others.length === 1 ? "it" : "them"} (and rotate the secret if it was a plain copy), or set it again with \`pulumi config set --secret\``,
    );
  }
  if (typeof value.secure !== "string") {
    throw new Error(
      `${where}.secure is not the ciphertext \`pulumi config set --secret\` writes (a string); set it again with that command`,
    );
  }
  const digest = createHash("sha256").update(value.secure).digest("hex").slice(0, 12);
  return `${SECRET_PLACEHOLDER_PREFIX}${digest}]`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
