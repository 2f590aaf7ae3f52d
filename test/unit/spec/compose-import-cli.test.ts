import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../tools/cli/main";

const corpus = join(__dirname, "../../fixtures/compose");

describe("stepwise platform import-compose", () => {
  afterEach(() => vi.restoreAllMocks());

  function capture() {
    const stderr = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    return {
      stderr: () => stderr.mock.calls.map((c) => String(c[0])),
      stdout: () => stdout.mock.calls.map((c) => String(c[0])).join(""),
    };
  }

  it("exits 0 with the specs on stdout and warnings and to-dos on stderr", async () => {
    const io = capture();
    expect(await main(["platform", "import-compose", join(corpus, "unpinned.yml")])).toBe(0);
    expect(io.stdout()).toContain("image: nginx:latest");
    expect(io.stderr()).toContain(
      `warning: ${join(corpus, "unpinned.yml")}: services.cache.image: "redis" is not pinned: it has no tag, which means :latest`,
    );
    expect(io.stderr().filter((l) => l.startsWith("to-do: "))).toHaveLength(3);
  });

  it("reads the .env beside the file", async () => {
    const io = capture();
    const file = join(corpus, "interpolation/docker-compose.yml");
    expect(await main(["platform", "import-compose", file])).toBe(0);
    expect(io.stdout()).toContain("image: example/app:2.0.4");
  });

  it("exits 2 listing every problem, and still prints the warnings", async () => {
    const io = capture();
    expect(await main(["platform", "import-compose", join(corpus, "field-errors.yml")])).toBe(2);
    const lines = io.stderr();
    expect(lines[0]).toMatch(/^warning: .*services\.db\.cap_add/);
    const error = lines.at(-1) ?? "";
    expect(error).toContain("services.api.ports[0]");
    expect(error).toContain("services.api.deploy.resources.limits.memory");
    expect(error).toContain("services.db.healthcheck.interval");
  });

  it("--strict refuses a file that would import with warnings", async () => {
    const io = capture();
    const file = join(corpus, "unpinned.yml");
    expect(await main(["platform", "import-compose", file, "--strict"])).toBe(2);
    expect(io.stdout()).toBe("");
    expect(io.stderr().at(-1)).toContain("to-do: " + file + ': services.cache.image: "redis"');
  });

  it("--json prints services, warnings, to-dos and renames", async () => {
    const io = capture();
    expect(await main(["platform", "import-compose", join(corpus, "names.yml"), "--json"])).toBe(0);
    const result = JSON.parse(io.stdout()) as { services: { name: string }[]; renames: unknown[] };
    expect(result.services.map((s) => s.name)).toEqual(["front-end", "nginx", "search"]);
    expect(result.renames).toContainEqual({ kind: "service", from: "front_end", to: "front-end" });
    expect(io.stderr()).toEqual([]);
  });

  it("never prints a credential: secretEnv values are withheld in YAML and JSON", async () => {
    for (const json of [false, true]) {
      const io = capture();
      const args = ["platform", "import-compose", join(corpus, "credentials.yml")];
      expect(await main(json ? [...args, "--json"] : args)).toBe(0);
      const printed = io.stdout() + io.stderr().join("\n");
      expect(printed).toContain("POSTGRES_PASSWORD");
      expect(printed).toContain("[plaintext secret withheld]");
      expect(printed).not.toMatch(/changeme-77|test-key-not-real/);
      vi.restoreAllMocks();
    }
  });

  it("merges -f files in order and imports the services of --profile", async () => {
    const io = capture();
    const base = join(corpus, "override-base.yml");
    const override = join(corpus, "override-base.override.yml");
    const args = ["platform", "import-compose", "-f", base, "-f", override, "--profile", "db"];
    expect(await main([...args, "--json"])).toBe(0);
    const result = JSON.parse(io.stdout()) as {
      services: { name: string; args?: string[]; dependsOn?: string[] }[];
      warnings: string[];
    };
    expect(result.services.map((s) => s.name)).toEqual(["app", "db"]);
    expect(result.services[0]?.args).toContain("--debug");
    expect(result.services[0]?.dependsOn).toEqual(["db"]);
    expect(result.warnings.join("\n")).toContain("services.debug: skipped: only in profile debug");
  });

  it("asks for a file when none is given", async () => {
    capture();
    await expect(main(["platform", "import-compose"])).resolves.toBe(2);
  });
});
