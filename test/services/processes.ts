import { spawn, type SpawnOptions } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Asks the kernel for a free TCP port on 127.0.0.1. */
/** Resolves once `port` can be bound on 127.0.0.1 again; a killed server may still hold it. */
export async function waitForPortFree(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return;
    if (Date.now() > deadline) throw new Error(`port ${port} on 127.0.0.1 is still in use`);
    await sleep(100);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

export interface DetachedProcess {
  readonly pid: number;
  readonly logFile: string;
}

/**
 * Starts a long-running server in its own process group with output to a log file, so that it
 * outlives the test runner that started it (the manager stops it) and can be killed as a group.
 */
export function spawnDetached(
  command: string,
  args: readonly string[],
  logFile: string,
  options: Pick<SpawnOptions, "cwd" | "env" | "uid" | "gid"> = {},
): DetachedProcess {
  const log = openSync(logFile, "a");
  try {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", log, log] });
    if (child.pid === undefined) throw new Error(`could not start ${command}: no process id`);
    child.on("error", () => undefined); // reported through the readiness wait and the log
    child.unref();
    return { pid: child.pid, logFile };
  } finally {
    closeSync(log);
  }
}

/** True when the process exists and its command line mentions `marker` (guards against pid reuse). */
export function isRunning(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    return cmdline.includes(marker);
  } catch {
    return true; // no /proc: trust the signal check
  }
}

/** Stops a process group: `signal` first, SIGKILL when it has not exited after `graceMs`. */
export async function stopProcess(
  pid: number,
  marker: string,
  signal: NodeJS.Signals,
  graceMs = 15_000,
): Promise<void> {
  if (!isRunning(pid, marker)) return;
  killGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid, marker)) return;
    await sleep(100);
  }
  killGroup(pid, "SIGKILL");
  while (isRunning(pid, marker)) await sleep(50);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Resident memory of a process in MiB, from /proc; undefined where it cannot be read. */
export function residentMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it resolves true, or fails with the last error and the log's tail. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : "";
  const tail = logFile ? `\n--- last lines of ${logFile} ---\n${logTail(logFile)}` : "";
  throw new Error(`${what} was not ready after ${timeoutMs / 1000} s${reason}${tail}`);
}

function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
