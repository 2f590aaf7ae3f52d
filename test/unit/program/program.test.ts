import { describe, expect, it } from "vitest";
import {
  PHASE_LEDGER_TYPE,
  phaseLedgerProvider,
  StackConfigError,
  type Ledger,
} from "../../../migrations";
import { isSecretValue, type RegisteredResource } from "../../../tools/evaluate";
import { countsByType, evaluateStack, inventory } from "./support";

function one(resources: RegisteredResource[], type: string, name?: string): RegisteredResource {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${type} ${name ?? ""}, found ${found.length}`);
  return found[0];
}

/** Env of a Compose container as a map; secret entries are unwrapped (they are checked elsewhere). */
function containerEnv(resource: RegisteredResource): Record<string, string> {
  const raw = resource.inputs.envs;
  const list = ((isSecretValue(raw) ? raw.secret : raw) as unknown[]).map((e) =>
    String(isSecretValue(e) ? e.secret : e),
  );
  return Object.fromEntries(
    list.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );
}

/** Everything in the inputs that is not inside a secret marker. */
function plainText(resources: RegisteredResource[]): string {
  const strip = (value: unknown): unknown => {
    if (isSecretValue(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    }
    return value;
  };
  return JSON.stringify(resources.map((r) => strip(r.inputs)));
}

describe("the program on the bundled stacks (under mocks)", () => {
  it("prod (every path at its baseline): four services, Redpanda and PostgreSQL on Compose, Prometheus, the ledger", async () => {
    const evaluation = await evaluateStack("prod");
    expect(inventory(evaluation)).toEqual([
      "docker:index/container:Container platform-compose-inventory",
      "docker:index/container:Container platform-compose-orders",
      "docker:index/container:Container platform-compose-platform-coordination",
      "docker:index/container:Container platform-compose-product-catalog",
      "docker:index/container:Container platform-prometheus",
      "docker:index/container:Container postgres",
      "docker:index/container:Container postgres-exporter",
      "docker:index/container:Container redpanda-broker-0",
      "docker:index/network:Network platform-compose-network",
      "docker:index/remoteImage:RemoteImage platform-compose-inventory-image",
      "docker:index/remoteImage:RemoteImage platform-compose-orders-image",
      "docker:index/remoteImage:RemoteImage platform-compose-platform-coordination-image",
      "docker:index/remoteImage:RemoteImage platform-compose-product-catalog-image",
      "docker:index/remoteImage:RemoteImage platform-prometheus-image",
      "docker:index/remoteImage:RemoteImage redpanda-image",
      "docker:index/volume:Volume platform-compose-platform-coordination-state",
      "docker:index/volume:Volume postgres-data",
      "docker:index/volume:Volume redpanda-broker-0-data",
      "pulumi-nodejs:dynamic/stepwise:PhaseLedger phase-ledger",
      "pulumi-nodejs:dynamic/stepwise:Topic topics-redpanda-coordination-sagas",
      "pulumi-nodejs:dynamic/stepwise:Topic topics-redpanda-inventory-events",
      "pulumi-nodejs:dynamic/stepwise:Topic topics-redpanda-order-events",
      "pulumi-nodejs:dynamic/stepwise:Topic topics-redpanda-product-events",
      "stepwise:database:PostgresServer postgres",
      "stepwise:events:RedpandaCluster redpanda",
      "stepwise:events:TopicSet topics",
      "stepwise:monitoring:Monitoring platform-prometheus",
      "stepwise:platform:ComposePlatform platform-compose",
      "stepwise:platform:PlatformServices platform",
    ]);
    expect(evaluation.result.phases).toEqual({
      events: "redpanda",
      platform: "compose",
      database: "postgres",
      api: "old",
      consolidation: "microservices",
    });
  });

  it("staging: coordination on K3s, Kafka beside Redpanda, Citus beside PostgreSQL", async () => {
    const evaluation = await evaluateStack("staging");
    expect(countsByType(evaluation)).toEqual({
      "docker:index/container:Container": 15,
      "docker:index/network:Network": 1,
      "docker:index/remoteImage:RemoteImage": 7,
      "docker:index/volume:Volume": 6,
      "kubernetes:apps/v1:Deployment": 1,
      "kubernetes:core/v1:ConfigMap": 1,
      "kubernetes:core/v1:Namespace": 1,
      "kubernetes:core/v1:PersistentVolumeClaim": 1,
      "kubernetes:core/v1:Service": 1,
      // On Citus: product-catalog's role with its two grants, the citus extension, and the
      // distribution plan's tables (data-model-reviewed is recorded).
      "postgresql:index/extension:Extension": 1,
      "postgresql:index/grant:Grant": 2,
      "postgresql:index/role:Role": 1,
      "pulumi-nodejs:dynamic/stepwise-database:CitusNodeRegistration": 2,
      "pulumi-nodejs:dynamic/stepwise-database:DistributedTable": 2,
      "pulumi-nodejs:dynamic/stepwise-database:ReferenceTable": 1,
      "pulumi-nodejs:dynamic/stepwise:PhaseLedger": 1,
      "pulumi-nodejs:dynamic/stepwise:Topic": 8,
      "pulumi:providers:kubernetes": 1,
      "pulumi:providers:postgresql": 1,
      "stepwise:database:CitusCluster": 1,
      "stepwise:database:CitusDatabase": 1,
      "stepwise:database:PostgresDatabase": 1,
      "stepwise:database:PostgresServer": 4,
      "stepwise:events:KafkaCluster": 1,
      "stepwise:events:RedpandaCluster": 1,
      "stepwise:events:TopicSet": 1,
      "stepwise:monitoring:Monitoring": 1,
      "stepwise:platform:ComposePlatform": 1,
      "stepwise:platform:K3sPlatform": 1,
      "stepwise:platform:PlatformServices": 1,
    });
    expect(evaluation.result.placement).toEqual({
      "platform-coordination": "k3s",
      "product-catalog": "compose",
      orders: "compose",
      inventory: "compose",
    });
  });

  it("dev: catalog and coordination moved to K3s, the catalog's new implementation at 25%", async () => {
    const evaluation = await evaluateStack("dev");
    const deployments = evaluation.resources
      .filter((r) => r.type === "kubernetes:apps/v1:Deployment")
      .map((r) => r.name)
      .sort();
    expect(deployments).toEqual([
      "platform-k3s-platform-coordination",
      "platform-k3s-product-catalog",
      "platform-k3s-product-catalog-next",
    ]);
    const next = one(
      evaluation.resources,
      "kubernetes:apps/v1:Deployment",
      "platform-k3s-product-catalog-next",
    );
    const template = (
      next.inputs.spec as { template: { metadata: { labels: Record<string, string> } } }
    ).template;
    const labels = template.metadata.labels;
    expect(labels["stepwise.dev/implementation"]).toBe("new");
    // The route lives where product-catalog runs: K3s's Traefik splits it 75/25.
    const route = one(
      evaluation.resources,
      "kubernetes:traefik.io/v1alpha1:TraefikService",
      "platform-router-route-product-catalog-service",
    );
    expect(route.inputs.spec).toEqual({
      weighted: {
        services: [
          { name: "product-catalog", port: 8082, weight: 75 },
          { name: "product-catalog-next", port: 18082, weight: 25 },
        ],
      },
    });
    const ingress = one(
      evaluation.resources,
      "kubernetes:traefik.io/v1alpha1:IngressRoute",
      "platform-router-route-product-catalog-route",
    );
    expect(
      (ingress.inputs.spec as { routes: { match: string }[] }).routes.map((r) => r.match),
    ).toEqual([
      "Host(`product-catalog`)",
      "Host(`product-catalog`) && (Header(`X-Stepwise-Implementation`, `old`) || HeaderRegexp(`Cookie`, `(^|;\\s*)stepwise-implementation=old(;|$)`))",
      "Host(`product-catalog`) && (Header(`X-Stepwise-Implementation`, `new`) || HeaderRegexp(`Cookie`, `(^|;\\s*)stepwise-implementation=new(;|$)`))",
    ]);
    const containers = evaluation.resources
      .filter((r) => r.type === "docker:index/container:Container")
      .map((r) => r.name)
      .sort();
    expect(containers).toEqual([
      "citus-coordinator",
      "citus-coordinator-exporter",
      "citus-worker-0",
      "citus-worker-0-exporter",
      "citus-worker-1",
      "citus-worker-1-exporter",
      "kafka-broker-0",
      "kafka-broker-0-jmx-exporter",
      "platform-compose-inventory",
      "platform-compose-orders",
      "platform-prometheus",
      "postgres",
      "postgres-exporter",
      "redpanda-broker-0",
    ]);
  });

  it("records the ledger from the stack config in the PhaseLedger's inputs", async () => {
    const evaluation = await evaluateStack("dev");
    const ledger = one(evaluation.resources, PHASE_LEDGER_TYPE, "phase-ledger");
    expect(ledger.inputs.environment).toBe("dev");
    const recorded = ledger.inputs.ledger as Ledger;
    expect(recorded.phases).toEqual({
      events: {
        phase: "consumers-on-kafka",
        enteredAt: "2026-11-23T10:00:00Z",
        previous: "dual-publish",
        minimumTime: "0",
      },
      platform: {
        phase: "services-moving",
        enteredAt: "2026-11-24T09:30:00Z",
        previous: "coordination-on-k3s",
        minimumTime: "0",
      },
      database: {
        phase: "dual-write",
        enteredAt: "2026-11-22T14:00:00Z",
        previous: "citus-provisioned",
        minimumTime: "0",
      },
      api: {
        phase: "canary",
        enteredAt: "2026-11-25T16:00:00Z",
        previous: "old",
        minimumTime: "0",
      },
      consolidation: {
        phase: "microservices",
        enteredAt: "2026-10-01T00:00:00Z",
        minimumTime: "0",
      },
    });
    expect(Object.keys(recorded.gates).sort()).toEqual([
      "compatibility-verified",
      "data-model-reviewed",
      "offsets-migrated",
    ]);
  });

  it("each events phase rewires the producers and consumers of every service", async () => {
    const at = async (phase: string) => {
      const evaluation = await evaluateStack("prod", {
        phases: {
          events: phase,
          platform: "compose",
          database: "postgres",
          api: "old",
          consolidation: "microservices",
        },
      });
      const env = containerEnv(
        one(evaluation.resources, "docker:index/container:Container", "platform-compose-orders"),
      );
      return [env.EVENTS_PUBLISH_TO, env.EVENTS_CONSUME_FROM];
    };
    expect(await at("redpanda")).toEqual(["redpanda", "redpanda"]);
    expect(await at("dual-publish")).toEqual(["redpanda,kafka", "redpanda"]);
    expect(await at("consumers-on-kafka")).toEqual(["redpanda,kafka", "kafka"]);
    expect(await at("kafka-only")).toEqual(["kafka", "kafka"]);
  });

  it("points the catalog at PostgreSQL and has Prometheus scrape it, once the server exists", async () => {
    const evaluation = await evaluateStack("prod");
    const env = containerEnv(
      one(
        evaluation.resources,
        "docker:index/container:Container",
        "platform-compose-product-catalog",
      ),
    );
    expect(env.DATABASE_URL).toMatch(
      /^postgresql:\/\/postgres:%5Bsecret%3A[0-9a-f]{12}%5D@platform-compose-postgres:5432\/catalog$/,
    );
    expect(env.DATABASE_WRITE_TO).toBe("postgres");
    expect(env.DATABASE_READ_FROM).toBe("postgres");
    expect(env.DATABASE_DUAL_WRITE_URL).toBeUndefined();
    const prometheus = one(
      evaluation.resources,
      "docker:index/container:Container",
      "platform-prometheus",
    );
    const [upload] = prometheus.inputs.uploads as { content: string }[];
    expect(upload?.content).toContain(
      "  - job_name: postgres\n    metrics_path: /metrics\n    static_configs:\n      - targets:\n          - platform-compose-postgres-exporter:9187\n        labels:\n          system: postgres\n",
    );
  });

  it("keeps the database password secret: it appears only inside secret inputs", async () => {
    for (const stack of ["dev", "staging", "prod"] as const) {
      const evaluation = await evaluateStack(stack);
      const catalog = evaluation.resources.find(
        (r) => r.name.endsWith("product-catalog") && r.custom,
      );
      expect(catalog, stack).toBeDefined();
      const text = plainText(evaluation.resources);
      expect(text, stack).not.toContain("[secret:");
      expect(text, stack).not.toContain("postgresql://");
    }
  });

  it("stops with the config error when a phase is unknown", async () => {
    const evaluation = evaluateStack("dev", {
      phases: {
        events: "kafka",
        platform: "services-moving",
        database: "dual-write",
        api: "canary",
        consolidation: "microservices",
      },
    });
    await expect(evaluation).rejects.toThrow(StackConfigError);
    await expect(evaluation).rejects.toThrow(
      'stepwise:phases.events = "kafka": must be one of redpanda, parallel, dual-publish, consumers-on-kafka, kafka-only, redpanda-retired',
    );
  });

  it("refuses a coordinationService that is not one of its services, naming them", async () => {
    await expect(
      evaluateStack("dev", {}, { coordinationService: "platform-coordinator" }),
    ).rejects.toThrow(
      'coordinationService = "platform-coordinator": not one of the program\'s services (platform-coordination, product-catalog, orders, inventory); name the service the platform path moves to K3s first, or leave it out',
    );
  });

  it("records the ledger only after everything else of the update (it depends on all of it)", async () => {
    const { resources } = await evaluateStack("dev");
    const ledger = one(resources, PHASE_LEDGER_TYPE);
    const others = resources.filter((r) => r.custom && r.type !== PHASE_LEDGER_TYPE);
    expect(others.length).toBeGreaterThan(20);
    expect(others.filter((r) => !ledger.dependencies.includes(r.urn)).map((r) => r.urn)).toEqual(
      [],
    );
  });

  it("where the engine runs, the PhaseLedger's check takes `previous` from the deployed ledger", async () => {
    const deployed: Ledger = {
      phases: {
        events: { phase: "parallel", enteredAt: "2026-11-20T00:00:00Z", previous: "redpanda" },
      },
      gates: {},
    };
    const evaluation = await evaluateStack("dev");
    // No StackReference: the program never reads its own stack.
    expect(evaluation.resources.map((r) => r.type)).not.toContain("pulumi:pulumi:StackReference");
    const inputs = one(evaluation.resources, PHASE_LEDGER_TYPE).inputs;
    // The engine calls check with the inputs last deployed (olds) and the new ones.
    const checked = await phaseLedgerProvider.check!({ ledger: deployed }, inputs);
    const recorded = (checked.inputs as { ledger: Ledger }).ledger;
    // The file says dual-publish came before; the stack says parallel is what is deployed.
    expect(recorded.phases.events).toEqual({
      phase: "consumers-on-kafka",
      enteredAt: "2026-11-23T10:00:00Z",
      previous: "parallel",
      previousEnteredAt: "2026-11-20T00:00:00Z",
      minimumTime: "0",
    });
    expect(checked.inputs).toMatchObject({ environment: "dev" });
  });
});
