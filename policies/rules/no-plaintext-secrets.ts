/**
 * `no-plaintext-secrets`: no password, token or key in plain text. What counts as one and where
 * it is looked for is checks/secrets.ts, which the plan printers share to withhold what it finds.
 */
import { defineRule, EVERYWHERE } from "../rule-definition";
import { resourcesAfter } from "../checks/plan-view";
import { plaintextSecretFindings, stackConfigSecretFindings } from "../checks/secrets";

export const noPlaintextSecrets = defineRule({
  id: "no-plaintext-secrets",
  scope: "resource",
  title: "No secret in plain text",
  prevents:
    "Passwords, tokens and keys in plain text, by name or by value (a URL or DSN with a password, a `password=` setting, an auth header, a private key, a kubeconfig token): in container env, Kubernetes env values, ConfigMaps, any other input or unencrypted stack config.",
  satisfy:
    "Put the value in the service spec's secretEnv (Kubernetes: valueFrom.secretKeyRef) or `pulumi config set --secret`.",
  levels: EVERYWHERE,
  transition: (t) => [
    ...resourcesAfter(t.plan).flatMap((r) => plaintextSecretFindings(r, true)),
    ...stackConfigSecretFindings(t.plan.config ?? {}),
  ],
  // Docker envs are left to the plan checks: CrossGuard unwraps pulumi.secret values.
  pack: { resource: (resource) => plaintextSecretFindings(resource, false) },
});
