/**
 * The test services' Kubernetes control plane on its own: a second, separate set of services
 * (its own state folder), started, checked, its API server killed and restarted, and stopped.
 * In the engine layer because it needs test/engine/build-kubernetes.sh's binaries.
 */
import { describe, expect, it } from "vitest";
import { kubeAccess, STORAGE_CLASS } from "../services/kubernetes";
import { kubeGet, kubeNames, kubeRequest } from "../services/kube-api";
import {
  healthy,
  killKubernetesApiServer,
  readState,
  restartKubernetesApiServer,
  startServices,
  stopServices,
} from "../services/manager";
import { isRunning } from "../services/processes";
import { useSeparateServices } from "../services/separate-set";

describe.sequential("the Kubernetes control plane of the test services", () => {
  useSeparateServices("stepwise-kubernetes");

  it("starts with K3s's storage class and Traefik's CRDs, which the server enforces", async () => {
    const { state } = await startServices(() => undefined, { kubernetes: true });
    expect(state.kubernetes?.version).toBe("v1.34.4");
    const access = kubeAccess(state.kubernetes!);
    expect(await kubeNames(access, "/apis/storage.k8s.io/v1/storageclasses")).toEqual([
      STORAGE_CLASS,
    ]);
    const crds = await kubeNames(access, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
    expect(crds).toEqual(
      expect.arrayContaining(["ingressroutes.traefik.io", "traefikservices.traefik.io"]),
    );
    // A TraefikService whose weighted entry lacks its name is refused by the CRD's schema.
    const refused = await kubeRequest(
      access,
      "POST",
      "/apis/traefik.io/v1alpha1/namespaces/default/traefikservices",
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "TraefikService",
        metadata: { name: "broken" },
        spec: { weighted: { services: [{ weight: 1 }] } },
      },
    );
    expect(refused.status).toBe(422);
    // The controller manager runs: the default namespace has its service account.
    expect(
      await kubeGet(access, "/api/v1/namespaces/default/serviceaccounts/default"),
    ).toBeDefined();
  });

  it("starting again reuses it; a killed API server is restarted on the same port and data", async () => {
    const first = readState()!;
    const again = await startServices(() => undefined, { kubernetes: true });
    expect(again.started).toBe(false);
    await killKubernetesApiServer();
    expect(await healthy(readState()!)).toBe(false);
    await restartKubernetesApiServer();
    const restarted = readState()!;
    expect(restarted.kubernetes?.server).toBe(first.kubernetes?.server);
    expect(await healthy(restarted)).toBe(true);
    expect(
      await kubeNames(kubeAccess(restarted.kubernetes!), "/apis/storage.k8s.io/v1/storageclasses"),
    ).toEqual([STORAGE_CLASS]);
  });

  it("stops every process of it", async () => {
    const state = readState()!;
    await stopServices();
    const kubernetes = state.kubernetes!;
    for (const process of [kubernetes.etcd, kubernetes.apiServer, kubernetes.controllerManager]) {
      expect(isRunning(process.pid, kubernetes.dir)).toBe(false);
    }
    expect(readState()).toBeUndefined();
  });
});
