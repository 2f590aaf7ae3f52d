/**
 * The test services' Kubernetes control plane on its own: a second, separate set of services
 * (its own state folder), started, checked, its API server killed and restarted, and stopped.
 * In the engine layer because it needs test/engine/build-kubernetes.sh's binaries.
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_FEATURE_FLAGS,
  routeServiceName,
  type RouteSpec,
} from "../../components/routing/route";
import { traefikObjects, TRAEFIK_API_VERSION } from "../../components/routing/traefik-crds";
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

/** Ports of the backends as a cluster's Services would serve them (any fixed numbers do). */
const PORTS: Record<string, number> = {
  "product-catalog": 8082,
  "product-catalog-next": 18082,
  orders: 8081,
  "modular-monolith": 8090,
};

/** One route of each shape the routers render: plain, sticky, mirrored, own host and path. */
const ROUTES: RouteSpec[] = [
  {
    name: "product-catalog",
    backends: [
      { implementation: "old", service: "product-catalog", weight: 75 },
      { implementation: "new", service: "product-catalog-next", weight: 25 },
    ],
  },
  {
    name: "orders",
    sticky: true,
    backends: [
      { implementation: "old", service: "orders", weight: 50 },
      { implementation: "new", service: "modular-monolith", weight: 50 },
    ],
  },
  {
    name: "catalog-shadow",
    // The mirrored implementation is at weight 0: out of the split, still mirrored and flagged.
    backends: [
      { implementation: "old", service: "product-catalog", weight: 100 },
      { implementation: "new", service: "product-catalog-next", weight: 0 },
    ],
    mirror: { implementation: "new", percent: 50 },
  },
  {
    name: "catalog-api",
    host: "catalog.shop.example",
    pathPrefix: "/api/v2",
    backends: [
      { implementation: "old", service: "product-catalog", weight: 3750 },
      { implementation: "monolith", service: "modular-monolith", weight: 2500 },
      { implementation: "new", service: "product-catalog-next", weight: 3750 },
    ],
  },
];

const PLURAL = { TraefikService: "traefikservices", IngressRoute: "ingressroutes" } as const;

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

  it("accepts the routers' TraefikServices and IngressRoutes as rendered and reads them back unchanged", async () => {
    const access = kubeAccess(readState()!.kubernetes!);
    const portOf = (service: string) => PORTS[service] ?? 0;
    const rendered = ROUTES.flatMap((route) =>
      traefikObjects(route, DEFAULT_FEATURE_FLAGS, portOf),
    );
    // Per route its weighted TraefikService, the mirroring one where it mirrors, its IngressRoute.
    expect(rendered.map((o) => o.kind)).toEqual([
      ...["TraefikService", "IngressRoute"],
      ...["TraefikService", "IngressRoute"],
      ...["TraefikService", "TraefikService", "IngressRoute"],
      ...["TraefikService", "IngressRoute"],
    ]);
    for (const object of rendered) {
      const collection = `/apis/${TRAEFIK_API_VERSION}/namespaces/default/${PLURAL[object.kind]}`;
      const created = await kubeRequest(access, "POST", collection, {
        apiVersion: TRAEFIK_API_VERSION,
        kind: object.kind,
        metadata: { name: object.name },
        spec: object.spec,
      });
      expect([object.name, created.status, created.body]).toEqual([
        object.name,
        201,
        expect.anything(),
      ]);
      // Nothing pruned, defaulted or converted: the server keeps the spec as stepwise wrote it.
      const stored = await kubeGet<{ spec: unknown }>(access, `${collection}/${object.name}`);
      expect([object.name, stored?.spec]).toEqual([object.name, object.spec]);
    }
    for (const kind of ["TraefikService", "IngressRoute"] as const) {
      expect(
        await kubeNames(access, `/apis/${TRAEFIK_API_VERSION}/namespaces/default/${PLURAL[kind]}`),
      ).toEqual(
        rendered
          .filter((o) => o.kind === kind)
          .map((o) => o.name)
          .sort(),
      );
    }
    // A weight change is an update of the object in place, as the kubernetes provider makes it.
    const path = `/apis/${TRAEFIK_API_VERSION}/namespaces/default/traefikservices/${routeServiceName("product-catalog")}`;
    const patched = await kubeRequest(access, "PATCH", path, {
      spec: {
        weighted: {
          services: [
            { name: "product-catalog", port: 8082, weight: 50 },
            { name: "product-catalog-next", port: 18082, weight: 50 },
          ],
        },
      },
    });
    expect(patched.status).toBe(200);
    expect((await kubeGet<{ spec: unknown }>(access, path))?.spec).toEqual({
      weighted: {
        services: [
          { name: "product-catalog", port: 8082, weight: 50 },
          { name: "product-catalog-next", port: 18082, weight: 50 },
        ],
      },
    });
    // What the schema refuses stays refused: a flag rule without its match.
    const ingress = rendered.find((o) => o.kind === "IngressRoute")!;
    const routes = (ingress.spec.routes as Record<string, unknown>[]).map((r, i) =>
      i === 1 ? { ...r, match: undefined } : r,
    );
    const noMatch = await kubeRequest(
      access,
      "POST",
      `/apis/${TRAEFIK_API_VERSION}/namespaces/default/ingressroutes`,
      {
        apiVersion: TRAEFIK_API_VERSION,
        kind: "IngressRoute",
        metadata: { name: "no-match" },
        spec: { ...ingress.spec, routes },
      },
    );
    expect([noMatch.status, JSON.stringify(noMatch.body)]).toEqual([
      422,
      expect.stringContaining("spec.routes[1].match: Required value"),
    ]);
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
