import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { main } from "../../../tools/cli/main";
import { SEED_SERVICES } from "../../support/seed-platform";

const dir = mkdtempSync(join(tmpdir(), "stepwise-compose-file-"));
/** The seed platform's four services as a spec file. */
const seedSpecs = join(dir, "seed-services.yaml");
writeFileSync(seedSpecs, stringify(SEED_SERVICES));

describe("stepwise platform compose-file", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes the Compose side of a placement, moved dependencies addressed on K3s", async () => {
    const out = join(dir, "docker-compose.yml");
    const code = await main([
      "platform",
      "compose-file",
      "--services",
      seedSpecs,
      "--placement",
      "platform-coordination=k3s",
      "--placement",
      "orders=k3s",
      "--k3s-address",
      "10.0.0.20",
      "--out",
      out,
    ]);
    expect(code).toBe(0);
    const file = parse(readFileSync(out, "utf8")) as {
      name: string;
      services: Record<string, { environment: Record<string, string>; depends_on?: unknown }>;
    };
    expect(file.name).toBe("platform-compose");
    expect(Object.keys(file.services)).toEqual(["product-catalog", "inventory"]);
    expect(file.services.inventory?.environment.PLATFORM_COORDINATION_ADDRESS).toBe(
      "10.0.0.20:8080",
    );
    expect(file.services.inventory?.depends_on).toBeUndefined();
  });

  it("reads specs from a file and reports invalid ones with exit code 2", async () => {
    const specs = join(dir, "services.yaml");
    writeFileSync(specs, "- name: web\n  image: nginx\n  ports: [{ port: 80 }]\n");
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await main(["platform", "compose-file", "--services", specs])).toBe(2);
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining('service "web": image = "nginx": must pin a tag or digest'),
    );
  });

  it("rejects a malformed or unknown placement with exit code 2", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(
      await main(["platform", "compose-file", "--services", seedSpecs, "--placement", "orders"]),
    ).toBe(2);
    expect(errors).toHaveBeenLastCalledWith(
      'stepwise: --placement "orders": write it as <service>=k3s or <service>=compose',
    );
    expect(
      await main([
        "platform",
        "compose-file",
        "--services",
        seedSpecs,
        "--placement",
        "orders=nomad",
      ]),
    ).toBe(2);
    expect(errors).toHaveBeenLastCalledWith(
      'stepwise: --placement: placement.orders = "nomad": must be "compose" or "k3s"',
    );
  });
});

describe("stepwise platform import-compose", () => {
  afterEach(() => vi.restoreAllMocks());

  it("round-trips: imported specs render the same services again", async () => {
    const composeFile = join(dir, "rendered.yml");
    const specsFile = join(dir, "specs.yaml");
    expect(
      await main(["platform", "compose-file", "--services", seedSpecs, "--out", composeFile]),
    ).toBe(0);
    const warnings = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await main(["platform", "import-compose", composeFile, "--out", specsFile])).toBe(0);
    expect(warnings).toHaveBeenCalledWith(
      expect.stringContaining("services.product-catalog.env_file ./secrets/product-catalog.env"),
    );
    const again = join(dir, "again.yml");
    expect(await main(["platform", "compose-file", "--services", specsFile, "--out", again])).toBe(
      0,
    );
    const services = (file: string) =>
      (
        parse(readFileSync(file, "utf8")) as {
          services: Record<string, { image: string; ports: string[] }>;
        }
      ).services;
    const [before, after] = [services(composeFile), services(again)];
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const name of Object.keys(before)) {
      expect(after[name]?.image).toBe(before[name]?.image);
      expect(after[name]?.ports).toEqual(before[name]?.ports);
    }
  });

  it("reports an unreadable file with exit code 2", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await main(["platform", "import-compose", join(dir, "missing.yml")])).toBe(2);
    expect(errors).toHaveBeenLastCalledWith(
      expect.stringMatching(/compose file ".*missing\.yml" does not exist; check the path/),
    );
  });
});
