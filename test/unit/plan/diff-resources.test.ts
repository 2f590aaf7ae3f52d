import { describe, expect, it } from "vitest";
import type { RegisteredResource } from "../../../tools/evaluate";
import {
  changedTopLevelKeys,
  deepEqual,
  diffResources,
  maskSecrets,
  replaceReasonsFor,
} from "../../../tools/plan/diff-resources";

function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RegisteredResource> = {},
): RegisteredResource {
  return {
    urn: `urn:pulumi:dev::stepwise::${type}::${name}`,
    type,
    name,
    parent: undefined,
    custom: true,
    inputs,
    provider: undefined,
    dependencies: [],
    protect: false,
    retainOnDelete: false,
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    ignoreChanges: [],
    ...extra,
  };
}

const CONTAINER = "docker:index/container:Container";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

describe("replaceReasonsFor: the replace table and replaceOnChanges", () => {
  const cases: {
    what: string;
    type: string;
    old: Record<string, unknown>;
    next: Record<string, unknown>;
    replaceOnChanges?: string[];
    expected: string[];
  }[] = [
    {
      what: "container image (ForceNew)",
      type: CONTAINER,
      old: { image: "a:1" },
      next: { image: "a:2" },
      expected: ["image"],
    },
    {
      what: "container memory (updated in place)",
      type: CONTAINER,
      old: { memory: 1 },
      next: { memory: 2 },
      expected: [],
    },
    {
      what: "container restart policy (in place)",
      type: CONTAINER,
      old: { restart: "no" },
      next: { restart: "always" },
      expected: [],
    },
    {
      what: "Deployment template (rolling update)",
      type: DEPLOYMENT,
      old: { spec: { template: { a: 1 }, selector: { x: 1 } } },
      next: { spec: { template: { a: 2 }, selector: { x: 1 } } },
      expected: [],
    },
    {
      what: "Deployment selector (immutable)",
      type: DEPLOYMENT,
      old: { spec: { selector: { x: 1 } } },
      next: { spec: { selector: { x: 2 } } },
      expected: ["spec.selector"],
    },
    {
      what: "Deployment renamed",
      type: DEPLOYMENT,
      old: { metadata: { name: "a" } },
      next: { metadata: { name: "b" } },
      expected: ["metadata.name"],
    },
    {
      what: "PVC storage class",
      type: PVC,
      old: {
        spec: { storageClassName: "local-path", resources: { requests: { storage: "1Gi" } } },
      },
      next: { spec: { storageClassName: "fast", resources: { requests: { storage: "1Gi" } } } },
      expected: ["spec.storageClassName"],
    },
    {
      what: "PVC grown (resize in place)",
      type: PVC,
      old: { spec: { resources: { requests: { storage: "1Gi" } } } },
      next: { spec: { resources: { requests: { storage: "2Gi" } } } },
      expected: [],
    },
    {
      what: "unknown type: updatable",
      type: "x:index:Thing",
      old: { a: 1 },
      next: { a: 2 },
      expected: [],
    },
    {
      what: "replaceOnChanges path",
      type: "x:index:Thing",
      old: { a: { b: 1 }, c: 1 },
      next: { a: { b: 2 }, c: 2 },
      replaceOnChanges: ["a.b"],
      expected: ["a.b"],
    },
    {
      what: 'replaceOnChanges "*"',
      type: "x:index:Thing",
      old: { a: 1, c: 1 },
      next: { a: 2, c: 2 },
      replaceOnChanges: ["*"],
      expected: ["a", "c"],
    },
    {
      what: "secret changed underneath",
      type: DEPLOYMENT,
      old: { metadata: { secret: { name: "a" } } },
      next: { metadata: { secret: { name: "b" } } },
      expected: ["metadata.name"],
    },
  ];
  it.each(cases)("$what", ({ type, old, next, replaceOnChanges, expected }) => {
    const before = resource(type, "r", old);
    const after = resource(type, "r", next, { replaceOnChanges: replaceOnChanges ?? [] });
    expect(replaceReasonsFor(before, after, changedTopLevelKeys(old, next))).toEqual(expected);
  });
});

describe("diffResources", () => {
  it("gives every op with old and new inputs, secrets masked, deletes last in reverse order", () => {
    const before = [
      resource(CONTAINER, "keep", { image: "a:1" }),
      resource(CONTAINER, "gone-1", { image: "a:1" }),
      resource(CONTAINER, "gone-2", { image: "a:1" }),
      resource(CONTAINER, "env", { image: "a:1", envs: { secret: ["P=1"] } }),
      resource(CONTAINER, "mem", { image: "a:1", memory: 1 }),
    ];
    const after = [
      resource(CONTAINER, "new", { image: "a:1", envs: { secret: ["P=2"] } }),
      resource(CONTAINER, "keep", { image: "a:1" }),
      resource(CONTAINER, "env", { image: "a:1", envs: { secret: ["P=2"] } }),
      resource(CONTAINER, "mem", { image: "a:1", memory: 2 }),
    ];
    const plan = diffResources(before, after, { stack: "dev" });
    expect(plan.steps.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([
      ["create", "new"],
      ["same", "keep"],
      ["replace", "env"],
      ["update", "mem"],
      ["delete", "gone-2"],
      ["delete", "gone-1"],
    ]);
    expect(plan.changeSummary).toEqual({ create: 1, same: 1, replace: 1, update: 1, delete: 2 });
    const env = plan.steps[2];
    expect(env?.oldState?.inputs).toEqual({ image: "a:1", envs: "[secret]" });
    expect(env?.newState?.inputs).toEqual({ image: "a:1", envs: "[secret]" });
    expect(env?.diffReasons).toEqual(["envs"]);
    expect(env?.detailedDiff).toEqual({ envs: { kind: "update-replace", inputDiff: true } });
    expect(plan.steps[3]?.detailedDiff).toEqual({ memory: { kind: "update", inputDiff: true } });
    expect(plan.stepwise?.source).toBe("offline");
    expect(JSON.stringify(plan)).not.toContain("P=2");
  });

  it("refuses a program that registers one URN twice", () => {
    const twice = [resource(CONTAINER, "a", {}), resource(CONTAINER, "a", {})];
    expect(() => diffResources([], twice)).toThrow(/after: the program registered .*::a twice/);
  });

  it("compares secrets by value and masks them deeply", () => {
    expect(deepEqual({ secret: "x" }, "x")).toBe(true);
    expect(deepEqual({ a: [1, { secret: 2 }] }, { a: [1, 2] })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(maskSecrets({ a: [{ secret: "s" }, "p"] })).toEqual({ a: ["[secret]", "p"] });
  });
});
