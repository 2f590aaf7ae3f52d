/**
 * The K3s objects made from every imported corpus file, submitted to the real Kubernetes API
 * server with a server-side dry run (dryRun=All): the server's own validation of names, labels,
 * annotations, ports and probes, with nothing stored. The unit corpus tests check the same rules
 * as stepwise reads them; this asks Kubernetes itself.
 */
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { deploymentSpec, serviceSpec, startWaits } from "../../components/platform/k3s-workload";
import { isPinnedImage, type ServiceSpec } from "../../components/spec";
import { resolveService } from "../../components/spec/resolve";
import { kubeRequest } from "../services/kube-api";
import { kubeAccess } from "../services/kubernetes";
import { readState } from "../services/manager";
import { ROOT, corpusFiles, importFixture } from "../unit/spec/compose-corpus-support";

const NAMESPACE = "default";

const imported = corpusFiles().flatMap((file) => {
  const result = importFixture(file);
  return "services" in result ? [[relative(ROOT, file), result.services] as const] : [];
});

/** As deployed once the import's to-dos are done: images pinned; K3s refuses "completed". */
function deployable(services: readonly ServiceSpec[]): ServiceSpec[] {
  return services.map((s) => ({
    ...s,
    image: isPinnedImage(s.image) ? s.image : `registry.example.test/${s.name}:1.0.0`,
    ...(s.waitFor && {
      waitFor: Object.fromEntries(Object.entries(s.waitFor).filter(([, c]) => c !== "completed")),
    }),
  }));
}

describe("Compose corpus: the K3s objects pass the real API server's validation", () => {
  it("has files to check", () => expect(imported.length).toBeGreaterThanOrEqual(30));

  it.each(imported)("%s", async (_name, services) => {
    const access = kubeAccess(readState()!.kubernetes!);
    const resolved = deployable(services).map(resolveService);
    const waits = startWaits(resolved, []);
    const refused: string[] = [];
    const submit = async (collection: string, object: Record<string, unknown>) => {
      const { status, body } = await kubeRequest<{ message?: string }>(
        access,
        "POST",
        `${collection}?dryRun=All`,
        object,
      );
      if (status !== 201)
        refused.push(`${object["kind"] as string}: HTTP ${status}: ${body.message}`);
    };
    for (const service of resolved) {
      await submit(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: service.name },
        spec: deploymentSpec("k3s", service, {
          configDigest: "0",
          waits: waits.get(service.name),
        }),
      });
      if (service.ports.length > 0) {
        await submit(`/api/v1/namespaces/${NAMESPACE}/services`, {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: service.name },
          spec: serviceSpec("k3s", service, false),
        });
      }
    }
    expect(refused).toEqual([]);
  });
});
