import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { cli, stackRepo, type StackRepo } from "./stack-repo";

// Exemptions cover exactly what they name. Each attack comes as a pull request on the bundled
// stacks (the committed file is the base, the working tree the change) and goes through
// `stepwise plan --base HEAD`, as the pull-request workflow runs it.
const AT = "2026-11-26T12:00:00.000Z";
const SLOW = 120_000;
const repos: StackRepo[] = [];
afterAll(() => repos.forEach((r) => r.remove()));

function freshRepo(): StackRepo {
  const repo = stackRepo();
  repos.push(repo);
  return repo;
}

const plan = (repo: StackRepo, stack: string, when = AT) =>
  cli("plan", stack, "--base", "HEAD", "--stacks-dir", repo.stacksDir, "--at", when);

/** Rolls `path` back one phase in the working tree with the real command (exit 0: allowed). */
async function rollBack(repo: StackRepo, stack: string, path: string): Promise<void> {
  const done = await cli("rollback", stack, path, "--stacks-dir", repo.stacksDir, "--at", AT);
  expect(done.code, done.out + done.err).toBe(0);
}

/** Lines of the plan's policy findings for one rule. */
const findings = (out: string, rule: string): string[] =>
  out.split("\n").filter((line) => line.includes(`] ${rule}: `));

/**
 * The events rollback out of `parallel` taken with the real command, then `extra` stack config
 * added to the same change; the plan of it against the base.
 */
async function eventsRollbackWith(repo: StackRepo, stack: string, extra: readonly string[]) {
  await rollBack(repo, stack, "events");
  if (extra.length > 0) {
    repo.edit(stack, (text) =>
      text.replace("  stepwise:minimumTime:", [...extra, "  stepwise:minimumTime:"].join("\n")),
    );
  }
  return plan(repo, stack);
}

describe("the dataless-rollback exemption covers the rolled-back system only", () => {
  it(
    "staging: rolling events back from parallel alone deletes Kafka and passes",
    async () => {
      const { code, out } = await eventsRollbackWith(freshRepo(), "staging", []);
      expect(code).toBe(0);
      expect(out).toContain("DELETE kafka-broker-0-data (docker:index/volume:Volume)");
      expect(findings(out, "stateful-delete-after-window")).toEqual([]);
      expect(findings(out, "stateful-delete-alone")).toEqual([]);
    },
    SLOW,
  );

  it(
    "staging: the same rollback while moving postgres deletes postgres-data: exit 1, both delete rules name it",
    async () => {
      const { code, out } = await eventsRollbackWith(freshRepo(), "staging", [
        "  stepwise:enginePlacement:",
        "    postgres: k3s",
      ]);
      expect(code).toBe(1);
      expect(out).toContain("DELETE postgres-data (docker:index/volume:Volume)");
      // Only postgres-data is judged: Kafka's deletes are the rollback's own.
      expect(findings(out, "stateful-delete-after-window")).toEqual([
        expect.stringContaining(
          "[mandatory] stateful-delete-after-window: postgres-data (docker:index/volume:Volume) is deleted but no path enters a retirement phase in this update.",
        ),
      ]);
      const alone = findings(out, "stateful-delete-alone");
      expect(alone).toHaveLength(1);
      expect(alone[0]).toContain("[mandatory] stateful-delete-alone: this update deletes");
      expect(alone[0]).toContain(", postgres-data, kafka and also: ");
      expect(alone[0]).toContain('path "events" moves');
    },
    SLOW,
  );

  it(
    "staging: the same rollback with a workload change riding along: exit 1, stateful-delete-alone",
    async () => {
      const { code, out } = await eventsRollbackWith(freshRepo(), "staging", [
        "  stepwise:k3s:",
        "    skipAwait: true",
      ]);
      expect(code).toBe(1);
      expect(findings(out, "stateful-delete-after-window")).toEqual([]);
      const alone = findings(out, "stateful-delete-alone");
      expect(alone).toHaveLength(1);
      expect(alone[0]).toContain(
        "[mandatory] stateful-delete-alone: this update deletes topics-kafka-coordination-sagas,",
      );
      expect(alone[0]).toContain("and also: platform-k3s-platform-coordination changes");
    },
    SLOW,
  );

  it(
    "prod: with events at parallel, the rollback plus moving postgres out: exit 1, postgres named",
    async () => {
      const repo = freshRepo();
      baseAt(repo, "prod", "events", "parallel", "redpanda");
      // Prod runs only Compose, so postgres moves out: onto a server outside the stack.
      const { code, out } = await eventsRollbackWith(repo, "prod", [
        "  stepwise:enginePlacement:",
        "    postgres: external",
        "  stepwise:externalEngines:",
        "    postgres:",
        "      host: 10.0.0.5",
        "      port: 5432",
        "      database: stepwise",
        "      user: stepwise",
        "      password:",
        "        secure: v1:t4PG9UuZGzFYpQRW:f5lcOJdyHCmSn7lYemVR8/HsuireeOwmRFJ2XhL2L43njm+0g9Q=",
      ]);
      expect(code).toBe(1);
      expect(findings(out, "stateful-delete-after-window")).toEqual([
        expect.stringContaining(
          "stateful-delete-after-window: postgres-data (docker:index/volume:Volume) is deleted but no path enters a retirement phase",
        ),
        expect.stringContaining(
          "stateful-delete-after-window: postgres (stepwise:database:PostgresServer) is deleted but no path enters a retirement phase",
        ),
      ]);
      expect(findings(out, "stateful-delete-alone")).toEqual([
        expect.stringContaining('path "events" moves'),
      ]);
    },
    SLOW,
  );
});

/** Puts `path` at `phase` (entered a week ago, after `previous`) in the base: the committed file. */
function baseAt(repo: StackRepo, stack: string, path: string, phase: string, previous: string) {
  repo.edit(stack, (text) => {
    const document = parseDocument(text);
    document.setIn(["config", "stepwise:phases", path], phase);
    document.setIn(["config", "stepwise:enteredAt", path], "2026-11-19T12:00:00Z");
    document.setIn(["config", "stepwise:previousPhases", path], previous);
    return document.toString();
  });
  repo.commit(`${stack}: ${path} at ${phase}`);
}

/** The consolidation path's services, in the order traffic-weight-step reports their routes. */
const ABSORBED = ["inventory", "orders", "product-catalog"];
const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.parse(AT) + hours * HOUR).toISOString();

/** Refused (exit 1) with one traffic-weight-step finding per absorbed service, as `text` says. */
function refusedPerService(
  result: { code: number; out: string },
  text: (service: string) => string,
): void {
  expect(result.code).toBe(1);
  expect(findings(result.out, "traffic-weight-step")).toEqual(
    ABSORBED.map((service): unknown => expect.stringContaining(text(service))),
  );
}

const stackText = (repo: StackRepo, stack: string): string =>
  readFileSync(join(repo.stacksDir, `Pulumi.${stack}.yaml`), "utf8");

/** Every absorbed service's monolith weight set to `weight` in the working tree. */
function monolithWeights(repo: StackRepo, stack: string, weight: number): void {
  repo.edit(stack, (text) => {
    const document = parseDocument(text);
    for (const service of ABSORBED) {
      document.setIn(["config", "stepwise:monolithWeights", service], weight);
    }
    return document.toString();
  });
}

/** A phase step with the real command at `when` (exit 0: every rule passed; the file written). */
async function phaseStep(
  repo: StackRepo,
  stack: string,
  direction: "advance" | "rollback",
  when: string,
): Promise<string> {
  const done = await cli(
    direction,
    stack,
    "consolidation",
    "--stacks-dir",
    repo.stacksDir,
    "--at",
    when,
  );
  expect([direction, done.code, done.out + done.err]).toEqual([direction, 0, expect.any(String)]);
  return done.out;
}

/** A weight step as a pull request: planned against the base, then merged. */
async function weightStep(repo: StackRepo, stack: string, weight: number, when: string) {
  monolithWeights(repo, stack, weight);
  const { code, out } = await plan(repo, stack, when);
  expect([weight, code, findings(out, "traffic-weight-step")]).toEqual([weight, 0, []]);
  repo.commit(`${stack}: monolith weights ${weight}`);
}

describe("every traffic move is stepped, whatever carries it", () => {
  it.each(["staging", "prod"])(
    "%s: consolidation monolith-parallel → modular-monolith with the monolith at weight 0 hands all traffic over: exit 1, traffic-weight-step per service",
    async (stack) => {
      const repo = freshRepo();
      baseAt(repo, stack, "consolidation", "monolith-parallel", "microservices");
      const { code, out } = await cli(
        "plan",
        stack,
        "--advance",
        "consolidation",
        "--stacks-dir",
        repo.stacksDir,
        "--at",
        AT,
      );
      expect(out).toContain("Path consolidation: monolith-parallel -> modular-monolith");
      refusedPerService(
        { code, out },
        (service) =>
          `[mandatory] traffic-weight-step: service "${service}": 100 points of its traffic change hands in one update (${service} 100% → 0%, modular-monolith 0% → 100%); the limit is 25. The modular monolith takes a service's traffic in weighted steps: at consolidation phase "monolith-parallel" move stepwise:monolithWeights.${service} by at most 25 per update`,
      );
    },
    SLOW,
  );

  it.each(["staging", "prod"])(
    "%s: consolidation walked in weighted steps passes: monolith weights 25/50/75, the cutover, the rollback onto 100, weights down, the rollback to microservices",
    async (stack) => {
      const repo = freshRepo();
      // Entering monolith-parallel writes every weight at 0: the monolith serves nothing yet.
      await phaseStep(repo, stack, "advance", AT);
      expect(stackText(repo, stack)).toContain(
        "  stepwise:monolithWeights:\n    product-catalog: 0\n    orders: 0\n    inventory: 0\n",
      );
      repo.commit(`${stack}: consolidation at monolith-parallel`);
      for (const weight of [25, 50, 75]) await weightStep(repo, stack, weight, at(1));
      // The cutover moves the last 25 points (past the minimum time in the phase).
      const cutover = await phaseStep(repo, stack, "advance", at(48));
      expect(cutover).toContain("Path consolidation: monolith-parallel -> modular-monolith");
      expect(stackText(repo, stack)).not.toContain("monolithWeights");
      repo.commit(`${stack}: consolidation cut over`);
      // Back: onto weights of 100, so the step back moves no traffic; then down in steps.
      await phaseStep(repo, stack, "rollback", at(49));
      expect(stackText(repo, stack)).toContain(
        "  stepwise:monolithWeights:\n    product-catalog: 100\n    orders: 100\n    inventory: 100\n",
      );
      repo.commit(`${stack}: consolidation back at monolith-parallel`);
      for (const weight of [75, 50, 25]) await weightStep(repo, stack, weight, at(50));
      await phaseStep(repo, stack, "rollback", at(51));
      expect(stackText(repo, stack)).not.toContain("monolithWeights");
    },
    4 * SLOW,
  );

  it.each(["staging", "prod"])(
    "%s: monolith weights that skip a step, a rollback onto lower weights, a rollback to microservices from 50: exit 1, traffic-weight-step",
    async (stack) => {
      const repo = freshRepo();
      await phaseStep(repo, stack, "advance", AT);
      repo.commit(`${stack}: consolidation at monolith-parallel`);
      monolithWeights(repo, stack, 50);
      const jump = await plan(repo, stack);
      refusedPerService(
        jump,
        (service) =>
          `service "${service}": 50 points of its traffic change hands in one update (${service} 100% → 50%, modular-monolith 0% → 50%); the limit is 25`,
      );
      // Merged anyway (two changes of 25 each), then back to microservices from 50.
      repo.commit(`${stack}: monolith weights 50`);
      const back = await cli(
        "rollback",
        stack,
        "consolidation",
        "--stacks-dir",
        repo.stacksDir,
        "--at",
        at(1),
      );
      expect(back.code).toBe(1);
      expect(findings(back.out, "traffic-weight-step")).toHaveLength(3);
      expect(back.out).toContain("(orders 50% → 100%, modular-monolith 50% → 0%)");
      // From the cutover, a rollback that lands at 50 instead of 100.
      const cut = freshRepo();
      baseAt(cut, stack, "consolidation", "modular-monolith", "monolith-parallel");
      await phaseStep(cut, stack, "rollback", AT);
      monolithWeights(cut, stack, 50);
      const lower = await plan(cut, stack);
      refusedPerService(
        lower,
        (service) =>
          `service "${service}": 50 points of its traffic change hands in one update (${service} 0% → 50%, modular-monolith 100% → 50%)`,
      );
    },
    2 * SLOW,
  );

  it(
    "staging: the drill walks consolidation back from the cutover, stepping the monolith weights down",
    async () => {
      const repo = freshRepo();
      baseAt(repo, "staging", "consolidation", "modular-monolith", "monolith-parallel");
      const { code, out } = await cli(
        "drill",
        "staging",
        "--stacks-dir",
        repo.stacksDir,
        "--at",
        at(1),
      );
      const weights = (from: number, to: number) =>
        ABSORBED.map((s) => `monolithWeights.${s}: ${from} -> ${to}`).join(", ");
      expect(out.split("\n").filter((line) => line.includes("consolidation"))).toEqual([
        "  consolidation: modular-monolith -> monolith-parallel: ok",
        `  consolidation: in monolith-parallel, ${weights(100, 75)}: ok`,
        `  consolidation: in monolith-parallel, ${weights(75, 50)}: ok`,
        `  consolidation: in monolith-parallel, ${weights(50, 25)}: ok`,
        `  consolidation: in monolith-parallel, ${weights(25, 0)}: ok`,
        "  consolidation: monolith-parallel -> microservices: ok",
      ]);
      expect(code, out).toBe(0);
    },
    2 * SLOW,
  );

  it.each(["staging", "prod"])(
    "%s: at api new, another image for the new implementation: exit 1, traffic-weight-step; a new tag passes",
    async (stack) => {
      const repo = freshRepo();
      baseAt(repo, stack, "api", "new", "canary");
      const serving = "product-catalog: firstviscount/product-catalog-gin:0.9.0";
      repo.edit(stack, (text) =>
        text.replace(serving, "product-catalog: firstviscount/product-catalog-fiber:1.0.0"),
      );
      const swapped = await plan(repo, stack);
      expect(swapped.code).toBe(1);
      expect(findings(swapped.out, "traffic-weight-step")).toEqual([
        expect.stringContaining(
          '[mandatory] traffic-weight-step: service "product-catalog": 100 points of its traffic change hands in one update (product-catalog-next firstviscount/product-catalog-gin 100% → firstviscount/product-catalog-fiber 100%); the limit is 25. product-catalog-next would run another implementation, which gets traffic only through the canary',
        ),
      ]);
      repo.edit(stack, (text) =>
        text.replace(
          "product-catalog: firstviscount/product-catalog-fiber:1.0.0",
          "product-catalog: firstviscount/product-catalog-gin:0.9.1",
        ),
      );
      const newTag = await plan(repo, stack);
      expect(findings(newTag.out, "traffic-weight-step")).toEqual([]);
      expect(newTag.code, newTag.out).toBe(0);
    },
    SLOW,
  );
});
