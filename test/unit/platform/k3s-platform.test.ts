import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { K3sPlatform, type K3sPlatformArgs } from "../../../components/platform";
import { evaluateProgram } from "../../../tools/evaluate";
import { byName, collectKeys, countByType, parentName, typesAndNames } from "./support";
import { SEED_SERVICES } from "../../support/seed-platform";

async function evaluateK3s(args: Partial<K3sPlatformArgs> = {}) {
  return evaluateProgram(() => {
    const platform = new K3sPlatform("k3s", { services: SEED_SERVICES, ...args });
    return { ref: platform.ref, addresses: platform.addresses };
  });
}

const labels = (service: string) => ({
  "app.kubernetes.io/name": service,
  "app.kubernetes.io/instance": `k3s-${service}`,
  "app.kubernetes.io/part-of": "k3s",
  "app.kubernetes.io/managed-by": "stepwise",
});

describe("K3sPlatform with the four services of the seed platform", () => {
  it("registers a namespace and exactly the per-service objects", async () => {
    const { resources } = await evaluateK3s();
    expect(typesAndNames(resources).sort()).toEqual(
      [
        ["stepwise:platform:K3sPlatform", "k3s"],
        ["pulumi:providers:kubernetes", "k3s-provider"],
        ["kubernetes:core/v1:Namespace", "k3s-namespace"],
        ...["platform-coordination", "product-catalog", "orders", "inventory"].flatMap((s) => [
          ["kubernetes:apps/v1:Deployment", `k3s-${s}`],
          ["kubernetes:core/v1:Service", `k3s-${s}-service`],
          ["kubernetes:core/v1:ConfigMap", `k3s-${s}-config`],
        ]),
        ["kubernetes:core/v1:Secret", "k3s-product-catalog-secret"],
        ["kubernetes:core/v1:PersistentVolumeClaim", "k3s-platform-coordination-state"],
      ].sort(),
    );
    expect(countByType(resources)).toEqual({
      "stepwise:platform:K3sPlatform": 1,
      "kubernetes:core/v1:Namespace": 1,
      "kubernetes:apps/v1:Deployment": 4,
      "kubernetes:core/v1:Service": 4,
      "kubernetes:core/v1:ConfigMap": 4,
      "kubernetes:core/v1:Secret": 1,
      "kubernetes:core/v1:PersistentVolumeClaim": 1,
      "pulumi:providers:kubernetes": 1,
    });
    for (const r of resources.slice(1)) expect(parentName(r)).toBe("k3s");
    expect(byName(resources, "k3s-namespace").inputs.metadata).toEqual({
      name: "k3s",
      labels: { "app.kubernetes.io/part-of": "k3s" },
    });
  });

  it("renders product-catalog as in the seed platform: 2 replicas, port 8082, probes, resources", async () => {
    const { resources } = await evaluateK3s();
    const deployment = byName(resources, "k3s-product-catalog").inputs as {
      metadata: unknown;
      spec: {
        replicas: number;
        selector: unknown;
        template: { metadata: { labels: unknown }; spec: { containers: unknown[] } };
      };
    };
    expect(deployment.metadata).toEqual({
      name: "product-catalog",
      namespace: "k3s",
      labels: labels("product-catalog"),
    });
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector).toEqual({
      matchLabels: {
        "app.kubernetes.io/name": "product-catalog",
        "app.kubernetes.io/instance": "k3s-product-catalog",
      },
    });
    expect(deployment.spec.template.metadata.labels).toEqual(labels("product-catalog"));
    const probe = {
      httpGet: { path: "/health", port: 8082 },
      initialDelaySeconds: 15,
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    };
    expect(deployment.spec.template.spec.containers).toEqual([
      {
        name: "product-catalog",
        image: "firstviscount/product-catalog:1.4.2",
        ports: [{ name: "http", containerPort: 8082, protocol: "TCP" }],
        envFrom: [{ configMapRef: { name: "product-catalog-config" } }],
        env: [
          {
            name: "DATABASE_URL",
            valueFrom: { secretKeyRef: { name: "product-catalog-secret", key: "database-url" } },
          },
        ],
        readinessProbe: probe,
        livenessProbe: probe,
        resources: {
          requests: { cpu: "500m", memory: "512Mi" },
          limits: { cpu: "500m", memory: "512Mi" },
        },
        volumeMounts: [],
      },
    ]);
  });

  it("gives the stateful coordination service one replica and a local-path PVC", async () => {
    const { resources } = await evaluateK3s();
    const coordination = byName(resources, "k3s-platform-coordination").inputs as {
      spec: { replicas: number; template: { spec: { volumes: unknown } } };
    };
    expect(coordination.spec.replicas).toBe(1);
    expect(coordination.spec.template.spec.volumes).toEqual([
      { name: "state", persistentVolumeClaim: { claimName: "platform-coordination-state" } },
    ]);
    expect(resources.filter((r) => r.retainOnDelete).map((r) => r.name)).toEqual([
      "k3s-platform-coordination-state",
    ]);
    expect(byName(resources, "k3s-platform-coordination-state").inputs.spec).toEqual({
      storageClassName: "local-path",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1024Mi" } },
    });
  });

  it("puts env and dependency addresses in the ConfigMap and Services on the published port", async () => {
    const { resources } = await evaluateK3s();
    expect(byName(resources, "k3s-orders-config").inputs.data).toEqual({
      LOG_LEVEL: "info",
      INVENTORY_ADDRESS: "inventory:8084",
      PLATFORM_COORDINATION_ADDRESS: "platform-coordination:8080",
      PRODUCT_CATALOG_ADDRESS: "product-catalog:8082",
    });
    expect(byName(resources, "k3s-product-catalog-service").inputs.spec).toEqual({
      type: "ClusterIP",
      selector: {
        "app.kubernetes.io/name": "product-catalog",
        "app.kubernetes.io/instance": "k3s-product-catalog",
      },
      ports: [{ name: "http", port: 8082, targetPort: 8082, protocol: "TCP" }],
    });
  });

  it("keeps secret env secret in the Secret and never as a plain env value", async () => {
    const { resources } = await evaluateK3s();
    expect(byName(resources, "k3s-product-catalog-secret").inputs).toMatchObject({
      type: "Opaque",
      // The SDK marks the whole map secret once one value is.
      stringData: { secret: { "database-url": "postgresql://catalog@postgres:5432/catalog" } },
    });
    for (const r of resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment")) {
      for (const { value } of collectKeys(r.inputs, "env")) {
        for (const variable of value as { value?: unknown; valueFrom?: unknown }[]) {
          expect(variable.value).toBeUndefined();
          expect(variable.valueFrom).toHaveProperty("secretKeyRef");
        }
      }
      expect(JSON.stringify(r.inputs)).not.toContain("postgresql://");
    }
    for (const r of resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap")) {
      expect(r.inputs.data).not.toHaveProperty("DATABASE_URL");
    }
  });

  it("adds a Traefik IngressRoute on traefik.io/v1alpha1, or the API group asked for", async () => {
    const ingress = [{ service: "product-catalog", host: "catalog.example.test" }];
    const { resources } = await evaluateK3s({ ingress });
    expect(byName(resources, "k3s-product-catalog-route")).toMatchObject({
      type: "kubernetes:traefik.io/v1alpha1:IngressRoute",
      inputs: {
        apiVersion: "traefik.io/v1alpha1",
        kind: "IngressRoute",
        metadata: { name: "product-catalog", namespace: "k3s" },
        spec: {
          entryPoints: ["web"],
          routes: [
            {
              kind: "Rule",
              match: "Host(`catalog.example.test`) && PathPrefix(`/`)",
              services: [{ name: "product-catalog", port: 8082 }],
            },
          ],
        },
      },
    });
    const old = await evaluateK3s({ ingress, traefikApiVersion: "traefik.containo.us/v1alpha1" });
    expect(byName(old.resources, "k3s-product-catalog-route").type).toBe(
      "kubernetes:traefik.containo.us/v1alpha1:IngressRoute",
    );
  });

  it("honours the Kubernetes provider passed in the options on every child, and in ref", async () => {
    const { resources, result } = await evaluateProgram(() => {
      const provider = new k8s.Provider("prod-k3s", { kubeconfig: "apiVersion: v1" });
      const platform = new K3sPlatform(
        "k3s",
        { services: SEED_SERVICES, ingress: [{ service: "orders", host: "shop.test" }] },
        { providers: [provider] },
      );
      return { refProvider: platform.ref.resourceOptions.provider === provider };
    });
    expect(result.refProvider).toBe(true);
    const children = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers"));
    expect(children).toHaveLength(16);
    for (const r of children) expect(r.provider).toMatch(/::prod-k3s::prod-k3s-id$/);
  });

  it("makes its own provider when none is passed: ConfigMaps and Secrets change in place", async () => {
    const { resources } = await evaluateK3s({ kubeconfig: "apiVersion: v1\nkind: Config" });
    expect(byName(resources, "k3s-provider").type).toBe("pulumi:providers:kubernetes");
    // Provider settings travel as strings.
    expect(byName(resources, "k3s-provider").inputs).toEqual({
      kubeconfig: "apiVersion: v1\nkind: Config",
      enableConfigMapMutable: "true",
      enableSecretMutable: "true",
    });
    const ambient = await evaluateK3s();
    expect(byName(ambient.resources, "k3s-provider").inputs).toEqual({
      enableConfigMapMutable: "true",
      enableSecretMutable: "true",
    });
    const children = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers"));
    for (const r of children) expect(r.provider).toMatch(/::k3s-provider::k3s-provider-id$/);
  });

  it("exposes ref and addresses for engines that run on it", async () => {
    const { result } = await evaluateK3s({ namespace: "shop", externalAddress: "10.0.0.20" });
    expect(result.ref).toMatchObject({ kind: "k3s", name: "k3s", externalAddress: "10.0.0.20" });
    expect(result.addresses["product-catalog"]).toBe("product-catalog:8082");
  });

  it("rejects a route or exposure for a service it does not run", async () => {
    await expect(
      evaluateK3s({ ingress: [{ service: "billing", host: "b.test" }] }),
    ).rejects.toThrow('ingress service = "billing": no such service here');
    await expect(evaluateK3s({ exposedServices: ["billing"] })).rejects.toThrow(
      'exposedServices: "billing" is not a service here',
    );
  });

  it("refuses a dependency without a port up front instead of wiring an empty address", async () => {
    await expect(
      evaluateK3s({
        services: [
          { name: "worker", image: "w:1" },
          { name: "api", image: "a:1", ports: [{ port: 80 }], dependsOn: ["worker"] },
        ],
      }),
    ).rejects.toThrow(
      'service "api": dependsOn[0] = "worker": "worker" has no ports, so there is no address to give; add a port to it or drop the dependency',
    );
  });
});
