import { WITHHELD_SECRET, containsPlaintextSecret } from "../plaintext-secret";

/** What one import collects while it reads a file: warnings, to-dos and problems, by path. */
export class ImportContext {
  readonly warnings: string[] = [];
  readonly todos: string[] = [];
  readonly problems: string[] = [];

  constructor(readonly source: string) {}

  /** Something not carried over, or carried with a change the user must know about. */
  warn(at: string, message: string): void {
    this.warnings.push(this.line(at, message));
  }

  /** Something to do before the specs can be deployed. */
  todo(at: string, message: string): void {
    this.todos.push(this.line(at, message));
  }

  /** Something whose meaning cannot be carried; the import is refused. */
  fail(at: string, message: string): void {
    this.problems.push(this.line(at, message));
  }

  private line(at: string, message: string): string {
    return at === "" ? `${this.source}: ${message}` : `${this.source}: ${at}: ${message}`;
  }
}

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Drops undefined fields so specs compare and print cleanly. */
export function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

/** A scalar as text; anything else as JSON, so an object never becomes "[object Object]". */
export function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : (JSON.stringify(value) ?? "");
}

/** A value for a message: JSON, cut short; a value holding a secret is never shown. */
export function shown(value: unknown): string {
  if (containsPlaintextSecret(value)) return JSON.stringify(WITHHELD_SECRET);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}
