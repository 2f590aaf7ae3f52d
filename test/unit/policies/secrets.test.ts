import { describe, expect, it } from "vitest";
import { WITHHELD_SECRET } from "../../../components/spec/plaintext-secret";
import {
  plaintextSecretFindings,
  stackConfigSecretFindings,
  withholdPlaintextSecrets,
} from "../../../policies/checks/secrets";
import type { Plan } from "../../../migrations/plan-model";
import { CONTAINER, container, DEPLOYMENT, deployment } from "./fixtures";

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const K8S_SECRET = "kubernetes:core/v1:Secret";
const PLAIN = "pl41n-t3xt-value";

function view(type: string, name: string, props: Record<string, unknown>) {
  return { type, name, urn: `urn:pulumi:dev::stepwise::${type}::${name}`, props };
}

describe("stackConfigSecretFindings", () => {
  it("accepts secure values and flags plain credential-like ones, nested too", () => {
    const config = {
      "stepwise:databasePassword": { secure: "v1:abc" },
      "stepwise:environment": "prod",
      "stepwise:apiImages": { orders: "orders:2.0.0" },
      "stepwise:registry": { token: "ghp_plain" },
      "stepwise:mirror": JSON.stringify({ url: "https://user:pw@mirror.example" }),
      "stepwise:mirrors": JSON.stringify({ list: ["https://user:pw@mirror.example"] }),
    };
    expect(stackConfigSecretFindings(config)).toEqual([
      {
        message: "stack config stepwise:registry.token is credential-like and has a plain value",
      },
      { message: "stack config stepwise:mirror.url holds a URL with a password" },
      { message: "stack config stepwise:mirrors.list[0] holds a URL with a password" },
    ]);
  });

  it("flags a plain value beside `secure` and a kubeconfig with a token, by shape", () => {
    const kubeconfig = `apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: ${PLAIN}\n`;
    const findings = stackConfigSecretFindings({
      "stepwise:databasePassword": JSON.stringify({ secure: "v1:abc", value: PLAIN }),
      "stepwise:kubeconfig": kubeconfig,
    });
    expect(findings).toEqual([
      {
        message: 'stack config stepwise:databasePassword has "secure" beside plain keys (value)',
      },
      {
        message: 'stack config stepwise:kubeconfig holds a kubeconfig with credentials ("token")',
      },
    ]);
    expect(JSON.stringify(findings)).not.toContain(PLAIN);
  });

  it("leaves alone names that point at a secret and URLs without a password", () => {
    expect(
      stackConfigSecretFindings({
        "stepwise:settings": {
          PASSWORD_FILE: "/run/secrets/x",
          SECRET_NAME: "foo",
          url: "postgres://user@host/db",
        },
      }),
    ).toEqual([]);
  });
});

describe("plaintextSecretFindings", () => {
  it("judges each Docker env entry, and by shape the rest of the inputs", () => {
    const props = {
      ...container("orders", [
        `DB_PASSWORD=${PLAIN}`,
        "[secret]",
        "PASSWORD_FILE=/run/secrets/db",
        `DSN=host=db password=${PLAIN}`,
      ]),
      command: ["serve", `--upstream-auth=Basic ${Buffer.from(`u:${PLAIN}`).toString("base64")}`],
    };
    const findings = plaintextSecretFindings(view(CONTAINER, "compose-orders", props), true);
    expect(findings.map((f) => f.message)).toEqual([
      "compose-orders: container env DB_PASSWORD is credential-like and has a plain value",
      'compose-orders: container env DSN holds a "password" setting',
      "compose-orders: input command[1] holds Basic credentials",
    ]);
    expect(JSON.stringify(findings)).not.toContain(PLAIN);
  });

  it("in the pack (secrets unwrapped) skips Docker env and Kubernetes Secrets, not the rest", () => {
    const docker = view(CONTAINER, "compose-orders", {
      ...container("orders", [`DB_PASSWORD=${PLAIN}`]),
      command: [`--db=postgres://app:${PLAIN}@db/shop`],
    });
    expect(plaintextSecretFindings(docker, false).map((f) => f.message)).toEqual([
      "compose-orders: input command[0] holds a URL with a password",
    ]);
    const secret = view(K8S_SECRET, "orders-secret", { stringData: { "db-password": PLAIN } });
    expect(plaintextSecretFindings(secret, false)).toEqual([]);
    const configMap = view(CONFIG_MAP, "orders-config", { data: { PGPASS: PLAIN } });
    expect(plaintextSecretFindings(configMap, false).map((f) => f.message)).toEqual([
      "orders-config: ConfigMap data PGPASS is credential-like and has a plain value (ConfigMaps are not secret)",
    ]);
  });

  it("judges Kubernetes env by name and shape, annotations and args by shape", () => {
    const props = deployment("orders", {
      env: [
        { name: "ACCESSKEY", value: PLAIN },
        { name: "JDBC_URL", value: `jdbc:postgresql://db/shop?user=app&password=${PLAIN}` },
        { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "s", key: "db" } } },
      ],
      annotations: { "example.com/auth": `Bearer ${PLAIN}.9` },
    });
    expect(
      plaintextSecretFindings(view(DEPLOYMENT, "k3s-orders", props), false).map((f) => f.message),
    ).toEqual([
      'k3s-orders: container "orders" env ACCESSKEY is credential-like and has a plain value instead of valueFrom.secretKeyRef',
      'k3s-orders: container "orders" env JDBC_URL holds a "password" setting instead of valueFrom.secretKeyRef',
      "k3s-orders: input spec.template.metadata.annotations.example.com/auth holds a bearer token",
    ]);
  });
});

describe("withholdPlaintextSecrets", () => {
  const kubeconfig = `apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: ${PLAIN}\n`;
  const plan: Plan = {
    config: { "stepwise:kubeconfig": kubeconfig, "stepwise:environment": "dev" },
    steps: [
      {
        op: "create",
        urn: "urn:pulumi:dev::stepwise::docker:index/container:Container::compose-orders",
        newState: {
          type: CONTAINER,
          urn: "urn:pulumi:dev::stepwise::docker:index/container:Container::compose-orders",
          inputs: container("orders", [`DB_PASSWORD=${PLAIN}`, "LOG_LEVEL=info", "[secret]"]),
        },
      },
    ],
    diagnostics: [{ severity: "error", message: `connect: postgres://app:${PLAIN}@db failed` }],
    changeSummary: { create: 1 },
  };

  it("prints nothing of a plaintext secret, and what it prints is still refused", () => {
    const shown = withholdPlaintextSecrets(plan);
    expect(JSON.stringify(shown)).not.toContain(PLAIN);
    expect(shown.config).toEqual({
      "stepwise:kubeconfig": WITHHELD_SECRET,
      "stepwise:environment": "dev",
    });
    expect(shown.steps[0]?.newState?.inputs?.envs).toEqual([
      `DB_PASSWORD=${WITHHELD_SECRET}`,
      "LOG_LEVEL=info",
      "[secret]",
    ]);
    expect(shown.diagnostics?.[0]?.message).toBe(
      "[diagnostic withheld: it holds a URL with a password]",
    );
    expect(stackConfigSecretFindings(shown.config ?? {})).toEqual([
      { message: "stack config stepwise:kubeconfig holds a plaintext secret (withheld)" },
    ]);
    const state = shown.steps[0]?.newState;
    expect(
      plaintextSecretFindings(view(CONTAINER, "compose-orders", state?.inputs ?? {}), true).map(
        (f) => f.message,
      ),
    ).toEqual(["compose-orders: container env DB_PASSWORD holds a plaintext secret (withheld)"]);
  });

  it("leaves a plan without plaintext secrets as it is", () => {
    const clean: Plan = {
      ...plan,
      config: { "stepwise:environment": "dev" },
      steps: plan.steps.map((step) => ({
        ...step,
        newState: { type: CONTAINER, urn: step.urn, inputs: container("orders", ["A=1"]) },
      })),
      diagnostics: [],
    };
    expect(withholdPlaintextSecrets(clean)).toEqual(clean);
  });
});
