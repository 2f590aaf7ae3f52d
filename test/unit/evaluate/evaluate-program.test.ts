import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { engineUrn, evaluateProgram } from "../../../tools/evaluate";

class TestResource extends pulumi.CustomResource {
  constructor(
    type: string,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(type, name, props, opts);
  }
}

// A deliberately tiny component: it proves the mocks harness records exact children, parents,
// options and secrets, which every component test after it relies on.
class Pair extends pulumi.ComponentResource {
  constructor(
    name: string,
    args: { secret: pulumi.Input<string> },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("stepwise:test:Pair", name, {}, opts);
    new TestResource(
      "test:index:Left",
      `${name}-left`,
      { value: 1 },
      { parent: this, protect: true },
    );
    new TestResource(
      "test:index:Right",
      `${name}-right`,
      { token: pulumi.secret(args.secret) },
      { parent: this },
    );
    this.registerOutputs({});
  }
}

describe("evaluateProgram", () => {
  it("records every child with its exact type, name, parent and options", async () => {
    const { resources } = await evaluateProgram(() => {
      new Pair("pair", { secret: "s3cret" });
    });
    expect(resources.map((r) => [r.type, r.name, r.custom])).toEqual([
      ["stepwise:test:Pair", "pair", false],
      ["test:index:Left", "pair-left", true],
      ["test:index:Right", "pair-right", true],
    ]);
    const [pair, left, right] = resources;
    expect(left.parent).toBe(pair.urn);
    expect(left.urn).toBe(
      "urn:pulumi:test::stepwise::stepwise:test:Pair$test:index:Left::pair-left",
    );
    expect(left.protect).toBe(true);
    expect(right.inputs).toEqual({ token: { secret: "s3cret" } });
  });

  it("names nested resources as the engine does: the parents' whole type chain", async () => {
    class Outer extends pulumi.ComponentResource {
      constructor(name: string) {
        super("stepwise:test:Outer", name, {}, {});
        new Pair(`${name}-pair`, { secret: "x" }, { parent: this });
        this.registerOutputs({});
      }
    }
    const { resources } = await evaluateProgram(() => new Outer("outer"), { stack: "dev" });
    // Pulumi's mock monitor would say `stepwise:test:Pair$test:index:Left`: the last parent only.
    expect(resources.map((r) => r.urn)).toEqual([
      "urn:pulumi:dev::stepwise::stepwise:test:Outer::outer",
      "urn:pulumi:dev::stepwise::stepwise:test:Outer$stepwise:test:Pair::outer-pair",
      "urn:pulumi:dev::stepwise::stepwise:test:Outer$stepwise:test:Pair$test:index:Left::outer-pair-left",
      "urn:pulumi:dev::stepwise::stepwise:test:Outer$stepwise:test:Pair$test:index:Right::outer-pair-right",
    ]);
  });

  it.each([
    ["no parent", undefined, "a:b:C"],
    ["the root stack as parent", "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "a:b:C"],
    ["a nested parent", "urn:pulumi:dev::p::x:y:Z$x:y:W::w", "x:y:Z$x:y:W$a:b:C"],
  ])("engineUrn with %s", (_case, parent, qualified) => {
    expect(engineUrn("dev", "p", parent, "a:b:C", "n")).toBe(`urn:pulumi:dev::p::${qualified}::n`);
  });

  it("gives the program the stack config it is asked to, and nothing from an earlier run", async () => {
    await evaluateProgram(() => undefined, { config: { leftover: "yes" } });
    const { result } = await evaluateProgram(
      () => {
        const config = new pulumi.Config();
        return { phase: config.require("phase"), leftover: config.get("leftover") };
      },
      { config: { phase: "parallel" }, stack: "dev" },
    );
    expect(result).toEqual({ phase: "parallel", leftover: undefined });
  });
});
