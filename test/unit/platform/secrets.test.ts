import { describe, expect, it } from "vitest";
import { PlatformServices } from "../../../components/platform";
import { renderComposeFile } from "../../../components/platform/compose-file";
import type { ServiceSpec } from "../../../components/spec";
import { evaluateProgram, isSecretValue, type RegisteredResource } from "../../../tools/evaluate";
import { byName, platformOutputs } from "./support";

const SECRET_TEXT = "s3cr3t-from-env-file";
const services: ServiceSpec[] = [
  {
    name: "billing",
    image: "repo/billing:1.0.0",
    ports: [{ port: 8090 }],
    envFile: "CURRENCY=EUR\n",
    secretEnvFile: `API_KEY=${SECRET_TEXT}\n# rotated monthly\nWEBHOOK_TOKEN="tok-${SECRET_TEXT}"\n`,
  },
  {
    name: "ledger",
    image: "repo/ledger:1.0.0",
    ports: [{ port: 8091 }],
    secretEnv: { DATABASE_URL: `postgresql://ledger:${SECRET_TEXT}@db/ledger` },
    dependsOn: ["billing"],
  },
];

/** Every place a plain (non-secret) input holds the secret text. */
function plainLeaks(resources: readonly RegisteredResource[]): string[] {
  const leaks: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (isSecretValue(value)) return;
    if (typeof value === "string" && value.includes(SECRET_TEXT)) leaks.push(path);
    if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(v, `${path}.${k}`);
    }
  };
  for (const r of resources) visit(r.inputs, r.name);
  return leaks;
}

describe("secret env (secretEnv and .env.secret) on both platforms", () => {
  it.each([
    ["both on Compose", {}],
    ["both on K3s", { billing: "k3s", ledger: "k3s" } as const],
    ["split across platforms", { billing: "k3s" } as const],
  ])("%s: secret text appears only inside secret inputs", async (_case, placement) => {
    const { resources } = await evaluateProgram(
      () => {
        new PlatformServices("shop", { services, placement, monitoringOn: "compose" });
      },
      { outputsFor: platformOutputs },
    );
    expect(plainLeaks(resources)).toEqual([]);
    expect(JSON.stringify(resources)).toContain(SECRET_TEXT); // it is there, but only as secret
  });

  it("K3s reads .env.secret values through secretKeyRef, with .env values in the ConfigMap", async () => {
    const { resources } = await evaluateProgram(() => {
      new PlatformServices("shop", { services, placement: { billing: "k3s", ledger: "k3s" } });
    });
    expect(byName(resources, "shop-k3s-billing-secret").inputs.stringData).toEqual({
      secret: { "api-key": SECRET_TEXT, "webhook-token": `tok-${SECRET_TEXT}` },
    });
    expect(byName(resources, "shop-k3s-billing-config").inputs.data).toEqual({ CURRENCY: "EUR" });
    const deployment = byName(resources, "shop-k3s-billing").inputs as {
      spec: { template: { spec: { containers: { env: unknown }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]?.env).toEqual([
      { name: "API_KEY", valueFrom: { secretKeyRef: { name: "billing-secret", key: "api-key" } } },
      {
        name: "WEBHOOK_TOKEN",
        valueFrom: { secretKeyRef: { name: "billing-secret", key: "webhook-token" } },
      },
    ]);
  });

  it("the rendered Compose file names the secret keys but holds no secret value", () => {
    const text = renderComposeFile({ project: "shop", services });
    expect(text).not.toContain(SECRET_TEXT);
    expect(text).toContain("# ./secrets/billing.env must define: API_KEY, WEBHOOK_TOKEN\n");
    expect(text).toContain("# ./secrets/ledger.env must define: DATABASE_URL\n");
  });
});
