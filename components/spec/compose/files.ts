import { parse } from "yaml";
import { ImportContext, isRecord, shown, text, type Raw } from "./context";
import { interpolateDocument, type Variables } from "./interpolate";

/** One Compose file: its text and the name messages use for it. */
export interface ComposeSource {
  readonly text: string;
  readonly source: string;
}

/**
 * Parses (anchors and `<<:` merge keys resolved), interpolates and merges Compose files as
 * `docker compose -f a.yml -f b.yml` does: mappings merge key by key, later files win;
 * `environment`, `labels`, `depends_on` and `networks` merge as maps whatever their form;
 * `ports`, `expose`, `dns`, `cap_add`, `env_file` and the like are appended; `volumes` merge by
 * container path; anything else (`command`, `entrypoint`, a health check's `test`) is replaced.
 * A v1 file (services at the top, no `services:`) is read as its services. Problems and warnings
 * of one file are prefixed with its own name. Returns undefined when a file cannot be read.
 */
export function loadComposeFiles(
  files: readonly ComposeSource[],
  vars: Variables,
  ctx: ImportContext,
): Raw | undefined {
  let merged: Raw | undefined;
  for (const file of files) {
    const own = new ImportContext(file.source);
    const doc = readOne(file, vars, own);
    ctx.warnings.push(...own.warnings);
    ctx.todos.push(...own.todos);
    ctx.problems.push(...own.problems);
    if (doc === undefined) return undefined;
    merged = merged === undefined ? doc : (mergeInto(merged, doc, "") as Raw);
  }
  return merged;
}

function readOne(file: ComposeSource, vars: Variables, ctx: ImportContext): Raw | undefined {
  let parsed: unknown;
  try {
    parsed = parse(file.text, { merge: true });
  } catch (error) {
    ctx.fail("", `not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    return undefined;
  }
  const doc = interpolateDocument(parsed, vars, ctx);
  if (isRecord(doc) && doc.services === undefined && doc.version === undefined && isV1(doc)) {
    ctx.warn(
      "",
      "a Compose v1 file (services at the top level, no services:); read as services. v1's links and its own network per file are not carried over",
    );
    return { services: doc };
  }
  if (!isRecord(doc) || !isRecord(doc.services)) {
    const found = isRecord(doc) ? doc.services : doc;
    ctx.fail("services", `expected a mapping, found ${found == null ? "nothing" : shown(found)}`);
    return undefined;
  }
  return doc;
}

/** Every top-level value is a service: a mapping with an image or a build. */
function isV1(doc: Raw): boolean {
  const values = Object.entries(doc).filter(([k]) => !k.startsWith("x-"));
  return (
    values.length > 0 &&
    values.every(([, v]) => isRecord(v) && (v.image !== undefined || v.build !== undefined))
  );
}

const MAP_KEYS = new Set(["environment", "labels", "depends_on", "networks", "extra_hosts"]);
const APPENDED = new Set([
  "ports",
  "expose",
  "dns",
  "dns_search",
  "dns_opt",
  "tmpfs",
  "cap_add",
  "cap_drop",
  "env_file",
  "external_links",
  "devices",
  "security_opt",
  "secrets",
  "configs",
  "profiles",
  "extends",
]);

function mergeInto(base: unknown, override: unknown, key: string): unknown {
  if (MAP_KEYS.has(key)) {
    const a = asMap(base);
    const b = asMap(override);
    if (a && b) return mergeMaps(a, b);
  }
  if (key === "volumes" && isList(base) && isList(override)) {
    const target = (v: unknown) =>
      isRecord(v) ? text(v.target) : (text(v).split(":")[1] ?? text(v));
    const kept = base.filter((v) => !override.some((o) => target(o) === target(v)));
    return [...kept, ...override];
  }
  if (APPENDED.has(key) && isList(base) && isList(override)) {
    return [...base, ...override.filter((o) => !base.some((b) => text(b) === text(o)))];
  }
  if (isRecord(base) && isRecord(override)) return mergeMaps(base, override);
  return override;
}

function isList(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function mergeMaps(base: Raw, override: Raw): Raw {
  const result: Raw = { ...base };
  for (const [k, v] of Object.entries(override)) {
    result[k] = k in base ? mergeInto(base[k], v, k) : v;
  }
  return result;
}

/** A list form (`KEY=value`, or names) as the map form, so two files merge by key. */
function asMap(value: unknown): Raw | undefined {
  if (isRecord(value)) return value;
  if (!Array.isArray(value)) return undefined;
  return Object.fromEntries(
    value.map((entry) => {
      const line = text(entry);
      const eq = line.indexOf("=");
      return eq < 0 ? [line, null] : [line.slice(0, eq), line.slice(eq + 1)];
    }),
  );
}
