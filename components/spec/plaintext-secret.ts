/**
 * What "looks like a secret" means, once for every layer: a name that says it holds a
 * credential, or a value shaped like one whatever its name (a URL or DSN with a password, a
 * `password=` setting, an auth header, a private key, a kubeconfig token, a known token format).
 * Pure: the service specs, the Compose file, stack config checks, the rules and the plan
 * printers all ask here. Reasons name where a secret is and never show it.
 */

/**
 * How a secret shows where stepwise reads it: `[secret]` in plans (as `pulumi preview --json`
 * prints it), `[secret:<digest>]` where stack files are read without decrypting.
 */
const MASKED = /^\[secret(?::[0-9a-f]{12})?\]$/;
/** What stepwise prints in place of a plaintext secret it found; still a finding when re-read. */
export const WITHHELD_SECRET = "[plaintext secret withheld]";
/** Pulumi's wire signature for a secret value. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/**
 * One word of a name that marks a credential: PASSWORD and its spellings (PGPASS, DB_PASS,
 * PASSPHRASE), SECRET(S), TOKEN(S), CREDENTIAL(S), and the kinds of key written as one word
 * (APIKEY, ACCESSKEY). BYPASS, COMPASS and the like are words of their own.
 */
const CREDENTIAL_WORD =
  /^(?:(?!BY|COM|SUR|TRES)[A-Z0-9]*PASS(?:WORD|WD|PHRASE)?S?|[A-Z0-9]*PWD|[A-Z0-9]*SECRETS?|[A-Z0-9]*TOKENS?|[A-Z0-9]*CREDENTIALS?|CREDS|(?:API|ACCESS|SECRET|PRIVATE|SIGNING|ENCRYPTION|MASTER|CLIENT|LICENSE|SESSION|HMAC)KEY)$/;
/**
 * The words that make a KEY a secret one (API_KEY, apiKey, SECRET_ACCESS_KEY). A key on its own
 * is an identifier as often as not (an S3 object key, a tag key, keyName), and a PUBLIC key is
 * public.
 */
const SECRET_KEY_KINDS = new Set([
  "API",
  "ACCESS",
  "SECRET",
  "PRIVATE",
  "SIGNING",
  "ENCRYPTION",
  "MASTER",
  "CLIENT",
  "LICENSE",
  "SESSION",
  "HMAC",
]);
/** A last word that says the name points at or describes a credential rather than holds it. */
const DESCRIBING_WORD =
  /^(?:FILE|PATH|DIR|REF|NAMES?|URL|URI|ENDPOINT|HEADER|TTL|TIMEOUT|EXPIRY|LENGTH|ENABLED|ARNS?|VALIDATION|POLICY|ROTATION|VERSION|TYPE|KIND|FORMAT|ALGORITHM|SIZE|MODE|REGION|COUNT|LOCATION|PROVIDER)$/;
/** The shell's working directory, not a password. */
const SHELL_NAMES = new Set(["PWD", "OLDPWD"]);

/** Words of a name: `DB_PASSWORD`, `dbPassword`, `stepwise:registry.token` alike. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w !== "");
}

/**
 * Whether a name says it holds a credential: a credential word (or a secret kind of KEY) and no
 * last word that makes it a pointer or a description (DB_SECRET_ARN, TOKEN_URL, keyName).
 */
export function isCredentialName(name: string): boolean {
  const all = words(name);
  if (all.length === 1 && SHELL_NAMES.has(all[0] ?? "")) return false;
  if (DESCRIBING_WORD.test(all.at(-1) ?? "")) return false;
  return all.some(
    (w, i) => CREDENTIAL_WORD.test(w) || (w === "KEY" && SECRET_KEY_KINDS.has(all[i - 1] ?? "")),
  );
}

/** A value that is already a secret: masked in a plan, a stack-file placeholder, or wire-marked. */
export function isMaskedSecret(value: unknown): boolean {
  if (typeof value === "string") return MASKED.test(value);
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/**
 * Text that stands for a value rather than being one: `$(VAR)` (Kubernetes), `${VAR}` (a shell
 * in the container), `{{ var }}`, `<password>`, `***`, or a masked placeholder (url-encoded in a
 * URL). Only variable-name shapes count, so a password cannot pass for a reference.
 */
function isReference(text: string): boolean {
  return (
    MASKED.test(decodeURIComponentSafe(text)) ||
    /^(?:\$\([A-Za-z_]\w*\)|\$\{[A-Za-z_]\w*\}|\{\{ ?[\w.]+ ?\}\}|<[a-z][a-z _-]*>|\*+)$/.test(text)
  );
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `scheme://user:password@host` anywhere in the text (DSNs, JDBC and AMQP URLs alike). */
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:([^\s/?#@]+)@/gi;
/** Go's MySQL DSN: `user:password@tcp(host:3306)/db`. */
const MYSQL_DSN_PASSWORD = /(?:^|\s)[\w.-]*:([^\s@/]+)@(?:tcp|unix)\(/g;
/**
 * `key=value` or `key: value` inside a value: libpq (`password=x`), query strings and JDBC
 * (`?password=x`, `;password=x`), YAML or JSON text (a kubeconfig's `token: x`), `-Dx.password=y`.
 */
const ASSIGNMENT =
  /(?:^|[\s;,?&{([]|-D?|\\n)["']?([A-Za-z_][\w.-]*)["']?[ \t]*[:=][ \t]*("[^"\n]*"|'[^'\n]*'|[^\s;&,}'"]+)/g;
const AUTHORIZATION = /\bAuthorization[ \t]*[:=][ \t]*\S/i;
const BASIC = /\bBasic[ \t]+([A-Za-z0-9+/]{4,}={0,2})(?![\w+/=])/gi;
const BEARER = /\bBearer[ \t]+([\w.~+/-]{16,}=*)/gi;
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
/** A base64-encoded PEM block (a kubeconfig's `client-key-data`). */
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]+/g;
const KUBECONFIG = /(^|\n)\s*kind:\s*["']?Config\b|"kind"\s*:\s*"Config"|(^|\n)\s*users:\s*(\n|$)/;
/** Token formats that are secrets on sight. */
const KNOWN_TOKENS: readonly [RegExp, string][] = [
  [/\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_\w{22,})/, "a GitHub token"],
  [/\bglpat-[\w-]{20,}/, "a GitLab token"],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key"],
  [/\bxox[abprs]-[\w-]{10,}/, "a Slack token"],
  [/\b[rs]k_live_[A-Za-z0-9]{16,}/, "a Stripe key"],
  [/\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/, "a JSON Web Token"],
];

function decodeBase64(text: string): string {
  try {
    return Buffer.from(text, "base64").toString("latin1");
  } catch {
    return "";
  }
}

/** The credential-like settings (`password`, `token`, ...) a text assigns a real value to. */
function credentialSettings(text: string): string[] {
  const found: string[] = [];
  for (const [, key = "", raw = ""] of text.matchAll(ASSIGNMENT)) {
    const value = raw.replace(/^["']|["']$/g, "");
    if (value === "" || /^(?:null|~|\||>)$/.test(value) || isReference(value)) continue;
    if (isCredentialName(key) && !found.includes(key)) found.push(key);
  }
  return found;
}

/**
 * What secret a text holds by its shape alone, as a phrase ("a URL with a password"), or
 * undefined. Independent of the name it is stored under.
 */
export function secretShape(text: string): string | undefined {
  for (const pattern of [URL_PASSWORD, MYSQL_DSN_PASSWORD]) {
    for (const [, password = ""] of text.matchAll(pattern)) {
      if (!isReference(password)) return "a URL with a password";
    }
  }
  if (PRIVATE_KEY.test(text)) return "a private key";
  for (const [encoded] of text.matchAll(BASE64_PEM)) {
    if (PRIVATE_KEY.test(decodeBase64(encoded))) return "a private key (base64)";
  }
  const settings = credentialSettings(text);
  if (settings.length > 0) {
    const list = settings.map((s) => `"${s}"`).join(", ");
    return KUBECONFIG.test(text) ? `a kubeconfig with credentials (${list})` : `a ${list} setting`;
  }
  if (AUTHORIZATION.test(text)) return "an Authorization header";
  for (const [, encoded = ""] of text.matchAll(BASIC)) {
    if (/^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decodeBase64(encoded))) return "Basic credentials";
  }
  for (const [, token = ""] of text.matchAll(BEARER)) {
    if (/[\d.]/.test(token)) return "a bearer token";
  }
  return KNOWN_TOKENS.find(([pattern]) => pattern.test(text))?.[1];
}

/**
 * Why a name/value pair is a plaintext secret, or undefined when it is not one; `label` is how
 * the reason names it (a config key's full path, say). The value is judged by its shape first,
 * then by the name it is stored under.
 */
export function plaintextSecretReason(
  name: string,
  value: unknown,
  label = name,
): string | undefined {
  if (typeof value !== "string" || value === "" || isMaskedSecret(value)) return undefined;
  if (value.includes(WITHHELD_SECRET)) return `${label} holds a plaintext secret (withheld)`;
  const shape = secretShape(value);
  if (shape) return `${label} holds ${shape}`;
  // A flag is not a credential, whatever its name says (TOKEN_REFRESH=true).
  if (isCredentialName(name) && !isReference(value) && !/^(?:true|false)$/i.test(value)) {
    return `${label} is credential-like and has a plain value`;
  }
  return undefined;
}

/**
 * Whether a value (any JSON-like shape) holds a plaintext secret anywhere: a secret-shaped
 * string, or a credential-like key with a plain value. For error messages that show values.
 */
export function containsPlaintextSecret(value: unknown, name = ""): boolean {
  if (isMaskedSecret(value)) return false;
  if (typeof value === "string") return plaintextSecretReason(name, value) !== undefined;
  if (Array.isArray(value)) return value.some((v) => containsPlaintextSecret(v, name));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).some(([k, v]) => containsPlaintextSecret(v, k));
  }
  return false;
}
