/**
 * The command line's exit codes and its user-error type, in a module of their own: every command
 * imports them, and main.ts imports every command, so they cannot live in main.ts without a cycle.
 */
export const EXIT = { ok: 0, blocked: 1, usage: 2 } as const;

/** An error the user can fix: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}
