import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { kubeCreate, kubeGet, kubeRequest, type KubeAccess } from "./kube-api";
import {
  freePort,
  residentMiB,
  sleep,
  spawnDetached,
  stopProcess,
  waitForPortFree,
  waitUntil,
} from "./processes";
import { MissingPrerequisite } from "./prerequisites";

/** The binaries and CRDs test/engine/build-kubernetes.sh puts under the cache. */
export interface KubernetesBuild {
  readonly binDir: string;
  /** Traefik's CRD definitions (multi-document YAML). */
  readonly traefikCrds: string;
}

export interface KubernetesProcess {
  readonly pid: number;
  readonly logFile: string;
}

/**
 * A real control plane without nodes: etcd, kube-apiserver and kube-controller-manager on
 * 127.0.0.1. Pods are accepted but never scheduled (no scheduler, no kubelet).
 */
export interface KubernetesState {
  /** Folder of everything it writes (data, keys, logs); every process's command line names it. */
  readonly dir: string;
  readonly binDir: string;
  readonly etcd: KubernetesProcess & { readonly clientPort: number };
  readonly apiServer: KubernetesProcess & { readonly port: number };
  readonly controllerManager: KubernetesProcess;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** The serving certificate the API server made for itself, which clients trust as their CA. */
  readonly caFile: string;
  /** Bearer token of a user in group system:masters (throwaway, like the database password). */
  readonly token: string;
  /** A kubeconfig with that token (mode 0600). */
  readonly kubeconfigFile: string;
  readonly version: string;
  readonly startMs: number;
  readonly rssMiB: number | undefined;
}

const BUILD_SCRIPT = "test/engine/build-kubernetes.sh";
/** The storage class K3s ships (local-path provisioner); the platform components default to it. */
export const STORAGE_CLASS = "local-path";

/** The control plane binaries and CRDs from the cache; missing ones name the build script. */
export function kubernetesBuild(cacheDir: string): KubernetesBuild {
  const binDir = join(cacheDir, "kubernetes", "bin");
  const missing = ["etcd", "kube-apiserver", "kube-controller-manager"].filter(
    (name) => !existsSync(join(binDir, name)),
  );
  const crdDir = join(cacheDir, "kubernetes", "crds");
  const crds = existsSync(crdDir)
    ? readdirSync(crdDir).filter((file) => file.startsWith("traefik-"))
    : [];
  if (missing.length > 0 || crds.length === 0) {
    throw new MissingPrerequisite(
      `the test Kubernetes control plane is not built (${[...missing, ...(crds.length === 0 ? ["Traefik CRDs"] : [])].join(", ")} missing under ${join(cacheDir, "kubernetes")}); ` +
        `run ${BUILD_SCRIPT} (about 5 minutes on two cores, Go needed)`,
    );
  }
  return { binDir, traefikCrds: join(crdDir, crds.sort().at(-1)!) };
}

export function kubeAccess(
  state: Pick<KubernetesState, "server" | "caFile" | "token">,
): KubeAccess {
  return { server: state.server, ca: readFileSync(state.caFile, "utf8"), token: state.token };
}

/** Starts etcd, the API server and the controller manager, then applies the cluster's basics. */
export async function startKubernetes(
  dir: string,
  build: KubernetesBuild,
): Promise<KubernetesState> {
  const started = Date.now();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pki = join(dir, "pki");
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const serviceAccountKey = join(pki, "service-account.key");
  const serviceAccountPub = join(pki, "service-account.pub");
  const keys = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  writeFileSync(serviceAccountKey, keys.privateKey, { mode: 0o600 });
  writeFileSync(serviceAccountPub, keys.publicKey, { mode: 0o600 });
  const token = randomBytes(24).toString("base64url");
  const tokenFile = join(pki, "tokens.csv");
  writeFileSync(tokenFile, `${token},stepwise-admin,stepwise-admin,"system:masters"\n`, {
    mode: 0o600,
  });

  const [clientPort, peerPort, apiPort] = await distinctFreePorts(3);
  const running: KubernetesProcess[] = [];
  try {
    const etcd = startEtcd(build, dir, clientPort, peerPort);
    running.push(etcd);
    await waitUntil(
      `etcd on 127.0.0.1:${clientPort}`,
      async () => (await fetch(`http://127.0.0.1:${clientPort}/health`)).ok,
      60_000,
      etcd.logFile,
    );

    const apiServer = spawnApiServer(build.binDir, dir, clientPort, apiPort);
    running.push(apiServer);
    const caFile = join(pki, "apiserver.crt");
    const server = `https://127.0.0.1:${apiPort}`;
    await waitForApiServer({ server, caFile, token }, apiServer.logFile);
    const access = { server, ca: readFileSync(caFile, "utf8"), token };
    const kubeconfigFile = join(dir, "kubeconfig");
    writeFileSync(kubeconfigFile, kubeconfig(access), { mode: 0o600 });

    const controllerManager = spawnDetached(
      join(build.binDir, "kube-controller-manager"),
      [
        `--kubeconfig=${kubeconfigFile}`,
        "--secure-port=0",
        "--leader-elect=false",
        `--service-account-private-key-file=${serviceAccountKey}`,
        `--root-ca-file=${caFile}`,
      ],
      join(dir, "kube-controller-manager.log"),
    );
    running.push(controllerManager);
    // Its service-account controller making `default` in `default` proves it works; without it
    // namespaces never finish deleting and foreground deletes hang.
    await waitUntil(
      "kube-controller-manager (default service account)",
      async () =>
        (await kubeGet(access, "/api/v1/namespaces/default/serviceaccounts/default")) !== undefined,
      120_000,
      controllerManager.logFile,
    );
    await applyBasics(access, build);

    const version = await kubeGet<{ gitVersion: string }>(access, "/version");
    return {
      dir,
      binDir: build.binDir,
      etcd: { ...etcd, clientPort },
      apiServer: { ...apiServer, port: apiPort },
      controllerManager,
      server,
      caFile,
      token,
      kubeconfigFile,
      version: version?.gitVersion ?? "?",
      startMs: Date.now() - started,
      rssMiB: sumDefined(running.map((p) => residentMiB(p.pid))),
    };
  } catch (error) {
    for (const process of running.reverse()) await stopProcess(process.pid, dir, "SIGKILL");
    throw error;
  }
}

function spawnApiServer(
  binDir: string,
  dir: string,
  etcdPort: number,
  port: number,
): KubernetesProcess {
  const pki = join(dir, "pki");
  return spawnDetached(
    join(binDir, "kube-apiserver"),
    [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      // Makes (once) and serves a self-signed certificate for 127.0.0.1, which clients trust.
      `--cert-dir=${pki}`,
      `--token-auth-file=${join(pki, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${join(pki, "service-account.pub")}`,
      `--service-account-signing-key-file=${join(pki, "service-account.key")}`,
      "--service-cluster-ip-range=10.96.0.0/24",
      // No kubelet registers the apiserver's own endpoints, so nothing should maintain them.
      "--endpoint-reconciler-type=none",
      // A test cluster on a small machine: API priority and fairness is overhead only.
      "--enable-priority-and-fairness=false",
    ],
    join(dir, "kube-apiserver.log"),
  );
}

async function waitForApiServer(
  state: Pick<KubernetesState, "server" | "caFile" | "token">,
  logFile: string,
): Promise<void> {
  await waitUntil(
    `kube-apiserver on ${state.server}`,
    async () => existsSync(state.caFile) && (await kubernetesServes(state)),
    120_000,
    logFile,
  );
}

function startEtcd(
  build: KubernetesBuild,
  dir: string,
  clientPort: number,
  peerPort: number,
): KubernetesProcess {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return spawnDetached(
    join(build.binDir, "etcd"),
    [
      "--name=stepwise-test",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=stepwise-test=${peer}`,
      // A throwaway cluster: durability costs time and buys nothing.
      "--unsafe-no-fsync=true",
    ],
    join(dir, "etcd.log"),
  );
}

/** The storage class K3s ships and Traefik's CRDs, so custom resources are validated for real. */
async function applyBasics(access: KubeAccess, build: KubernetesBuild): Promise<void> {
  await kubeCreate(access, "/apis/storage.k8s.io/v1/storageclasses", {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: STORAGE_CLASS },
    provisioner: "rancher.io/local-path",
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  });
  const crds = parseAllDocuments(readFileSync(build.traefikCrds, "utf8"))
    .map((doc) => doc.toJS() as Record<string, unknown> | null)
    .filter((doc): doc is Record<string, unknown> => doc?.kind === "CustomResourceDefinition");
  const path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  for (const crd of crds) await kubeCreate(access, path, crd);
  for (const crd of crds) {
    const name = (crd.metadata as { name: string }).name;
    await waitUntil(
      `CRD ${name} established`,
      async () => {
        const found = await kubeGet<{
          status?: { conditions?: { type: string; status: string }[] };
        }>(access, `${path}/${name}`);
        return (
          found?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ??
          false
        );
      },
      30_000,
    );
  }
}

export function kubeconfig(access: KubeAccess, namespace = "default"): string {
  return JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "stepwise-test",
          cluster: {
            server: access.server,
            "certificate-authority-data": Buffer.from(access.ca).toString("base64"),
          },
        },
      ],
      users: [{ name: "stepwise-admin", user: { token: access.token } }],
      contexts: [
        {
          name: "stepwise-test",
          context: { cluster: "stepwise-test", user: "stepwise-admin", namespace },
        },
      ],
      "current-context": "stepwise-test",
    },
    null,
    2,
  );
}

/** Stops the controller manager, the API server, then etcd (its data goes with `dir`). */
export async function stopKubernetes(
  state: Pick<KubernetesState, "dir" | "etcd" | "apiServer" | "controllerManager">,
): Promise<void> {
  await stopProcess(state.controllerManager.pid, state.dir, "SIGTERM", 5_000);
  await stopProcess(state.apiServer.pid, state.dir, "SIGTERM", 10_000);
  await stopProcess(state.etcd.pid, state.dir, "SIGTERM", 10_000);
}

/** Kills only the API server, keeping etcd and its data (a failure in the middle of an update). */
export async function killApiServer(
  state: Pick<KubernetesState, "dir" | "apiServer">,
): Promise<void> {
  await stopProcess(state.apiServer.pid, state.dir, "SIGKILL");
}

/** Starts the API server again on the same port, data and keys; returns the new state. */
export async function restartApiServer(state: KubernetesState): Promise<KubernetesState> {
  // A killed process looks gone (its command line is empty) a moment before the kernel has
  // closed its sockets; binding then fails with "address already in use".
  await waitForPortFree(state.apiServer.port);
  const apiServer = spawnApiServer(
    state.binDir,
    state.dir,
    state.etcd.clientPort,
    state.apiServer.port,
  );
  await waitForApiServer(state, apiServer.logFile);
  return { ...state, apiServer: { ...apiServer, port: state.apiServer.port } };
}

export async function kubernetesServes(
  state: Pick<KubernetesState, "server" | "caFile" | "token">,
): Promise<boolean> {
  const { status, body } = await kubeRequest<unknown>(
    kubeAccess(state),
    "GET",
    "/readyz",
    undefined,
    2_000,
  );
  return status === 200 && body === "ok";
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(await freePort());
    if (ports.size < count) await sleep(1);
  }
  return [...ports];
}

function sumDefined(values: readonly (number | undefined)[]): number | undefined {
  return values.some((v) => v === undefined)
    ? undefined
    : values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}
