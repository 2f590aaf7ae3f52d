import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPulumiProject, readPulumiProject } from "../../../tools/project/pulumi-project";
import { main } from "../../../tools/cli/main";

const root = mkdtempSync(join(tmpdir(), "stepwise-project-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function projectWith(name: string, yaml: string, files: Record<string, string> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), yaml);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe("reading Pulumi.yaml as pulumi does", () => {
  it("takes name, main and stackConfigDir relative to the project folder", () => {
    const dir = projectWith(
      "full",
      "name: shop\nruntime: nodejs\nmain: src/app.ts\nstackConfigDir: stacks\n",
      {
        "src/app.ts": "",
      },
    );
    expect(readPulumiProject(join(dir, "Pulumi.yaml"))).toEqual({
      dir,
      name: "shop",
      stacksDir: join(dir, "stacks"),
      programFile: join(dir, "src", "app.ts"),
    });
  });

  it("defaults: stacks beside Pulumi.yaml; the program from package.json main, else index.ts", () => {
    const withMain = projectWith("pkg-main", "name: a\nruntime: nodejs\n", {
      "package.json": JSON.stringify({ main: "lib/program.ts" }),
      "lib/program.ts": "",
    });
    expect(readPulumiProject(join(withMain, "Pulumi.yaml"))).toMatchObject({
      stacksDir: withMain,
      programFile: join(withMain, "lib", "program.ts"),
    });
    const withIndex = projectWith("index", "name: b\nruntime: nodejs\n", { "index.ts": "" });
    expect(readPulumiProject(join(withIndex, "Pulumi.yaml")).programFile).toBe(
      join(withIndex, "index.ts"),
    );
  });

  it("is found from a folder inside the project", () => {
    const dir = projectWith("nested", "name: c\nruntime: nodejs\n", {
      "index.ts": "",
      "deep/er/x": "",
    });
    expect(findPulumiProject(join(dir, "deep", "er")).dir).toBe(dir);
  });

  it("names the field, shows the value and says what to do", () => {
    const noName = projectWith("no-name", "runtime: nodejs\n", { "index.ts": "" });
    expect(() => readPulumiProject(join(noName, "Pulumi.yaml"))).toThrow(
      `${join(noName, "Pulumi.yaml")}: name = undefined; give the project a name`,
    );
    const badMain = projectWith("bad-main", "name: d\nruntime: nodejs\nmain: nowhere.ts\n");
    expect(() => readPulumiProject(join(badMain, "Pulumi.yaml"))).toThrow(
      `main ${join(badMain, "nowhere.ts")} does not exist; point "main" at the program`,
    );
    const numberDir = projectWith("number-dir", "name: e\nruntime: nodejs\nstackConfigDir: 3\n", {
      "index.ts": "",
    });
    expect(() => readPulumiProject(join(numberDir, "Pulumi.yaml"))).toThrow(
      "stackConfigDir = 3; give a path relative to the project folder",
    );
    const empty = projectWith("no-program", "name: f\nruntime: nodejs\n");
    expect(() => readPulumiProject(join(empty, "Pulumi.yaml"))).toThrow(
      `no program in ${empty} (no package.json "main", index.ts or index.js); set "main" in Pulumi.yaml`,
    );
  });
});

describe("-C", () => {
  it("refuses a folder that is not there, and leaves the caller's working folder as it was", async () => {
    const before = process.cwd();
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect(await main(["-C", join(root, "missing"), "project"])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.join("\n")).toContain(
      `-C ${join(root, "missing")}: ${join(root, "missing")} is not a folder`,
    );
    expect(process.cwd()).toBe(before);
  });

  it("runs in the project it names, then returns to where the caller was", async () => {
    const dir = projectWith("elsewhere", "name: g\nruntime: nodejs\nstackConfigDir: stacks\n", {
      "index.ts": "",
      "stacks/Pulumi.qa.yaml": "config: {}\n",
    });
    const before = process.cwd();
    const lines: string[] = [];
    const original = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      expect(await main(["-C", dir, "project", "--json"])).toBe(0);
    } finally {
      console.log = original;
    }
    expect(JSON.parse(lines.join("\n"))).toMatchObject({ dir, name: "g", stacks: ["qa"] });
    expect(process.cwd()).toBe(before);
  });
});
