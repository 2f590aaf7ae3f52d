/**
 * Options every data-side database command reads the same way: connections given as a URL or,
 * better, the name of an environment variable holding one, and whole-number settings.
 */
import { ConnectionSettingError, resolveConnectionString } from "../../database/connection";
import { UsageError } from "../exit";

/** `--source`/`--target`: a postgres:// URL or an environment variable holding one. */
export function connectionOption(flag: string, value: string): string {
  try {
    return resolveConnectionString(value);
  } catch (error) {
    if (error instanceof ConnectionSettingError) {
      throw new UsageError(error.message.replace(/^--url/, flag));
    }
    throw error;
  }
}

/** A count from 1 to `max`, or a usage error showing the value and an example. */
export function wholeNumber(flag: string, text: string, max: number, example: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is not a count; give a whole number from 1 to ${max} (e.g. ${flag} ${example})`,
    );
  }
  return value;
}
