import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writePolicyLauncher } from "../../../tools/engine/policy-launcher";

const PACK = join(__dirname, "..", "..", "engine", "fixtures", "policy-pack");
const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-launcher-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("policy pack launchers", () => {
  it("writes an executable that runs the pack's run-policy-pack with the engine's address", () => {
    const launcher = writePolicyLauncher(PACK, newDir());
    expect(() => accessSync(launcher, constants.X_OK)).not.toThrow();
    const script = readFileSync(launcher, "utf8");
    expect(script).toContain(`cd '${PACK}' && exec '${process.execPath}' '`);
    expect(script).toMatch(/@pulumi\/pulumi\/cmd\/run-policy-pack\/index\.js' "\$1" '/);
    expect(script.trimEnd().endsWith(`"$1" '${PACK}'`)).toBe(true);
  });

  it("refuses a folder that is not a policy pack, naming it", () => {
    const notAPack = newDir();
    expect(() => writePolicyLauncher(notAPack, newDir())).toThrow(
      `policy pack "${notAPack}" has no PulumiPolicy.yaml: point it at a pack directory`,
    );
  });
});
