import { describe, expect, it } from "vitest";
import {
  COMPOSE_PLATFORM_TYPE,
  DISTRIBUTED_TABLE_TYPE,
  K3S_PLATFORM_TYPE,
  KAFKA_CLUSTER_TYPE,
  MONITORING_TYPE,
  POSTGRES_SERVER_TYPE,
  REDPANDA_CLUSTER_TYPE,
  TOPIC_TYPE,
} from "../../../components/type-tokens";
import { PHASE_LEDGER_TYPE } from "../../../migrations/ledger";
import {
  classify,
  isMonitoringResource,
  nameFromUrn,
  serviceOfWorkload,
  stackFromUrn,
} from "../../../policies/classify";

describe("the classification table", () => {
  // The table holds literal tokens so the pack loads no component code; these keep them true.
  it.each([
    [TOPIC_TYPE, ["stateful"], undefined],
    [DISTRIBUTED_TABLE_TYPE, ["stateful"], undefined],
    [REDPANDA_CLUSTER_TYPE, ["stateful", "system"], { path: "events", name: "redpanda" }],
    [KAFKA_CLUSTER_TYPE, ["stateful", "system"], { path: "events", name: "kafka" }],
    [POSTGRES_SERVER_TYPE, ["stateful", "system"], { path: "database", name: "postgres" }],
    [COMPOSE_PLATFORM_TYPE, ["system"], { path: "platform", name: "compose" }],
    [K3S_PLATFORM_TYPE, ["system"], { path: "platform", name: "k3s" }],
    [PHASE_LEDGER_TYPE, ["ledger"], undefined],
    ["docker:index/volume:Volume", ["stateful"], undefined],
    ["kubernetes:core/v1:PersistentVolumeClaim", ["stateful"], undefined],
    ["kubernetes:apps/v1:StatefulSet", ["stateful", "workload"], undefined],
    ["docker:index/container:Container", ["workload"], undefined],
    ["kubernetes:core/v1:ConfigMap", [], undefined],
  ])("%s → %j", (type, roles, system) => {
    expect(classify({ type }).roles).toEqual(roles);
    expect(classify({ type }).system).toEqual(system);
  });
});

describe("URN and label helpers", () => {
  it("recognise Monitoring's children by the URN's type chain", () => {
    const child = `urn:pulumi:dev::stepwise::${MONITORING_TYPE}$docker:index/container:Container::platform-prometheus`;
    expect(isMonitoringResource(child)).toBe(true);
    expect(
      isMonitoringResource("urn:pulumi:dev::stepwise::docker:index/container:Container::x"),
    ).toBe(false);
  });
  const urn =
    "urn:pulumi:prod::stepwise::stepwise:events:KafkaCluster$docker:index/volume:Volume::kafka-data";
  it("read the name and the stack from a URN", () => {
    expect(nameFromUrn(urn)).toBe("kafka-data");
    expect(stackFromUrn(urn)).toBe("prod");
  });
  it("read the service of a Compose container and of a Kubernetes workload", () => {
    const base = { type: "x", urn, name: "n" };
    const labels = [{ label: "stepwise.service", value: "orders" }];
    expect(serviceOfWorkload({ ...base, props: { labels } })).toBe("orders");
    const metadata = { labels: { "app.kubernetes.io/name": "inventory" } };
    expect(serviceOfWorkload({ ...base, props: { metadata } })).toBe("inventory");
    expect(serviceOfWorkload({ ...base, props: {} })).toBeUndefined();
  });
});
