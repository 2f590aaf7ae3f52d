import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a server, for cutting a client's link to it for real: `cut("refuse")`
 * drops every open connection and refuses new ones (a server that went away);
 * `cut("silence")` keeps accepting but forwards nothing either way (a server or network that
 * stopped answering); `restore()` forwards again on the same port.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private silent = false;
  /** Connections accepted since the start. */
  accepted = 0;

  private constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
    public port: number,
  ) {}

  static async start(upstreamHost: string, upstreamPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(upstreamHost, upstreamPort, 0);
    await proxy.listen();
    return proxy;
  }

  /** A copy of `url` (postgres://…) pointing at the proxy. */
  route(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = "127.0.0.1";
    parsed.port = String(this.port);
    return parsed.toString();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        const address = server.address();
        if (address && typeof address === "object") this.port = address.port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    this.accepted++;
    client.setNoDelay(true); // as node-postgres does; Nagle would hold small messages back
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    client.on("error", () => undefined);
    if (this.silent) return; // accepted, never answered
    const upstream = connect({ port: this.upstreamPort, host: this.upstreamHost, noDelay: true });
    this.sockets.add(upstream);
    upstream.on("close", () => this.sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("data", (chunk) => {
      if (!this.silent) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!this.silent) client.write(chunk);
    });
  }

  async cut(how: "refuse" | "silence"): Promise<void> {
    if (how === "silence") {
      this.silent = true;
      return;
    }
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) =>
      server ? server.close(() => resolve()) : resolve(),
    );
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async restore(): Promise<void> {
    if (this.silent) {
      // Connections opened while silent never had an upstream: drop them.
      for (const socket of this.sockets) socket.destroy();
      this.silent = false;
    }
    if (!this.server) await this.listen();
  }

  async stop(): Promise<void> {
    await this.cut("refuse");
  }
}
