/**
 * No secret in plain text. Each variable is judged on its own, by name and by value shape
 * (components/spec/plaintext-secret.ts), before anything masks it: container env (Docker and
 * Kubernetes), ConfigMap data, every other plain input by shape, and stack config. The same
 * findings tell the plan printers what to withhold, so a plaintext secret is never echoed.
 */
import {
  isCredentialName,
  isMaskedSecret,
  plaintextSecretReason,
  secretShape,
  WITHHELD_SECRET,
} from "../../components/spec/plaintext-secret";
import type { Plan, PlanResourceState } from "../../migrations/plan-model";
import { nameFromUrn, type ResourceView } from "../classify";
import type { Finding } from "./phases";

const DOCKER_CONTAINER = "docker:index/container:Container";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

type Path = readonly (string | number)[];

/** One plaintext secret: where it is, what the rule says, and what to print in its place. */
interface SecretHit {
  readonly path: Path;
  readonly message: string;
  readonly withheld: string;
}

interface K8sEnv {
  name?: unknown;
  value?: unknown;
}
interface K8sContainer {
  name?: unknown;
  env?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isWorkload(type: string): boolean {
  return type.startsWith("kubernetes:apps/v1:") || type.startsWith("kubernetes:batch/v1:");
}

/** `KEY=value` entries of a Docker env list, each judged alone (a masked list has none). */
function dockerEnvHits(envs: unknown): SecretHit[] {
  if (!Array.isArray(envs)) return [];
  return envs.flatMap((entry: unknown, i) => {
    if (typeof entry !== "string") return [];
    const at = entry.indexOf("=");
    const name = at > 0 ? entry.slice(0, at) : "";
    const reason = plaintextSecretReason(name, at > 0 ? entry.slice(at + 1) : entry, name);
    if (!reason) return [];
    return [
      {
        path: ["envs", i],
        message: `container env ${reason}`,
        withheld: `${name}=${WITHHELD_SECRET}`,
      },
    ];
  });
}

/** `env[].value` of every container and init container of a pod template. */
function podEnvHits(props: Readonly<Record<string, unknown>>): SecretHit[] {
  const pod = (props.spec as { template?: { spec?: Record<string, unknown> } } | undefined)
    ?.template?.spec;
  if (!pod) return [];
  return (["containers", "initContainers"] as const).flatMap((list) => {
    const containers = Array.isArray(pod[list]) ? (pod[list] as K8sContainer[]) : [];
    return containers.flatMap((container, c) => {
      const env = Array.isArray(container.env) ? (container.env as K8sEnv[]) : [];
      return env.flatMap((entry, e) => {
        if (typeof entry.name !== "string") return [];
        const reason = plaintextSecretReason(entry.name, entry.value);
        if (!reason) return [];
        return [
          {
            path: ["spec", "template", "spec", list, c, "env", e, "value"],
            message: `container "${String(container.name)}" env ${reason} instead of valueFrom.secretKeyRef`,
            withheld: WITHHELD_SECRET,
          },
        ];
      });
    });
  });
}

function configMapHits(props: Readonly<Record<string, unknown>>): SecretHit[] {
  const data = isRecord(props.data) ? props.data : {};
  return Object.entries(data).flatMap(([key, value]) => {
    const reason = plaintextSecretReason(key, value);
    if (!reason) return [];
    return [
      {
        path: ["data", key],
        message: `ConfigMap data ${reason} (ConfigMaps are not secret)`,
        withheld: WITHHELD_SECRET,
      },
    ];
  });
}

function label(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Every other plain string, judged by its shape; `skip` are the inputs already judged by name. */
function shapeHits(value: unknown, path: Path, skip: readonly string[]): SecretHit[] {
  if (path.length === 1 && skip.includes(String(path[0]))) return [];
  if (typeof value === "string") {
    if (isMaskedSecret(value)) return [];
    const shape = value.includes(WITHHELD_SECRET)
      ? "a plaintext secret (withheld)"
      : secretShape(value);
    return shape
      ? [{ path, message: `input ${label(path)} holds ${shape}`, withheld: WITHHELD_SECRET }]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => shapeHits(v, [...path, i], skip));
  if (!isRecord(value) || isMaskedSecret(value)) return [];
  return (
    Object.entries(value)
      // Dynamic providers keep their serialized code under `__provider`: code, not config.
      .filter(([key]) => !key.startsWith("__"))
      .flatMap(([key, v]) => shapeHits(v, [...path, key], skip))
  );
}

/**
 * Plain strings stored under a name that holds a credential, anywhere in the inputs (an RDS
 * instance's `password`, a provider's `masterPassword`, nested settings' `clientSecret`);
 * `skip` are the inputs judged by their own rules (env lists, ConfigMap data).
 */
function namedHits(value: unknown, path: Path, skip: readonly string[]): SecretHit[] {
  if (path.length === 1 && skip.includes(String(path[0]))) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => namedHits(v, [...path, i], skip));
  if (!isRecord(value) || isMaskedSecret(value)) return [];
  return Object.entries(value)
    .filter(([key]) => !key.startsWith("__"))
    .flatMap(([key, v]) => {
      if (typeof v !== "string") return namedHits(v, [...path, key], skip);
      const here = [...path, key];
      const reason = isCredentialName(key) ? plaintextSecretReason(key, v, label(here)) : undefined;
      return reason ? [{ path: here, message: `input ${reason}`, withheld: WITHHELD_SECRET }] : [];
    });
}

/**
 * Where CrossGuard runs, every secret arrives unwrapped and looks plain, so only inputs that
 * never hold a secret by design are judged there: Kubernetes objects other than Secrets, and
 * Docker containers apart from their env (secret env shares the list with plain env).
 */
function judgedInPack(type: string): boolean {
  return (
    (type.startsWith("kubernetes:") && type !== "kubernetes:core/v1:Secret") ||
    type === DOCKER_CONTAINER
  );
}

function secretHits(resource: ResourceView, secretsMasked: boolean): SecretHit[] {
  const { type, props } = resource;
  if (!secretsMasked && !judgedInPack(type)) return [];
  const hits: SecretHit[] = [];
  const named: string[] = [];
  if (type === DOCKER_CONTAINER) {
    named.push("envs");
    if (secretsMasked) hits.push(...dockerEnvHits(props.envs));
  }
  if (isWorkload(type)) hits.push(...podEnvHits(props));
  if (type === CONFIG_MAP) {
    named.push("data");
    hits.push(...configMapHits(props));
  }
  // Names are judged only where secrets show masked: in the pack every secret looks plain.
  if (secretsMasked) {
    const judged = new Set(hits.map((h) => label(h.path)));
    hits.push(...namedHits(props, [], named).filter((h) => !judged.has(label(h.path))));
  }
  const judged = new Set(hits.map((h) => label(h.path)));
  const rest = shapeHits(props, [], named).filter((h) => !judged.has(label(h.path)));
  return [...hits, ...rest];
}

/**
 * Plaintext secrets in one resource's inputs. `secretsMasked` is true for plans, where a secret
 * shows as "[secret]"; false in the pack (CrossGuard unwraps `pulumi.secret` values), which
 * then leaves Docker env to the plan checks.
 */
export function plaintextSecretFindings(resource: ResourceView, secretsMasked: boolean): Finding[] {
  return secretHits(resource, secretsMasked).map((hit) => ({
    message: `${resource.name}: ${hit.message}`,
    urn: resource.urn,
  }));
}

/** Parses plans' JSON-text config values (maps, lists); anything else is judged as it is. */
function configValue(value: unknown): unknown {
  if (typeof value !== "string" || !/^[{[]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Reasons a config value (a key's whole value, nested maps and lists too) is plaintext. */
function configReasons(path: string, name: string, raw: unknown): string[] {
  const value = configValue(raw);
  if (Array.isArray(value)) return value.flatMap((v, i) => configReasons(`${path}[${i}]`, name, v));
  if (isRecord(value)) {
    if ("secure" in value) {
      const siblings = Object.keys(value).filter((k) => k !== "secure");
      if (siblings.length > 0)
        return [`${path} has "secure" beside plain keys (${siblings.join(", ")})`];
      return typeof value.secure === "string" ? [] : [`${path}.secure is not a ciphertext`];
    }
    return Object.entries(value).flatMap(([key, v]) => configReasons(`${path}.${key}`, key, v));
  }
  const reason = plaintextSecretReason(name, value, path);
  return reason ? [reason] : [];
}

/**
 * Unencrypted secret config in a stack file's `config:` (values written with
 * `pulumi config set --secret` are `{ secure: ... }`) or in a plan's `config` map.
 */
export function stackConfigSecretFindings(config: Readonly<Record<string, unknown>>): Finding[] {
  return Object.entries(config).flatMap(([key, value]) =>
    configReasons(key, key, value).map((reason) => ({ message: `stack config ${reason}` })),
  );
}

function withheldAt(value: unknown, path: Path, replacement: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value) && typeof head === "number") {
    return value.map((v: unknown, i) => (i === head ? withheldAt(v, rest, replacement) : v));
  }
  if (isRecord(value)) return { ...value, [head]: withheldAt(value[head], rest, replacement) };
  return value;
}

function withheldProps(
  props: Record<string, unknown> | undefined,
  type: string,
  urn: string,
): Record<string, unknown> | undefined {
  if (!props) return undefined;
  const hits = secretHits({ type, urn, name: nameFromUrn(urn), props }, true);
  return hits.reduce<Record<string, unknown>>(
    (done, hit) => withheldAt(done, hit.path, hit.withheld) as Record<string, unknown>,
    props,
  );
}

/**
 * The value with every secret envelope (Pulumi's wire form, `{"4dabf…": "1b47…", value}`) as
 * "[secret]", the way the engine prints a secret: a document written by hand or by an older tool
 * may carry the plaintext inside one.
 */
function maskedEnvelopes(value: unknown): unknown {
  if (isMaskedSecret(value) && typeof value !== "string") return "[secret]";
  if (Array.isArray(value)) return value.map(maskedEnvelopes);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskedEnvelopes(v)]));
}

function withheldState(state: PlanResourceState, urn: string): PlanResourceState {
  const masked = (props: Record<string, unknown> | undefined) =>
    props && (maskedEnvelopes(props) as Record<string, unknown>);
  const inputs = withheldProps(masked(state.inputs), state.type, urn);
  const outputs = withheldProps(masked(state.outputs), state.type, urn);
  return { ...state, ...(inputs && { inputs }), ...(outputs && { outputs }) };
}

/**
 * The plan as stepwise prints it: every plaintext secret the rule finds replaced by
 * WITHHELD_SECRET (which the rule still flags when the printed plan is checked again), in
 * config, resource inputs and outputs, and diagnostics.
 */
export function withholdPlaintextSecrets(plan: Plan): Plan {
  const config = plan.config;
  return {
    ...plan,
    ...(config && {
      config: Object.fromEntries(
        Object.entries(config).map(([key, value]) => [
          key,
          configReasons(key, key, value).length > 0 ? WITHHELD_SECRET : value,
        ]),
      ),
    }),
    steps: plan.steps.map((step) => ({
      ...step,
      ...(step.oldState && { oldState: withheldState(step.oldState, step.urn) }),
      ...(step.newState && { newState: withheldState(step.newState, step.urn) }),
    })),
    ...(plan.diagnostics && {
      diagnostics: plan.diagnostics.map((d) => {
        const shape = secretShape(d.message);
        return shape ? { ...d, message: `[diagnostic withheld: it holds ${shape}]` } : d;
      }),
    }),
  };
}
