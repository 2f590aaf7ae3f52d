import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResourceValidation } from "@pulumi/policy";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packPolicies } from "../../../policies/pack/pack-policies";
import { isSecretValue } from "../../../tools/evaluate";
import { planOffline } from "../../../tools/plan/offline-planner";
import { stackEvaluationConfig } from "../../../tools/plan/evaluation-config";
import { collector, NOW, resourceArgs } from "../policies/support";
import leakyProgram, { HARMLESS, LEAKS, leakyServices } from "./leaky-program";
import { cli, stackRepo } from "./stack-repo";

// Secrets by value, not only by name (issue 16, section 5): every plaintext secret is refused
// (plans: exit 1 naming no-plaintext-secrets; the Compose file and the stack file: exit 2) and
// none is ever printed, in any format.
const AT = "2026-11-26T12:00:00.000Z";
const SLOW = 120_000;
const PROGRAM = join(__dirname, "leaky-program.ts");
const repo = stackRepo();
const scratch = mkdtempSync(join(tmpdir(), "stepwise-secrets-"));
afterAll(() => {
  repo.remove();
  rmSync(scratch, { recursive: true, force: true });
});

type Run = Awaited<ReturnType<typeof cli>>;
const FORMATS = ["text", "--json", "--markdown"] as const;

async function planIn(format: (typeof FORMATS)[number], ...extra: string[]): Promise<Run> {
  const args = ["plan", "dev", "--stacks-dir", repo.stacksDir, "--at", AT, ...extra];
  return cli(...args, ...(format === "text" ? [] : [format]));
}

interface Verdicts {
  stepwise: { verdicts: { ruleId: string; level: string; passed: boolean; message: string }[] };
}

/** Rules that block a `plan --json` run, each once. */
function blockingRules(json: string): string[] {
  const { verdicts } = (JSON.parse(json) as Verdicts).stepwise;
  return [
    ...new Set(verdicts.filter((v) => !v.passed && v.level === "mandatory").map((v) => v.ruleId)),
  ];
}

function secretMessages(json: string): string[] {
  return (JSON.parse(json) as Verdicts).stepwise.verdicts
    .filter((v) => v.ruleId === "no-plaintext-secrets" && !v.passed)
    .map((v) => v.message);
}

describe("plaintext secrets in service specs: the plan refuses each, prints none", () => {
  const runs = new Map<string, Run>();
  beforeAll(async () => {
    for (const format of FORMATS) runs.set(format, await planIn(format, "--program", PROGRAM));
  }, SLOW);
  const json = () => runs.get("--json")?.out ?? "";

  it("exits 1 in every format, blocked by no-plaintext-secrets alone", () => {
    for (const format of FORMATS) expect([format, runs.get(format)?.code]).toEqual([format, 1]);
    expect(blockingRules(json())).toEqual(["no-plaintext-secrets"]);
    expect(runs.get("text")?.out).toContain("[mandatory] no-plaintext-secrets:");
    expect(runs.get("--markdown")?.out).toContain("no-plaintext-secrets");
  });

  it.each(Object.entries(LEAKS))("%s: named by the rule, its value printed nowhere", (_, leak) => {
    expect(secretMessages(json()).some((m) => m.includes(` ${leak.name} `))).toBe(true);
    for (const run of runs.values()) {
      expect(run.out + run.err).not.toContain(leak.secret);
    }
  });

  it("prints no secret env value either, and names nothing that only points at a secret", () => {
    for (const run of runs.values()) expect(run.out).not.toContain("tok-in-secret");
    const messages = secretMessages(json()).join("\n");
    for (const name of Object.keys(HARMLESS)) expect(messages).not.toContain(` ${name} `);
    expect(json()).toContain(`"PASSWORD_FILE=${HARMLESS.PASSWORD_FILE}"`);
  });

  it(
    "a saved plan --json reviewed again is still refused: what was withheld stays a finding",
    async () => {
      const saved = join(scratch, "plan.json");
      writeFileSync(saved, json());
      const review = await cli("review", saved, "--stack", "dev", "--at", AT);
      expect(review.code).toBe(1);
      expect(review.out).toContain(
        "no-plaintext-secrets: platform-compose-orders: container env DB_PASSWORD holds a plaintext secret (withheld)",
      );
    },
    SLOW,
  );
});

describe("plaintext secrets in the stack file", () => {
  const file = join(repo.stacksDir, "Pulumi.dev.yaml");
  const base = readFileSync(file, "utf8");
  const restore = () => writeFileSync(file, base);
  const TOKEN = "kube-token-leak-7401";
  const PLAIN_COPY = "pw-leak-beside-secure-7402";

  it(
    "a plain stepwise:kubeconfig with a token: exit 1 naming the rule, the token printed nowhere",
    async () => {
      const kubeconfig = `apiVersion: v1\\nkind: Config\\nusers:\\n- name: admin\\n  user:\\n    token: ${TOKEN}\\n`;
      repo.edit("dev", (text) =>
        text.replace(/( {2}stepwise:kubeconfig:)\n\s+secure: \S+/, `$1 "${kubeconfig}"`),
      );
      try {
        for (const format of FORMATS) {
          const run = await planIn(format);
          expect([format, run.code]).toEqual([format, 1]);
          expect(run.out + run.err).not.toContain(TOKEN);
          if (format === "--json") {
            expect(blockingRules(run.out)).toEqual(["no-plaintext-secrets"]);
            expect(secretMessages(run.out)).toEqual([
              expect.stringContaining(
                'stack config stepwise:kubeconfig holds a kubeconfig with credentials ("token")',
              ),
            ]);
            expect((JSON.parse(run.out) as { config: object }).config).toMatchObject({
              "stepwise:kubeconfig": "[plaintext secret withheld]",
            });
          }
        }
      } finally {
        restore();
      }
    },
    SLOW,
  );

  it(
    "{secure, value: plain} side by side: exit 2 naming the key, the plain copy printed nowhere",
    async () => {
      repo.edit("dev", (text) =>
        text.replace(
          /( {2}stepwise:databasePassword:\n\s+secure: \S+\n)/,
          `$1    value: ${PLAIN_COPY}\n`,
        ),
      );
      try {
        for (const format of FORMATS) {
          const run = await planIn(format);
          expect([format, run.code]).toEqual([format, 2]);
          expect(run.err).toContain(
            'config stepwise:databasePassword has "value" beside "secure": a secure value stands alone',
          );
          expect(run.out + run.err).not.toContain(PLAIN_COPY);
        }
      } finally {
        restore();
      }
    },
    SLOW,
  );
});

describe("errors that show a value never show a secret-shaped one", () => {
  it(
    "a stack config value: `[secret]` in place of the value",
    async () => {
      const file = join(repo.stacksDir, "Pulumi.dev.yaml");
      const base = readFileSync(file, "utf8");
      repo.edit("dev", (text) =>
        text.replace(
          /( {2}stepwise:monolithImage:) \S+/,
          "$1 postgres://monolith:leak-image-7403@db/monolith",
        ),
      );
      try {
        const run = await planIn("text");
        expect(run.code).toBe(2);
        expect(run.err).toContain("stepwise:monolithImage = [secret]: ");
        expect(run.out + run.err).not.toContain("leak-image-7403");
      } finally {
        writeFileSync(file, base);
      }
    },
    SLOW,
  );

  it("a service spec value: `[secret]` in place of the value", async () => {
    const specs = join(scratch, "bad-services.yaml");
    const spec = { name: "orders", image: "firstviscount/orders:2.0.1", ports: [{ port: 8083 }] };
    writeFileSync(
      specs,
      stringify([{ ...spec, env: { DATABASE_URL: ["postgres://o:leak-spec-7404@db/o"] } }]),
    );
    const run = await cli("platform", "compose-file", "--services", specs);
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      'service "orders": env.DATABASE_URL = [secret]: values must be strings',
    );
    expect(run.out + run.err).not.toContain("leak-spec-7404");
  });
});

describe("plaintext secrets in `platform compose-file`", () => {
  const specs = join(scratch, "services.yaml");
  const out = join(scratch, "docker-compose.yml");
  let run: Run;
  beforeAll(async () => {
    writeFileSync(specs, stringify(leakyServices("postgresql://catalog@db:5432/catalog")));
    run = await cli("platform", "compose-file", "--services", specs, "--out", out);
  });

  it("exits 2 and writes no file", () => {
    expect(run.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it.each(Object.entries(LEAKS))(
    "%s: named, with what to do; its value printed nowhere",
    (_, leak) => {
      expect(run.err).toContain(`service "${leak.service}": env.${leak.name} `);
      expect(run.err).toContain(
        `move it to secretEnv (the Compose file then reads it from ./secrets/${leak.service}.env); rule no-plaintext-secrets`,
      );
      expect(run.out + run.err).not.toContain(leak.secret);
    },
  );

  it("renders names that only point at a secret, and URLs without a password", async () => {
    const harmless = [
      {
        name: "orders",
        image: "firstviscount/orders:2.0.1",
        ports: [{ port: 8083 }],
        env: HARMLESS,
      },
    ];
    writeFileSync(specs, stringify(harmless));
    const clean = await cli("platform", "compose-file", "--services", specs, "--out", out);
    expect([clean.code, clean.err]).toEqual([0, ""]);
    const file = readFileSync(out, "utf8");
    for (const [name, value] of Object.entries(HARMLESS)) {
      expect(file).toContain(`${name}: ${value}`);
    }
  });
});

describe("plaintext secrets in the CrossGuard pack (secrets arrive unwrapped)", () => {
  it(
    "refuses the K3s side by name and shape; names no value",
    async () => {
      const text = readFileSync(join(repo.stacksDir, "Pulumi.dev.yaml"), "utf8");
      const config = stackEvaluationConfig(text, "dev");
      const { after } = await planOffline({
        program: leakyProgram,
        stack: "dev",
        before: config,
        after: config,
      });
      const policy = packPolicies(() => NOW).find((p) => p.name === "no-plaintext-secrets");
      const validate = (policy as { validateResource: ResourceValidation }).validateResource;
      const { report, violations } = collector();
      const unwrap = (value: unknown): unknown =>
        isSecretValue(value)
          ? unwrap(value.secret)
          : Array.isArray(value)
            ? value.map(unwrap)
            : typeof value === "object" && value !== null
              ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]))
              : value;
      for (const r of after.filter((x) => x.custom)) {
        void validate(
          resourceArgs(r.type, r.name, unwrap(r.inputs) as Record<string, unknown>, {}, "dev"),
          report,
        );
      }
      const messages = violations.map((v) => v.message).join("\n");
      for (const leak of Object.values(LEAKS).filter((l) => l.service === "product-catalog")) {
        expect(messages).toContain(
          `platform-k3s-product-catalog-config: ConfigMap data ${leak.name} `,
        );
      }
      for (const leak of Object.values(LEAKS)) expect(messages).not.toContain(leak.secret);
    },
    SLOW,
  );
});
