/**
 * HTTP traffic for the routing tests and the router bench: small backends that answer with the
 * name of their implementation, and a load generator that counts who answered.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** An HTTP server on 127.0.0.1 answering every path with its implementation's name. */
export class ImplementationBackend {
  /** Requests answered, /health excluded. */
  hits = 0;
  /** Health checks answered. */
  healthChecks = 0;

  private readonly server: Server;
  private port = 0;

  private constructor(readonly implementation: string) {
    this.server = createServer((req, res) => {
      if (req.url === "/health") {
        this.healthChecks++;
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
        return;
      }
      this.hits++;
      req.resume(); // a request body cannot hold the connection
      res
        .writeHead(200, { "content-type": "text/plain", "x-implementation": implementation })
        .end(implementation);
    });
    this.server.keepAliveTimeout = 60_000;
  }

  /** `http://127.0.0.1:<port>`: the URL the router is given for this backend. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(implementation: string): Promise<ImplementationBackend> {
    const backend = new ImplementationBackend(implementation);
    await new Promise<void>((resolve, reject) => {
      backend.server.once("error", reject);
      backend.server.listen(0, "127.0.0.1", resolve);
    });
    backend.port = (backend.server.address() as AddressInfo).port;
    return backend;
  }

  /** Stops listening and drops every open connection: the backend is gone. */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/** What a batch of requests got back. */
export interface TrafficResult {
  readonly sent: number;
  /** Answers by body (an implementation's name), 2xx only. */
  readonly answeredBy: Map<string, number>;
  /** Answers by HTTP status. */
  readonly statuses: Map<number, number>;
  /** Requests that got no answer at all (connection refused, reset, timeout), with the reason. */
  readonly errors: string[];
  /** Milliseconds of each answered request, in the order they were sent. */
  readonly latenciesMs: number[];
  readonly seconds: number;
}

export interface TrafficOptions {
  /** Where requests go, e.g. a router's `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Host header: the route's host. @default the URL's host */
  readonly host?: string;
  readonly path?: string;
  /** Sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How many requests; with `until`, the most to send. */
  readonly count: number;
  /** Requests in flight at once, each on its own kept-alive connection. @default 8 */
  readonly concurrency?: number;
  /** Checked before each request: when it returns true, no more are sent. */
  readonly until?: () => boolean;
  /** Per request. @default 5000 */
  readonly timeoutMs?: number;
}

/** Sends the requests over a keep-alive agent, `concurrency` at a time, and counts the answers. */
export async function sendTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const concurrency = options.concurrency ?? 8;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(options.path ?? "/", options.url);
  const headers = { ...(options.host ? { host: options.host } : {}), ...options.headers };
  const answeredBy = new Map<string, number>();
  const statuses = new Map<number, number>();
  const errors: string[] = [];
  const latenciesMs: number[] = [];
  let sent = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (sent < options.count && !options.until?.()) {
      sent++;
      const sentAt = performance.now();
      try {
        const { status, body } = await once(target, headers, agent, options.timeoutMs ?? 5_000);
        latenciesMs.push(performance.now() - sentAt);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 200 && status < 300) answeredBy.set(body, (answeredBy.get(body) ?? 0) + 1);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { sent, answeredBy, statuses, errors, latenciesMs, seconds };
}

/** One request on its own connection, with the answer's headers (e.g. a sticky cookie). */
export function sendOne(
  options: Pick<TrafficOptions, "url" | "host" | "path" | "headers" | "timeoutMs">,
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  const headers = { ...(options.host ? { host: options.host } : {}), ...options.headers };
  return once(
    new URL(options.path ?? "/", options.url),
    headers,
    false,
    options.timeoutMs ?? 5_000,
  );
}

function once(
  url: URL,
  headers: Record<string, string>,
  agent: Agent | false,
  timeoutMs: number,
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Percent of the answered requests that `implementation` answered (0 when none were). */
export function sharePercent(result: TrafficResult, implementation: string): number {
  const answered = [...result.answeredBy.values()].reduce((a, b) => a + b, 0);
  return answered === 0 ? 0 : ((result.answeredBy.get(implementation) ?? 0) / answered) * 100;
}

/** The statuses other than 2xx, e.g. "503×12", or "" when every answer was 2xx. */
export function failedStatuses(result: TrafficResult): string {
  return [...result.statuses]
    .filter(([status]) => status < 200 || status >= 300)
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
