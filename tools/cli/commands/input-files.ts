/**
 * Reading a file the user named (a stack file, a plan, service specs): whatever is wrong with it
 * becomes a one-line usage error that names the option and the file and says what to give
 * instead, never a stack trace.
 */
import { readFileSync, statSync } from "node:fs";
import { UsageError } from "../exit";

const SHOWN_LENGTH = 60;

/** A value from the user as JSON (text quoted), cut short: safe in a one-line message. */
export function shown(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = "(a value nested too deeply to show)";
  }
  return json.length > SHOWN_LENGTH ? `${json.slice(0, SHOWN_LENGTH)}…` : json;
}

/** The UTF-8 text of `file`; `label` names it in errors (e.g. "--services", "stack file"). */
export function readInputFile(file: string, label: string): string {
  let bytes: Buffer;
  try {
    if (statSync(file).isDirectory()) {
      throw new UsageError(`${label} ${shown(file)} is a folder, not a file; give the file itself`);
    }
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `${label} ${shown(file)} does not exist; check the path`
        : `${label} ${shown(file)}: cannot read it (${(error as Error).message})`,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw notText(file, label, `a NUL byte at offset ${nul}`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw notText(file, label, "not valid UTF-8");
  }
}

function notText(file: string, label: string, why: string): UsageError {
  return new UsageError(
    `${label} ${shown(file)} is not a text file (${why}); give a YAML or JSON file`,
  );
}

/** First line of a parser's message: YAML errors append a multi-line excerpt of the input. */
export function firstLine(message: string): string {
  return (message.split("\n")[0] ?? "").trim().replace(/:$/, "");
}
