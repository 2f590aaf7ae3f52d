import { parseStackFile, type LoadedStackConfig } from "../../migrations/config/stack-file-reader";

/** What one stack file gives an evaluation under mocks: config values and which are secret. */
export type StackEvaluationConfig = LoadedStackConfig;

/**
 * Reads the `config:` map of a stack file's text the way the engine hands it to a program
 * (migrations' parseStackFile: `secure:` values become opaque placeholders, marked secret).
 */
export function stackEvaluationConfig(text: string, source: string): StackEvaluationConfig {
  return parseStackFile(text, source);
}

/** The config as the engine prints it in a plan: secrets as "[secret]", maps as JSON. */
export function displayConfig(input: StackEvaluationConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries(input.config).map(([key, value]) => [
      key,
      input.secretKeys.includes(key)
        ? "[secret]"
        : typeof value === "string"
          ? value
          : JSON.stringify(value),
    ]),
  );
}
