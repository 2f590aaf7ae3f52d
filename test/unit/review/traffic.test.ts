import { describe, expect, it } from "vitest";
import type { Plan, PlanStep } from "../../../migrations/plan-model";
import { buildReview, renderMarkdown, renderText } from "../../../tools/review";
import { composeRoutes, container, routeService, TRAEFIK_SERVICE } from "../policies/fixtures";

const CONTAINER = "docker:index/container:Container";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const urn = (type: string, name: string) => `urn:pulumi:dev::stepwise::${type}::${name}`;

function step(
  op: string,
  type: string,
  name: string,
  inputs: { before?: Record<string, unknown>; after?: Record<string, unknown> },
): PlanStep {
  return {
    op,
    urn: urn(type, name),
    ...(inputs.before ? { oldState: { type, urn: urn(type, name), inputs: inputs.before } } : {}),
    ...(inputs.after ? { newState: { type, urn: urn(type, name), inputs: inputs.after } } : {}),
  } as PlanStep;
}

const catalogWorkloads = [
  step("same", CONTAINER, "compose-product-catalog", { after: container("product-catalog") }),
  step("same", CONTAINER, "compose-product-catalog-next", {
    after: container("product-catalog-next"),
  }),
];

describe("the review's traffic section", () => {
  it("shows each route's shares before → after by implementation, from the Compose router", () => {
    const plan: Plan = {
      changeSummary: {},
      steps: [
        ...catalogWorkloads,
        step("same", CONTAINER, "compose-orders", { after: container("orders") }),
        step("same", CONTAINER, "compose-modular-monolith", {
          after: container("modular-monolith"),
        }),
        step("replace", CONTAINER, "platform-router-config", {
          before: composeRoutes({
            "product-catalog": { "product-catalog": 75, "product-catalog-next": 25 },
            orders: { orders: 100, "modular-monolith": 0 },
          }),
          after: composeRoutes({
            "product-catalog": { "product-catalog": 50, "product-catalog-next": 50 },
            orders: { orders: 100, "modular-monolith": 0 },
          }),
        }),
      ],
    };
    expect(buildReview({ plan }).traffic).toEqual([
      {
        route: "orders",
        shares: [
          { implementation: "old", service: "orders", before: 100, after: 100 },
          // Weight 0 is left out of the weighted service: it serves none.
        ],
        changed: false,
      },
      {
        route: "product-catalog",
        shares: [
          { implementation: "old", service: "product-catalog", before: 75, after: 50 },
          { implementation: "new", service: "product-catalog-next", before: 25, after: 50 },
        ],
        changed: true,
      },
    ]);
    const text = renderText({ plan });
    expect(text).toContain("    product-catalog: old 75 % → 50 %, new 25 % → 50 %\n");
    expect(text).toContain("    orders: old 100 % (unchanged)\n");
    const markdown = renderMarkdown({ plan });
    expect(markdown).toContain("- `product-catalog`: **old 75 % → 50 %, new 25 % → 50 %**");
    // Above the fold: before the resource details.
    expect(markdown.indexOf("**Traffic**")).toBeLessThan(markdown.indexOf("<details>"));
  });

  it("counts a route that appears from its service serving alone, and the K3s router's weights", () => {
    const plan: Plan = {
      changeSummary: {},
      steps: [
        step("same", DEPLOYMENT, "k3s-orders", {
          after: { metadata: { name: "orders", labels: { "app.kubernetes.io/name": "orders" } } },
        }),
        step("create", DEPLOYMENT, "k3s-modular-monolith", {
          after: {
            metadata: {
              name: "modular-monolith",
              labels: { "app.kubernetes.io/name": "modular-monolith" },
            },
          },
        }),
        step("create", TRAEFIK_SERVICE, "platform-router-route-orders-service", {
          after: routeService("orders", { orders: 75, "modular-monolith": 25 }),
        }),
      ],
    };
    expect(renderText({ plan })).toContain("    orders: old 100 % → 75 %, new 0 % → 25 %\n");
  });

  it("has no traffic section when nothing is routed", () => {
    const plan: Plan = { changeSummary: {}, steps: [...catalogWorkloads] };
    expect(buildReview({ plan }).traffic).toEqual([]);
    expect(renderText({ plan })).not.toContain("Traffic");
    expect(renderMarkdown({ plan })).not.toContain("**Traffic**");
  });
});
