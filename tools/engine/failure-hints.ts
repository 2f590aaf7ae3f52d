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
    pattern: /no resource plugin 'pulumi-resource-kubernetes' found/,
    hint:
      "Build the kubernetes provider with test/engine/build-kubernetes-provider.sh (it lands in " +
      ".cache/pulumi/plugins, which stepwise puts on the engine's PATH), or install a released " +
      "one with `pulumi plugin install resource kubernetes <version>`.",
  },
  {
    pattern: /no resource plugin 'pulumi-resource-(docker|postgresql)' found/,
    hint:
      "The docker and postgresql provider plugins cannot be downloaded or built here: stacks " +
      "with Compose services or databases the stack runs itself are planned offline only. The " +
      "real lane (stacks/Pulumi.local.yaml) runs services on K3s and its engines external.",
  },
];

/** A hint for each known cause found in the engine's output. */
export function failureHints(output: string): string[] {
  return HINTS.filter(({ pattern }) => pattern.test(output)).map(({ hint }) => hint);
}
