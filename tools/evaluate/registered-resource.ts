/** One resource as the program registered it, captured under Pulumi's mocks. */
export interface RegisteredResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource; undefined for the stack itself. */
  readonly parent: string | undefined;
  /** True for provider-managed resources, false for components. */
  readonly custom: boolean;
  /** Inputs as the engine would receive them; secrets appear as `{ secret: value }` markers. */
  readonly inputs: Record<string, unknown>;
  /** Provider reference (`urn::id`) when one was given explicitly. */
  readonly provider: string | undefined;
  readonly dependencies: readonly string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly replaceOnChanges: readonly string[];
  readonly ignoreChanges: readonly string[];
}

/** Marks an input that the program declared secret, as the mock monitor sees it. */
export interface SecretValue {
  readonly secret: unknown;
}

export function isSecretValue(value: unknown): value is SecretValue {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.keys(value).length === 1 &&
    "secret" in value
  );
}
