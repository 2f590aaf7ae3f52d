import { request } from "node:https";

/** How to reach a Kubernetes API server: its URL, the CA that signed its certificate, a token. */
export interface KubeAccess {
  readonly server: string;
  /** PEM of the CA (or self-signed certificate) the server presents. */
  readonly ca: string;
  readonly token: string;
}

export interface KubeResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** One REST call to the API server; JSON in, JSON (or text) out. Never throws on a status. */
export function kubeRequest<T = Record<string, unknown>>(
  access: KubeAccess,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<KubeResponse<T>> {
  const url = new URL(path, access.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: access.ca,
        timeout: timeoutMs,
        headers: {
          authorization: `Bearer ${access.token}`,
          accept: "application/json",
          ...(payload === undefined
            ? {}
            : {
                "content-type":
                  method === "PATCH" ? "application/merge-patch+json" : "application/json",
                "content-length": Buffer.byteLength(payload),
              }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // plain text (e.g. /readyz answers "ok")
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.href} timed out`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** How long a GET waits out the server's 429s ("storage is (re)initializing", Retry-After). */
const BUSY_WAIT_MS = 30_000;

/**
 * GET that must succeed; 404 gives undefined, any other failure throws with the server's words.
 * A 429 is the server asking to come back (a resource's storage still being set up, e.g. a CRD's
 * right after the API server started): it is retried after the delay the server gives.
 */
export async function kubeGet<T = Record<string, unknown>>(
  access: KubeAccess,
  path: string,
): Promise<T | undefined> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  let { status, body } = await kubeRequest<T>(access, "GET", path);
  while (status === 429 && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, retryAfterMs(body)));
    ({ status, body } = await kubeRequest<T>(access, "GET", path));
  }
  if (status === 404) return undefined;
  if (status !== 200) throw new Error(`GET ${path}: HTTP ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** The delay a 429's Status asks for (details.retryAfterSeconds), else one second. */
function retryAfterMs(body: unknown): number {
  const seconds = (body as { details?: { retryAfterSeconds?: unknown } } | undefined)?.details
    ?.retryAfterSeconds;
  return typeof seconds === "number" && seconds > 0 ? seconds * 1000 : 1000;
}

/** Names of the objects a list path holds, e.g. `/api/v1/namespaces/x/configmaps`. */
export async function kubeNames(access: KubeAccess, listPath: string): Promise<string[]> {
  const list = await kubeGet<{ items?: { metadata: { name: string } }[] }>(access, listPath);
  return (list?.items ?? []).map((item) => item.metadata.name).sort();
}

/** Creates an object, or leaves it as it is when it exists already (HTTP 409). */
export async function kubeCreate(
  access: KubeAccess,
  collectionPath: string,
  object: Record<string, unknown>,
): Promise<void> {
  const { status, body } = await kubeRequest(access, "POST", collectionPath, object);
  if (status === 201 || status === 200 || status === 409) return;
  throw new Error(`POST ${collectionPath}: HTTP ${status}: ${JSON.stringify(body)}`);
}
