import { describe, expect, it } from "vitest";
import { classify } from "../../../policies/classify";
import { resolvePolicySettings } from "../../../policies/config";
import { replacedStatefulFindings } from "../../../policies/rules/stateful-never-replaced";
import {
  PROVIDER_STATEFUL_TYPES,
  providerStatefulSource,
  statefulByName,
} from "../../../policies/stateful-types";
import type { Plan } from "../../../migrations/plan-model";

describe("stateful resources of any provider", () => {
  it.each([
    ["aws:rds/instance:Instance", "table"],
    ["aws:rds/cluster:Cluster", "pattern"],
    ["aws:ebs/volume:Volume", "pattern"],
    ["aws:s3/bucketV2:BucketV2", "pattern"],
    ["aws:s3/bucket:Bucket", "pattern"],
    ["aws:dynamodb/table:Table", "pattern"],
    ["aws:eks/cluster:Cluster", "pattern"],
    ["aws:kinesis/stream:Stream", "pattern"],
    ["aws:sqs/queue:Queue", "pattern"],
    ["aws:efs/fileSystem:FileSystem", "table"],
    ["gcp:sql/databaseInstance:DatabaseInstance", "table"],
    ["gcp:storage/bucket:Bucket", "pattern"],
    ["gcp:compute/disk:Disk", "pattern"],
    ["gcp:compute/snapshot:Snapshot", "pattern"],
    ["gcp:pubsub/topic:Topic", "pattern"],
    ["gcp:container/cluster:Cluster", "pattern"],
    ["azure-native:storage:StorageAccount", "table"],
    ["azure-native:sql:Database", "pattern"],
    ["azure-native:containerservice:ManagedCluster", "pattern"],
    ["kubernetes:core/v1:PersistentVolume", "table"],
  ])("%s is a data holder (%s)", (type, source) => {
    expect(providerStatefulSource(type)).toBe(source);
    expect(classify({ type }).roles).toEqual(["stateful"]);
  });

  it.each([
    "aws:ec2/routeTable:RouteTable",
    "aws:ecs/cluster:Cluster",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:ec2/volumeAttachment:VolumeAttachment",
    "aws:lambda/function:Function",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:iam/role:Role",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "azure-native:network:RouteTable",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:core/v1:ConfigMap",
    // stepwise's own components are in classify.ts's table: a CitusDatabase is a component.
    "stepwise:database:CitusDatabase",
  ])("%s is not", (type) => {
    expect(classify({ type }).roles).not.toContain("stateful");
  });

  it("reads the pattern from the type's own last word, version suffixes dropped", () => {
    expect(statefulByName("aws:s3/bucketV2:BucketV2")).toBe(true);
    expect(statefulByName("myco:index:AuditTables")).toBe(true);
    expect(statefulByName("myco:index:TableReplicaSettings")).toBe(false);
  });

  it("lists every table entry once", () => {
    expect(new Set(PROVIDER_STATEFUL_TYPES).size).toBe(PROVIDER_STATEFUL_TYPES.length);
  });

  it("takes the stack's own additions, and its stateless list silences only the pattern", () => {
    const settings = resolvePolicySettings(
      {
        statefulTypes: ["myco:index:Ledger"],
        statelessTypes: ["aws:sqs/queue:Queue", "aws:rds/instance:Instance"],
      },
      { stack: "dev" },
    );
    expect(classify({ type: "myco:index:Ledger" }, settings).roles).toEqual(["stateful"]);
    expect(classify({ type: "myco:index:Ledger" }).roles).toEqual([]);
    expect(classify({ type: "aws:sqs/queue:Queue" }, settings).roles).toEqual([]);
    // The table's own entries stay stateful whatever the stack says.
    expect(classify({ type: "aws:rds/instance:Instance" }, settings).roles).toEqual(["stateful"]);
  });

  it("makes stateful-never-replaced judge a stack's own data holder", () => {
    const urn = "urn:pulumi:dev::p::myco:index:Ledger::books";
    const state = { type: "myco:index:Ledger", urn, inputs: {} };
    const plan: Plan = {
      steps: [{ op: "replace", urn, oldState: state, newState: state, replaceReasons: ["region"] }],
      changeSummary: { replace: 1 },
    };
    expect(replacedStatefulFindings(plan)).toEqual([]);
    expect(replacedStatefulFindings(plan, { statefulTypes: ["myco:index:Ledger"] })).toEqual([
      {
        message: "books (myco:index:Ledger) would be replaced (changed: region), losing its data",
        urn,
      },
    ]);
  });
});
