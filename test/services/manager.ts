import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  rmdirSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import {
  kafkaServes,
  prepareKafkaBroker,
  resolveKafkaJars,
  startKafkaBroker,
  stopKafkaBroker,
  type KafkaBrokerState,
  type KafkaClusterName,
} from "./kafka";
import {
  killApiServer,
  kubernetesBuild,
  kubernetesServes,
  restartApiServer,
  startKubernetes,
  stopKubernetes,
  type KubernetesState,
} from "./kubernetes";
import { postgresServes, startPostgres, stopPostgres, type PostgresState } from "./postgres";
import { isRunning, sleep } from "./processes";
import { postgresBinDir, requireJava } from "./prerequisites";

/** Everything the running test services are, recorded so that any process can find or stop them. */
export interface ServicesState {
  readonly root: string;
  readonly kafkaLibs: string;
  readonly kafka: Record<KafkaClusterName, KafkaBrokerState>;
  readonly postgres: PostgresState;
  /** The Kubernetes control plane, when a start asked for it (the engine tests do). */
  readonly kubernetes?: KubernetesState;
}

/** postgres:// URL of one database of the test server, as its superuser or as `as`. */
export function postgresUrlOf(
  pg: ServiceEndpoints["postgres"],
  database: string,
  as?: { readonly user: string; readonly password: string },
): string {
  const user = as?.user ?? pg.user;
  const password = as?.password ?? pg.password;
  return `postgres://${user}:${encodeURIComponent(password)}@${pg.host}:${pg.port}/${database}`;
}

/** What a test needs to reach the services. */
export interface ServiceEndpoints {
  readonly kafka: Record<KafkaClusterName, { readonly bootstrap: string }>;
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    readonly databases: { readonly legacy: string; readonly target: string };
  };
  readonly kubernetes?: {
    readonly server: string;
    readonly caFile: string;
    readonly token: string;
    readonly kubeconfigFile: string;
  };
}

export const cacheDir = resolve(
  process.env.STEPWISE_CACHE ?? join(__dirname, "..", "..", ".cache"),
);
/** Where the state file and lock live; STEPWISE_SERVICES_DIR runs a second, separate set. */
function servicesDir(): string {
  return resolve(process.env.STEPWISE_SERVICES_DIR ?? join(cacheDir, "services"));
}
export const stateFile = (): string => join(servicesDir(), "state.json");
const lockDir = (): string => join(servicesDir(), "lock");

export function readState(): ServicesState | undefined {
  if (!existsSync(stateFile())) return undefined;
  return JSON.parse(readFileSync(stateFile(), "utf8")) as ServicesState;
}

function writeState(state: ServicesState): void {
  mkdirSync(dirname(stateFile()), { recursive: true });
  // Holds the throwaway database password: readable by this user only.
  writeFileSync(stateFile(), JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function endpoints(state: ServicesState): ServiceEndpoints {
  return {
    kafka: {
      legacy: { bootstrap: state.kafka.legacy.bootstrap },
      target: { bootstrap: state.kafka.target.bootstrap },
    },
    postgres: {
      host: "127.0.0.1",
      port: state.postgres.port,
      user: state.postgres.user,
      password: state.postgres.password,
      databases: state.postgres.databases,
    },
    ...(state.kubernetes
      ? {
          kubernetes: {
            server: state.kubernetes.server,
            caFile: state.kubernetes.caFile,
            token: state.kubernetes.token,
            kubeconfigFile: state.kubernetes.kubeconfigFile,
          },
        }
      : {}),
  };
}

/** True when every recorded process is alive and answering. */
export async function healthy(state: ServicesState): Promise<boolean> {
  try {
    const alive =
      isRunning(state.kafka.legacy.pid, state.kafka.legacy.configFile) &&
      isRunning(state.kafka.target.pid, state.kafka.target.configFile) &&
      isRunning(state.postgres.pid, join(state.postgres.dataDir, "pgdata")) &&
      (state.kubernetes === undefined ||
        [
          state.kubernetes.etcd,
          state.kubernetes.apiServer,
          state.kubernetes.controllerManager,
        ].every((p) => isRunning(p.pid, state.kubernetes!.dir)));
    if (!alive) return false;
    const answers = await Promise.all([
      kafkaServes(state.kafka.legacy.bootstrap),
      kafkaServes(state.kafka.target.bootstrap),
      postgresServes(state.postgres),
      state.kubernetes === undefined ? true : kubernetesServes(state.kubernetes),
    ]);
    return answers.every(Boolean);
  } catch {
    return false;
  }
}

export interface StartResult {
  readonly state: ServicesState;
  /** False when healthy services from an earlier start were reused. */
  readonly started: boolean;
}

export interface StartOptions {
  /** Also start (or add) the Kubernetes control plane; it must be built first. @default false */
  readonly kubernetes?: boolean;
}

/**
 * Starts both Kafka clusters and PostgreSQL (and, when asked, the Kubernetes control plane), or
 * reuses them when an earlier start left them healthy. Leftovers of a crashed run (dead or
 * half-started services) are cleaned up first.
 */
export async function startServices(
  log: (line: string) => void = () => undefined,
  options: StartOptions = {},
): Promise<StartResult> {
  return withLock(async () => {
    const existing = readState();
    if (existing && (await healthy(existing))) {
      if (options.kubernetes && !existing.kubernetes) {
        log("test services already running; adding the Kubernetes control plane");
        const kubernetes = await startKubernetes(
          join(existing.root, "kubernetes"),
          kubernetesBuild(cacheDir),
        );
        const state = { ...existing, kubernetes };
        writeState(state);
        log(describe(state));
        return { state, started: true };
      }
      log("test services already running; reusing them");
      return { state: existing, started: false };
    }
    if (existing) {
      log("cleaning up test services left by an earlier run");
      await stopRecorded(existing);
    }
    // Check every prerequisite before starting anything, so a missing tool fails at once.
    requireJava();
    postgresBinDir();
    const build = options.kubernetes ? kubernetesBuild(cacheDir) : undefined;
    const kafkaLibs = resolveKafkaJars(cacheDir);
    const root = mkdtempSync(join(tmpdir(), "stepwise-services-"));
    chmodSync(root, 0o711); // PostgreSQL may run as another account and must reach its folder
    const partial: Partial<Record<KafkaClusterName, KafkaBrokerState>> = {};
    try {
      const [legacyPrepared, targetPrepared] = await Promise.all([
        prepareKafkaBroker("legacy", kafkaLibs, join(root, "kafka-legacy")),
        prepareKafkaBroker("target", kafkaLibs, join(root, "kafka-target")),
      ]);
      const [legacy, target, postgres, kubernetes] = await Promise.all([
        startKafkaBroker(kafkaLibs, legacyPrepared).then((s) => (partial.legacy = s)),
        startKafkaBroker(kafkaLibs, targetPrepared).then((s) => (partial.target = s)),
        startPostgres(join(root, "postgres")),
        build ? startKubernetes(join(root, "kubernetes"), build) : undefined,
      ]);
      const state: ServicesState = {
        root,
        kafkaLibs,
        kafka: { legacy, target },
        postgres,
        ...(kubernetes ? { kubernetes } : {}),
      };
      writeState(state);
      log(describe(state));
      return { state, started: true };
    } catch (error) {
      await Promise.all(Object.values(partial).map(stopKafkaBroker));
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  });
}

/** Stops every recorded service and removes its data. Does nothing when none are recorded. */
export async function stopServices(): Promise<void> {
  await withLock(async () => {
    const state = readState();
    if (state) await stopRecorded(state);
  });
}

async function stopRecorded(state: ServicesState): Promise<void> {
  await Promise.all([
    stopKafkaBroker(state.kafka.legacy),
    stopKafkaBroker(state.kafka.target),
    stopPostgres(state.postgres),
    state.kubernetes ? stopKubernetes(state.kubernetes) : undefined,
  ]);
  rmSync(state.root, { recursive: true, force: true });
  rmSync(stateFile(), { force: true });
}

/** Stops one broker and keeps its data and ports, so it can be started again (outage tests). */
export async function stopKafkaCluster(name: KafkaClusterName): Promise<void> {
  const state = requireState();
  await stopKafkaBroker(state.kafka[name]);
}

/** Starts a broker stopped by stopKafkaCluster again on the same data and port. */
export async function startKafkaCluster(name: KafkaClusterName): Promise<void> {
  const state = requireState();
  if (isRunning(state.kafka[name].pid, state.kafka[name].configFile)) return;
  const restarted = await startKafkaBroker(state.kafkaLibs, state.kafka[name]);
  writeState({ ...state, kafka: { ...state.kafka, [name]: restarted } });
}

/** Kills the Kubernetes API server (etcd and its data stay), as a crash in mid-update would. */
export async function killKubernetesApiServer(): Promise<void> {
  const state = requireState();
  if (!state.kubernetes) throw new Error("the test services run no Kubernetes control plane");
  await killApiServer(state.kubernetes);
}

/** Starts the API server killed by killKubernetesApiServer again, on the same port and data. */
export async function restartKubernetesApiServer(): Promise<void> {
  const state = requireState();
  if (!state.kubernetes) throw new Error("the test services run no Kubernetes control plane");
  const kubernetes = await restartApiServer(state.kubernetes);
  writeState({ ...state, kubernetes });
}

function requireState(): ServicesState {
  const state = readState();
  if (!state)
    throw new Error(
      `no test services are running (no ${stateFile()}); start them with 'npm run services -- start'`,
    );
  return state;
}

export function describe(state: ServicesState): string {
  const kafka = (["legacy", "target"] as const).map((name) => {
    const broker = state.kafka[name];
    const role = name === "legacy" ? "Redpanda stand-in" : "Kafka";
    return `kafka ${name} (${role}) ${broker.bootstrap}  started in ${broker.startMs} ms, ${broker.rssMiB ?? "?"} MiB resident`;
  });
  const pg = state.postgres;
  const k8s = state.kubernetes;
  return [
    ...kafka,
    `postgres ${pg.version} 127.0.0.1:${pg.port} (${Object.values(pg.databases).join(", ")})  started in ${pg.startMs} ms, ${pg.rssMiB ?? "?"} MiB resident`,
    ...(k8s
      ? [
          `kubernetes ${k8s.version} ${k8s.server} (etcd, kube-apiserver, kube-controller-manager; no nodes; kubeconfig ${k8s.kubeconfigFile})  started in ${k8s.startMs} ms, ${k8s.rssMiB ?? "?"} MiB resident`,
        ]
      : []),
  ].join("\n");
}

/** A lock folder, so that two test runs starting at once do not both start services. */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockDir()), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lockDir());
      writeFileSync(join(lockDir(), "pid"), String(process.pid));
      break;
    } catch {
      if (lockHolderGone()) {
        rmSync(lockDir(), { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`test services are locked by another process (${lockDir()})`);
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(join(lockDir(), "pid"), { force: true });
    rmdirSync(lockDir());
  }
}

function lockHolderGone(): boolean {
  try {
    const pid = Number(readFileSync(join(lockDir(), "pid"), "utf8"));
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: the holder died; ENOENT: the lock has no pid yet (or was just released).
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
