import { isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isPinnedImage } from "./pinned-image";
import { isLabelValue, isQualifiedName } from "./k8s-names";
import { START_CONDITIONS } from "./wait-for";

// Messages say what is allowed; validate.ts prefixes them with service, field and value.
const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Kubernetes' rule for env names (dots and dashes allowed, as in `discovery.type`).
const ENV_KEY = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const dnsLabel = z.string().regex(DNS_LABEL, {
  error:
    "must be a DNS label: lowercase letters, digits and '-', starting with a letter, at most 63 characters",
});
const QUALIFIED_NAME =
  "keys must be Kubernetes qualified names: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.'";
const port = z
  .number({ error: "must be a number" })
  .int({ error: "must be an integer from 1 to 65535" })
  .min(1, { error: "must be an integer from 1 to 65535" })
  .max(65535, { error: "must be an integer from 1 to 65535" });
const positive = z
  .number({ error: "must be a number" })
  .positive({ error: "must be greater than 0" });
const envMap = z.record(
  z.string().regex(ENV_KEY, {
    error: "keys must be env names: letters, digits, '_', '-' and '.', not starting with a digit",
  }),
  z.string({ error: "values must be strings" }),
);
const secretValue = z.custom<pulumi.Input<string>>(
  (v) => typeof v === "string" || pulumi.Output.isInstance(v) || v instanceof Promise,
  { error: "values must be strings or Pulumi outputs of strings (e.g. config.requireSecret)" },
);

const healthCheck = z
  .strictObject({
    command: z.array(z.string()).min(1, { error: "must name a command" }).optional(),
    http: z
      .strictObject({ path: z.string().startsWith("/", { error: "must start with '/'" }), port })
      .optional(),
    intervalSeconds: positive.optional(),
    timeoutSeconds: positive.optional(),
    retries: z
      .number()
      .int({ error: "must be a whole number of at least 1" })
      .min(1, { error: "must be a whole number of at least 1" })
      .optional(),
    startPeriodSeconds: z.number().min(0, { error: "must be 0 or more" }).optional(),
  })
  .refine((h) => (h.command === undefined) !== (h.http === undefined), {
    error: "give exactly one of `command` or `http`",
  });

export const serviceSpecSchema = z
  .strictObject({
    name: dnsLabel,
    image: z.string({ error: "must be an image reference" }).refine(isPinnedImage, {
      error:
        'must pin a tag or digest, e.g. "repo/app:1.4.2" or "repo/app@sha256:…" ("latest" is not allowed)',
    }),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    ports: z
      .array(
        z.strictObject({
          port,
          published: port.optional(),
          protocol: z.enum(["TCP", "UDP"], { error: 'must be "TCP" or "UDP"' }).optional(),
          hostIp: z
            .string({ error: "must be an IP address" })
            .refine((ip) => isIP(ip) !== 0, {
              error: 'must be an IPv4 or IPv6 address, e.g. "127.0.0.1" or "::1"',
            })
            .optional(),
          name: z
            .string()
            .regex(/^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/, {
              error:
                "must be a port name: lowercase letters, digits and '-', at most 15 characters",
            })
            .optional(),
        }),
      )
      .optional(),
    env: envMap.optional(),
    secretEnv: z
      .record(z.string().regex(ENV_KEY, { error: "keys must be variable names" }), secretValue)
      .optional(),
    envFile: z.string().optional(),
    secretEnvFile: z.string().optional(),
    healthCheck: healthCheck.optional(),
    replicas: z
      .number({ error: "must be a number" })
      .int({ error: "must be a whole number, 0 or more" })
      .min(0, { error: "must be a whole number, 0 or more" })
      .optional(),
    singleReplicaReason: z
      .string({ error: "must be text saying why the service runs as one replica" })
      .trim()
      .min(1, { error: "must say why the service runs as one replica (or leave it out)" })
      .optional(),
    resources: z
      .strictObject({
        cpu: positive.optional(),
        memoryMiB: positive.optional(),
        cpuRequest: positive.optional(),
        memoryRequestMiB: positive.optional(),
      })
      .refine((r) => !(r.cpuRequest !== undefined && r.cpu !== undefined && r.cpuRequest > r.cpu), {
        error: "cpuRequest must not exceed cpu",
      })
      .refine(
        (r) =>
          !(
            r.memoryRequestMiB !== undefined &&
            r.memoryMiB !== undefined &&
            r.memoryRequestMiB > r.memoryMiB
          ),
        { error: "memoryRequestMiB must not exceed memoryMiB" },
      )
      .optional(),
    volumes: z
      .array(
        z.strictObject({
          name: dnsLabel,
          mountPath: z.string().startsWith("/", { error: "must be an absolute path" }),
          sizeMiB: positive.optional(),
          dockerName: z
            .string()
            .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, {
              error:
                "must be a Docker volume name: letters, digits, '_', '.', '-', starting with a letter or digit",
            })
            .optional(),
        }),
      )
      .optional(),
    dependsOn: z.array(z.string()).optional(),
    waitFor: z
      .record(
        z.string(),
        z.enum(START_CONDITIONS, { error: 'must be "started", "healthy" or "completed"' }),
      )
      .optional(),
    labels: z
      .record(
        z.string().refine(isQualifiedName, { error: QUALIFIED_NAME }),
        z.string({ error: "values must be strings" }).refine(isLabelValue, {
          error:
            "values must be label values: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (put other text in annotations)",
        }),
      )
      .optional(),
    annotations: z
      .record(
        z.string().refine(isQualifiedName, { error: QUALIFIED_NAME }),
        z.string({ error: "values must be strings" }),
      )
      .optional(),
    metrics: z
      .strictObject({
        port,
        path: z.string().startsWith("/", { error: "must start with '/'" }).optional(),
      })
      .optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.singleReplicaReason !== undefined && (spec.replicas ?? 1) > 1)
      ctx.addIssue({
        code: "custom",
        path: ["replicas"],
        message: "must be 0 or 1 when singleReplicaReason is set; drop one of the two",
      });
  });
