import { vi } from "vitest";
import { main } from "../../../tools/cli/main";

/** What one in-process run of the CLI gave: its exit code, stdout, and the errors it printed. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `stepwise <argv>` in this process, capturing what it writes. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const error = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    err += args.join(" ");
  });
  try {
    return { code: await main(argv), out, err };
  } finally {
    write.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}
