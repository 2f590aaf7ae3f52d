/**
 * Policy packs for the engine as executables.
 *
 * Given a pack's directory, `pulumi preview --policy-pack <dir>` asks the Node.js language host
 * to start it (its RunPlugin call). The only language host that can be built here from the Go
 * module proxy, the one inside sdk/v3 v3.68.0 (test/engine/build-engine.sh), predates RunPlugin
 * and refuses with "not supported". Given an executable instead, the CLI starts it as the
 * analyzer itself, with the engine's address as its argument. The launcher does what RunPlugin
 * does: runs @pulumi/pulumi's run-policy-pack, as the pack resolves it, on the pack's directory.
 * The pack's code, its configuration and the analyzer protocol are the real ones either way.
 */
import { chmodSync, existsSync, writeFileSync } from "fs";
import { basename, join, resolve } from "path";

/** Writes an executable for the pack into `dir` and returns its path, for `--policy-pack`. */
export function writePolicyLauncher(packDir: string, dir: string, index = 0): string {
  const pack = resolve(packDir);
  if (!existsSync(join(pack, "PulumiPolicy.yaml")))
    throw new Error(`policy pack "${pack}" has no PulumiPolicy.yaml: point it at a pack directory`);
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [pack] });
  const launcher = join(dir, `policy-pack-${index}-${basename(pack)}`);
  const script = [
    "#!/bin/sh",
    "# Starts a stepwise policy pack for the Pulumi CLI (tools/engine/policy-launcher.ts).",
    `cd ${quote(pack)} && exec ${quote(process.execPath)} ${quote(runPolicyPack)} "$1" ${quote(pack)}`,
    "",
  ].join("\n");
  writeFileSync(launcher, script);
  chmodSync(launcher, 0o755);
  return launcher;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
