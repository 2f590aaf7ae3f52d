/**
 * What to do about engine failures that have a known cause here; the engine's own messages
 * say what broke, not why it breaks on a stepwise machine.
 */
const HINTS: ReadonlyArray<{ readonly pattern: RegExp; readonly hint: string }> = [
  {
    pattern: /cipher: message authentication failed|incorrect passphrase/,
    hint:
      "The stack file's `secure:` values and encryptionsalt belong to another passphrase: set " +
      "PULUMI_CONFIG_PASSPHRASE to the stack's passphrase (stepwise's demo stacks say theirs in " +
      "their header comment) or pass `passphrase` to EngineStack.open / previewJson.",
  },
  {
    pattern: /no resource plugin 'pulumi-resource-([a-z0-9-]+)' found/,
    hint:
      "Provider plugins cannot be downloaded here; only component and dynamic resources " +
      "(pulumi-resource-pulumi-nodejs, linked by test/engine/build-engine.sh) can be run.",
  },
];

/** A hint for each known cause found in the engine's output. */
export function failureHints(output: string): string[] {
  return HINTS.filter(({ pattern }) => pattern.test(output)).map(({ hint }) => hint);
}
