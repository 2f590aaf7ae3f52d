/**
 * How long the data-plane commands wait for a database or a broker. A server that accepts the
 * connection and never answers must not hang a command (or a CI job) forever: connecting and
 * every statement or request are bounded, and both bounds can be raised.
 */
import type { Command } from "commander";
import { DEFAULT_PG_TIMEOUTS } from "../../database/connection";
import { UsageError } from "../exit";
import { shown } from "./input-files";

export interface NetworkTimeouts {
  /** Connecting, including the first exchange with the server. */
  readonly connectMs: number;
  /** One statement (PostgreSQL) or request (Kafka). */
  readonly requestMs: number;
}

export interface TimeoutOptions {
  connectTimeout?: string;
  requestTimeout?: string;
}

// One pair of defaults for every server the tools talk to, PostgreSQL and Kafka alike.
const SETTINGS = {
  connect: {
    option: "--connect-timeout",
    env: "STEPWISE_CONNECT_TIMEOUT",
    defaultSeconds: DEFAULT_PG_TIMEOUTS.connectMs / 1000,
  },
  request: {
    option: "--request-timeout",
    env: "STEPWISE_REQUEST_TIMEOUT",
    defaultSeconds: DEFAULT_PG_TIMEOUTS.statementMs / 1000,
  },
} as const;

/** A wait of more than an hour is a hang by another name. */
const MAX_SECONDS = 3600;

export function addTimeoutOptions(command: Command): Command {
  const { connect, request } = SETTINGS;
  return command
    .option(
      `${connect.option} <seconds>`,
      `give up when a server does not answer the connection within this time (default ${connect.defaultSeconds}, or $${connect.env})`,
    )
    .option(
      `${request.option} <seconds>`,
      `give up on a statement or request with no answer after this time (default ${request.defaultSeconds}, or $${request.env})`,
    );
}

/** The timeouts in force: the option, else the environment variable, else the default. */
export function timeoutsOf(
  options: TimeoutOptions,
  env: NodeJS.ProcessEnv = process.env,
): NetworkTimeouts {
  return {
    connectMs: secondsOf("connect", options.connectTimeout, env) * 1000,
    requestMs: secondsOf("request", options.requestTimeout, env) * 1000,
  };
}

function secondsOf(
  kind: keyof typeof SETTINGS,
  option: string | undefined,
  env: NodeJS.ProcessEnv,
): number {
  const setting = SETTINGS[kind];
  const fromEnv = env[setting.env];
  const [source, text] =
    option !== undefined
      ? [setting.option, option]
      : fromEnv !== undefined && fromEnv !== ""
        ? [setting.env, fromEnv]
        : [undefined, undefined];
  if (source === undefined || text === undefined) return setting.defaultSeconds;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new UsageError(
      `${source} ${shown(text)} is not a timeout; give seconds, more than 0 and at most ${MAX_SECONDS} (e.g. ${setting.option} 30)`,
    );
  }
  return seconds;
}

/** The end of a message about a server that did not answer: what to check, what to raise. */
export function noAnswerHint(timeouts: NetworkTimeouts, kind: keyof typeof SETTINGS): string {
  const setting = SETTINGS[kind];
  const ms = kind === "connect" ? timeouts.connectMs : timeouts.requestMs;
  return `no answer within ${ms / 1000} s; check the address and that the server runs, or raise ${setting.option} (or $${setting.env})`;
}

/** `work`, or `onTimeout()` thrown once `ms` pass without it settling. */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
