/**
 * A real Traefik for the routing tests and the router bench: the binary test/engine/build-traefik.sh
 * compiles, started on 127.0.0.1 with the static settings the Compose router uses
 * (traefikStaticArgs) and stepwise's rendered file-provider configuration in a folder of its own.
 * Routes are written the way the Compose router's writer does (beside, then renamed), so Traefik's
 * file watch picks up each step without a restart; Traefik's API tells when a step is applied.
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_FEATURE_FLAGS,
  mirroredServiceName,
  routeServiceName,
  weightedBackends,
  type FeatureFlags,
  type RouteSpec,
} from "../../components/routing/route";
import {
  renderTraefikFile,
  ROUTES_FILE,
  traefikFileConfig,
  traefikStaticArgs,
  type BackendUrl,
  type HealthCheckSettings,
} from "../../components/routing/traefik-file";
import { cacheDir } from "./manager";
import { freePort, sleep, waitUntil } from "./processes";

/** Where test/engine/build-traefik.sh puts the binary. */
export const TRAEFIK_BINARY = join(cacheDir, "traefik", "bin", "traefik");
const BUILD_HINT = "run test/engine/build-traefik.sh (minutes the first time; then it skips)";

/** How the routes reach their backends, and the settings the file carries besides the routes. */
export interface RoutesInput {
  readonly urlOf: BackendUrl;
  /** @default DEFAULT_FEATURE_FLAGS */
  readonly flags?: FeatureFlags;
  /** @default no health checks */
  readonly health?: HealthCheckSettings;
}

/** What Traefik's API says about one HTTP service (the fields the tests read). */
export interface TraefikService {
  readonly name: string;
  readonly status?: string;
  readonly error?: readonly string[];
  readonly serverStatus?: Readonly<Record<string, string>>;
  readonly loadBalancer?: { readonly servers?: readonly { readonly url: string }[] };
  readonly weighted?: {
    readonly services?: readonly { readonly name: string; readonly weight?: number }[];
    readonly sticky?: unknown;
  };
  readonly mirroring?: {
    readonly service: string;
    readonly mirrors?: readonly { readonly name: string; readonly percent: number }[];
  };
}

interface TraefikRouterInfo {
  readonly service: string;
  readonly status?: string;
  readonly error?: readonly string[];
}

/** One GET on 127.0.0.1 with a deadline; the status and the body as text. */
export function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/** A configuration Traefik refused: waiting longer will not help. */
class FatalRouteError extends Error {}

/** The name without its provider suffix: "product-catalog@file" → "product-catalog". */
const bare = (name: string): string => name.replace(/@[a-z]+$/, "");

/** A running Traefik; `stop()` ends it and removes its folder. */
export class TraefikProcess {
  /** Where requests go: `http://127.0.0.1:<port>` (send the route's Host header). */
  readonly url: string;
  private exited: string | undefined;
  private readonly onExit = () => this.child.kill("SIGKILL");

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly metricsPort: number,
    readonly apiPort: number,
    private readonly folder: string,
    readonly configDirectory: string,
    readonly logFile: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    child.on("exit", (code, signal) => (this.exited = `exit ${code ?? signal}`));
    // A test runner that dies leaves no router behind.
    process.once("exit", this.onExit);
  }

  /**
   * Starts Traefik on free ports of 127.0.0.1 and waits for its ping and its API. Fails with a
   * clear message when the binary is not built, and with the log's last lines when it does not
   * come up within `timeoutMs`.
   */
  static async start(options: { readonly timeoutMs?: number } = {}): Promise<TraefikProcess> {
    try {
      accessSync(TRAEFIK_BINARY, constants.X_OK);
    } catch {
      throw new Error(`no Traefik binary at ${TRAEFIK_BINARY}: ${BUILD_HINT}`);
    }
    const folder = mkdtempSync(join(tmpdir(), "stepwise-traefik-"));
    const configDirectory = join(folder, "dynamic");
    mkdirSync(configDirectory);
    const logFile = join(folder, "traefik.log");
    const [port, metricsPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const args = [
      ...traefikStaticArgs({
        port,
        metricsPort,
        apiPort,
        configDirectory,
        bindAddress: "127.0.0.1",
      }),
      // Test-only: a readable log.
      "--log.level=INFO",
      "--log.noColor=true",
    ];
    const log = openSync(logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(TRAEFIK_BINARY, args, { stdio: ["ignore", log, log] });
    } finally {
      closeSync(log);
    }
    child.on("error", () => undefined); // reported by the readiness wait below
    const router = new TraefikProcess(
      child,
      port,
      metricsPort,
      apiPort,
      folder,
      configDirectory,
      logFile,
    );
    try {
      await waitUntil(
        `Traefik (${TRAEFIK_BINARY})`,
        async () => {
          if (router.exited) throw new Error(`it stopped (${router.exited})`);
          const ping = await httpGet(`http://127.0.0.1:${metricsPort}/ping`, 1_000);
          const api = await httpGet(`http://127.0.0.1:${apiPort}/api/version`, 1_000);
          return ping.status === 200 && ping.body.trim() === "OK" && api.status === 200;
        },
        options.timeoutMs ?? 30_000,
        logFile,
      );
    } catch (error) {
      await router.stop();
      throw error;
    }
    return router;
  }

  /**
   * Renders the routes as the Compose router does and writes them to routes.yml atomically
   * (beside, then renamed: Traefik never reads half a file). Returns the text written.
   */
  writeRoutes(routes: readonly RouteSpec[], input: RoutesInput): string {
    const text = renderTraefikFile(
      traefikFileConfig(routes, input.flags ?? DEFAULT_FEATURE_FLAGS, input.urlOf, input.health),
    );
    // Only .yml/.yaml/.toml files are read from the folder, so the temporary one is ignored.
    const next = join(this.configDirectory, `.${ROUTES_FILE}.next`);
    writeFileSync(next, text);
    renameSync(next, join(this.configDirectory, ROUTES_FILE));
    return text;
  }

  /** Writes the routes and waits until Traefik's API shows every one of them applied. */
  async applyRoutes(
    routes: readonly RouteSpec[],
    input: RoutesInput,
    timeoutMs = 20_000,
  ): Promise<void> {
    this.writeRoutes(routes, input);
    await this.waitForRoutes(routes, timeoutMs);
  }

  /**
   * Waits until the API shows each route as written: its router on the right entry service, the
   * weighted service with exactly the positive-weight backends and their weights, stickiness,
   * and the mirror. A router or service Traefik rejected fails at once with Traefik's error.
   * Traefik applies a provider's changes at most every 2 s (providersThrottleDuration).
   */
  async waitForRoutes(routes: readonly RouteSpec[], timeoutMs = 20_000): Promise<void> {
    let refused: FatalRouteError | undefined;
    await waitUntil(
      `routes ${routes.map((r) => r.name).join(", ")} in Traefik`,
      async () => {
        try {
          const pending = await this.routesPending(routes);
          if (pending !== undefined) throw new Error(pending);
        } catch (error) {
          if (!(error instanceof FatalRouteError)) throw error;
          refused = error;
        }
        return true;
      },
      timeoutMs,
      this.logFile,
    );
    if (refused) throw refused;
    // The API and the entry points switch to a new configuration in one step; this covers the
    // few microseconds between the entry points' switches.
    await sleep(100);
  }

  /** What still differs from the routes as written, or undefined when all are applied. */
  private async routesPending(routes: readonly RouteSpec[]): Promise<string | undefined> {
    for (const route of routes) {
      const router = await this.api<TraefikRouterInfo>(`/api/http/routers/${route.name}@file`);
      if (!router) return `router ${route.name}@file not there yet`;
      this.rejectErrors(`router ${route.name}`, router);
      const entry = route.mirror ? mirroredServiceName(route.name) : routeServiceName(route.name);
      if (bare(router.service) !== entry) {
        return `router ${route.name} uses ${router.service}, not ${entry} yet`;
      }
      const weighted = await this.service(routeServiceName(route.name));
      if (!weighted) return `service ${routeServiceName(route.name)}@file not there yet`;
      this.rejectErrors(`service ${weighted.name}`, weighted);
      const shown = (weighted.weighted?.services ?? [])
        .map((s) => `${bare(s.name)}=${s.weight ?? 1}`)
        .sort()
        .join(" ");
      const wanted = weightedBackends(route)
        .map((b) => `${b.service}=${b.weight}`)
        .sort()
        .join(" ");
      if (shown !== wanted) return `${weighted.name} weights are ${shown}, not ${wanted} yet`;
      if (Boolean(weighted.weighted?.sticky) !== Boolean(route.sticky)) {
        return `${weighted.name} sticky is ${Boolean(weighted.weighted?.sticky)} yet`;
      }
      if (route.mirror) {
        const mirror = await this.service(entry);
        if (!mirror) return `service ${entry}@file not there yet`;
        this.rejectErrors(`service ${entry}`, mirror);
        const service = route.backends.find(
          (b) => b.implementation === route.mirror?.implementation,
        );
        const shownMirror = (mirror.mirroring?.mirrors ?? [])
          .map((m) => `${bare(m.name)}:${m.percent}`)
          .join(" ");
        if (shownMirror !== `${service?.service}:${route.mirror.percent}`) {
          return `${entry} mirrors ${shownMirror || "nothing"} yet`;
        }
      }
    }
    return undefined;
  }

  private rejectErrors(what: string, info: { status?: string; error?: readonly string[] }): void {
    if (info.error?.length || (info.status && info.status !== "enabled")) {
      throw new FatalRouteError(
        `Traefik rejected ${what} (${info.status ?? "?"}): ${(info.error ?? []).join("; ")}`,
      );
    }
  }

  /** One HTTP service as Traefik's API shows it (`name` without "@file"), or undefined. */
  service(name: string): Promise<TraefikService | undefined> {
    return this.api<TraefikService>(`/api/http/services/${name}@file`);
  }

  /** Waits until the router's health check reports `serverUrl` of `service` as `status`. */
  async waitForServerStatus(
    service: string,
    serverUrl: string,
    status: "UP" | "DOWN",
    timeoutMs = 15_000,
  ): Promise<void> {
    await waitUntil(
      `${service} server ${serverUrl} ${status} in Traefik's API`,
      async () => {
        const shown = (await this.service(service))?.serverStatus?.[serverUrl];
        if (shown !== status) throw new Error(`it is ${shown ?? "not listed"}`);
        return true;
      },
      timeoutMs,
      this.logFile,
    );
  }

  /** The Prometheus text of the metrics entry point. */
  async metrics(): Promise<string> {
    const { status, body } = await httpGet(`http://127.0.0.1:${this.metricsPort}/metrics`);
    if (status !== 200) throw new Error(`Traefik metrics: HTTP ${status}`);
    return body;
  }

  /** Ends Traefik (SIGTERM, then SIGKILL after 10 s) and removes its folder. */
  async stop(): Promise<void> {
    process.removeListener("exit", this.onExit);
    if (this.exited === undefined && this.child.exitCode === null) {
      const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.child.kill("SIGTERM");
      const killed = await Promise.race([gone.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        this.child.kill("SIGKILL");
        await Promise.race([gone, sleep(5_000)]);
      }
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** The last lines of Traefik's log, for a failing test's message. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  private async api<T>(path: string): Promise<T | undefined> {
    const { status, body } = await httpGet(`http://127.0.0.1:${this.apiPort}${path}`, 2_000);
    if (status === 404) return undefined;
    if (status !== 200)
      throw new Error(`Traefik API ${path}: HTTP ${status}: ${body.slice(0, 200)}`);
    return JSON.parse(body) as T;
  }
}
