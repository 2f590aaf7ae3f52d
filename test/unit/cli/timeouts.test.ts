import { describe, expect, it } from "vitest";
import { timeoutsOf } from "../../../tools/cli/commands/timeouts";
import { DEFAULT_PG_TIMEOUTS, pgClientConfig } from "../../../tools/database/connection";

describe("timeoutsOf", () => {
  it("is bounded when nothing is set: at most 10 s to connect, 30 s a request", () => {
    const timeouts = timeoutsOf({}, {});
    expect(timeouts).toEqual({
      connectMs: DEFAULT_PG_TIMEOUTS.connectMs,
      requestMs: DEFAULT_PG_TIMEOUTS.statementMs,
    });
    expect(timeouts.connectMs).toBeLessThanOrEqual(10_000);
    expect(timeouts.requestMs).toBeLessThanOrEqual(30_000);
  });

  it("takes the option over the environment variable, and either over the default", () => {
    const env = { STEPWISE_CONNECT_TIMEOUT: "4", STEPWISE_REQUEST_TIMEOUT: "90" };
    expect(timeoutsOf({}, env)).toEqual({ connectMs: 4000, requestMs: 90_000 });
    expect(timeoutsOf({ connectTimeout: "2.5", requestTimeout: "5" }, env)).toEqual({
      connectMs: 2500,
      requestMs: 5000,
    });
  });

  it.each([
    [{ connectTimeout: "0" }, {}, '--connect-timeout "0"'],
    [{ requestTimeout: "-1" }, {}, '--request-timeout "-1"'],
    [{ connectTimeout: "never" }, {}, '--connect-timeout "never"'],
    [{}, { STEPWISE_CONNECT_TIMEOUT: "Infinity" }, 'STEPWISE_CONNECT_TIMEOUT "Infinity"'],
    [{}, { STEPWISE_REQUEST_TIMEOUT: "86400" }, 'STEPWISE_REQUEST_TIMEOUT "86400"'],
  ])("refuses an unbounded or unreadable wait: %j %j", (options, env, message) => {
    expect(() => timeoutsOf(options, env)).toThrow(
      `${message} is not a timeout; give seconds, more than 0 and at most 3600`,
    );
  });
});

describe("pgClientConfig", () => {
  it("bounds connecting, and each statement on the server and on the client", () => {
    expect(pgClientConfig("postgres://u@h/db", { connectMs: 1500, statementMs: 20_000 })).toEqual({
      connectionString: "postgres://u@h/db",
      connectionTimeoutMillis: 1500,
      statement_timeout: 20_000,
      query_timeout: 21_000,
    });
  });

  it("is bounded when the caller gives no timeouts", () => {
    const config = pgClientConfig("postgres://u@h/db");
    expect(config.connectionTimeoutMillis).toBe(DEFAULT_PG_TIMEOUTS.connectMs);
    expect(config.statement_timeout).toBe(DEFAULT_PG_TIMEOUTS.statementMs);
  });
});
