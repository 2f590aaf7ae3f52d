import * as pulumi from "@pulumi/pulumi";
import { withCheapStackTraces } from "./cheap-stack-traces";
import { isSecretValue, type RegisteredResource } from "./registered-resource";

export interface EvaluateOptions {
  readonly project?: string;
  readonly stack?: string;
  /** Stack config as `key` → value (plain keys are prefixed with the project name). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Config keys whose values are secrets. @default none */
  readonly secretConfigKeys?: readonly string[];
  /** Outputs that mocked provider resources report, by resource type. @default inputs echoed */
  readonly outputsFor?: (type: string, name: string, inputs: Record<string, unknown>) => object;
}

export interface Evaluation<T> {
  /** Every resource registered, in registration order, the stack itself excluded. */
  readonly resources: RegisteredResource[];
  /** What the program returned (its stack outputs). */
  readonly result: T;
}

// The SDK keeps its RPC queue internal; waiting on it is the only way to know that every
// resource a program started registering has reached the monitor.
interface PulumiSettings {
  waitForRPCs(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as PulumiSettings;

/**
 * Runs a Pulumi program under the SDK's mocks and returns what it registered.
 * No engine, provider, cloud or credential is involved; one evaluation at a time per process,
 * because the mocks and config are process-global.
 */
export function evaluateProgram<T>(
  program: () => T | Promise<T>,
  options: EvaluateOptions = {},
): Promise<Evaluation<T>> {
  return withCheapStackTraces(() => evaluate(program, options));
}

async function evaluate<T>(
  program: () => T | Promise<T>,
  options: EvaluateOptions,
): Promise<Evaluation<T>> {
  const project = options.project ?? "stepwise";
  const stack = options.stack ?? "test";
  applyConfig(project, options.config ?? {}, options.secretConfigKeys ?? []);

  const resources: RegisteredResource[] = [];
  const outputsFor = options.outputsFor ?? ((_type, _name, inputs) => inputs);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({
        id: args.custom ? `${args.name}-id` : undefined,
        state: { ...inputsOf(args), ...outputsFor(args.type, args.name, inputsOf(args)) },
      }),
      call: (args) => args.inputs as Record<string, unknown>,
    },
    project,
    stack,
    true,
  );
  captureRegistrations(resources);

  // A registration that fails inside the SDK (a dynamic provider that cannot be serialized, an
  // input that rejects) surfaces only as an unhandled rejection; `pulumi` fails the update on
  // it, so an evaluation must fail too rather than plan without the resource.
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    const result = await program();
    await settings.waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
    if (failures.length > 0) throw new RegistrationError(failures);
    return { resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"), result };
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}

/** The program ran, but registering some of its resources failed. */
export class RegistrationError extends Error {
  constructor(readonly failures: readonly unknown[]) {
    const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    super(
      `registering the program's resources failed (${failures.length} error${failures.length === 1 ? "" : "s"}), the first: ${first}`,
    );
  }
}

function inputsOf(args: { inputs: unknown }): Record<string, unknown> {
  return (args.inputs ?? {}) as Record<string, unknown>;
}

function applyConfig(
  project: string,
  config: Readonly<Record<string, unknown>>,
  secretKeys: readonly string[],
): void {
  const entries: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    entries[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
  }
  // Replaces the whole map, so nothing from an earlier evaluation in this process leaks in.
  pulumi.runtime.setAllConfig(
    entries,
    secretKeys.map((key) => (key.includes(":") ? key : `${project}:${key}`)),
  );
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getReplaceonchangesList(): string[];
  getIgnorechangesList(): string[];
  getObject(): unknown;
}
type Callback = (err: unknown, response?: { getUrn(): string }) => void;
interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
  newUrn(parent: string | undefined, type: string, name: string): string;
}

/** Type of the root stack resource, which the engine leaves out of its children's URNs. */
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * A resource's URN as the engine makes it: the parent's whole qualified type chain, then its
 * own type (`A$B$C`), except under the root stack. Pulumi's mock monitor keeps only the parent's
 * last type (`B$C`), so offline plans would name nested resources differently from real ones.
 */
export function engineUrn(
  stack: string,
  project: string,
  parent: string | undefined,
  type: string,
  name: string,
): string {
  const parentType = parent ? (parent.split("::")[2] ?? "") : "";
  const qualified =
    parentType !== "" && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** Wraps the mock monitor so that each registration is recorded with its options and parent. */
function captureRegistrations(into: RegisteredResource[]): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const stack = pulumi.getStack();
  const project = pulumi.getProject();
  monitor.newUrn = (parent, type, name) => engineUrn(stack, project, parent, type, name);
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
      if (!err && response) into.push(toRegisteredResource(req, response.getUrn()));
      callback(err, response);
    });
}

function toRegisteredResource(req: RegisterRequest, urn: string): RegisteredResource {
  const inputs = deserializeKeepingSecrets(
    (req.getObject() as { toJavaScript(): unknown }).toJavaScript(),
  ) as Record<string, unknown>;
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    parent: req.getParent() || undefined,
    custom: req.getCustom(),
    inputs: normalizeSecrets(inputs) as Record<string, unknown>,
    provider: req.getProvider() || undefined,
    dependencies: req.getDependenciesList(),
    protect: req.getProtect(),
    retainOnDelete: req.getRetainondelete(),
    deleteBeforeReplace: req.getDeletebeforereplace(),
    replaceOnChanges: req.getReplaceonchangesList(),
    ignoreChanges: req.getIgnorechangesList(),
  };
}

/**
 * The SDK's deserializer, except that a secret inside a list or map stays on its element, as
 * the program registered it (the SDK lifts it to the whole value): offline plans then show which
 * entries are secret, and no-plaintext-secrets judges the plain ones beside them. (Providers
 * that check inputs later mark a whole list secret, so engine plans mask more.)
 */
function deserializeKeepingSecrets(prop: unknown): unknown {
  if (Array.isArray(prop)) return prop.map(deserializeKeepingSecrets);
  if (typeof prop !== "object" || prop === null) return pulumi.runtime.deserializeProperty(prop);
  const value = prop as Record<string, unknown>;
  if (pulumi.runtime.isRpcSecret(value)) {
    return { secret: deserializeKeepingSecrets(value.value) };
  }
  if (pulumi.runtime.specialSigKey in value) return pulumi.runtime.deserializeProperty(value);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, deserializeKeepingSecrets(v)]),
  );
}

/** Turns the SDK's RPC secret envelopes into `{ secret: value }`, recursively. */
export function normalizeSecrets(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) {
    return { secret: normalizeSecrets(pulumi.runtime.unwrapRpcSecret(value)) };
  }
  if (Array.isArray(value)) return value.map(normalizeSecrets);
  if (typeof value === "object" && value !== null && !isSecretValue(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeSecrets(v)]));
  }
  return value;
}
