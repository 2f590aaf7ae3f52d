import { describe, expect, it } from "vitest";
import { EngineMissingError, locateEngine } from "../../../tools/engine/locate";

// Which files "exist and are executable" in each case; no real file system involved.
function fakeFiles(...files: string[]): (file: string) => boolean {
  const present = new Set(files);
  return (file) => present.has(file);
}

describe("locateEngine", () => {
  const repoRoot = "/repo";
  const built = "/repo/.cache/pulumi/bin/pulumi";
  const builtHost = "/repo/.cache/pulumi/bin/pulumi-language-nodejs";

  it.each([
    {
      case: "the build cache",
      env: { PATH: "/usr/bin" },
      files: [built, builtHost, "/usr/bin/pulumi", "/usr/bin/pulumi-language-nodejs"],
      expected: { pulumi: built, languageHost: builtHost, source: "build cache", pluginDirs: [] },
    },
    {
      case: "the build cache with the kubernetes provider built beside it",
      env: { PATH: "/usr/bin" },
      files: [built, builtHost, "/repo/.cache/pulumi/plugins/pulumi-resource-kubernetes"],
      expected: {
        pulumi: built,
        languageHost: builtHost,
        source: "build cache",
        pluginDirs: ["/repo/.cache/pulumi/plugins"],
      },
    },
    {
      case: "STEPWISE_PULUMI over the build cache",
      env: { PATH: "", STEPWISE_PULUMI: "/opt/p/bin/pulumi" },
      files: [built, builtHost, "/opt/p/bin/pulumi", "/opt/p/bin/pulumi-language-nodejs"],
      expected: {
        pulumi: "/opt/p/bin/pulumi",
        languageHost: "/opt/p/bin/pulumi-language-nodejs",
        source: "STEPWISE_PULUMI",
        pluginDirs: [],
      },
    },
    {
      case: "STEPWISE_CACHE moves the build cache",
      env: { PATH: "", STEPWISE_CACHE: "/c" },
      files: ["/c/pulumi/bin/pulumi", "/c/pulumi/bin/pulumi-language-nodejs", built, builtHost],
      expected: {
        pulumi: "/c/pulumi/bin/pulumi",
        languageHost: "/c/pulumi/bin/pulumi-language-nodejs",
        source: "build cache",
        pluginDirs: [],
      },
    },
    {
      case: "PATH when nothing is built, language host from a later PATH entry",
      env: { PATH: "/a:/b" },
      files: ["/a/pulumi", "/b/pulumi-language-nodejs"],
      expected: {
        pulumi: "/a/pulumi",
        languageHost: "/b/pulumi-language-nodejs",
        source: "PATH",
        pluginDirs: [],
      },
    },
  ])("finds $case", ({ env, files, expected }) => {
    expect(locateEngine({ env, repoRoot, isExecutable: fakeFiles(...files) })).toEqual(expected);
  });

  it.each([
    {
      case: "nothing anywhere",
      env: { PATH: "/usr/bin" },
      files: [],
      message:
        /No Pulumi engine found.*\/repo\/\.cache\/pulumi\/bin\/pulumi does not exist.*test\/engine\/build-engine\.sh/,
    },
    {
      case: "STEPWISE_PULUMI pointing nowhere, even with a built engine",
      env: { PATH: "", STEPWISE_PULUMI: "/nope/pulumi" },
      files: [built, builtHost],
      message: /STEPWISE_PULUMI is set to "\/nope\/pulumi", which is not an executable file/,
    },
    {
      case: "pulumi without its language host",
      env: { PATH: "/usr/bin" },
      files: [built],
      message:
        /Found pulumi at \/repo\/\.cache\/pulumi\/bin\/pulumi \(build cache\) but no pulumi-language-nodejs/,
    },
  ])("refuses $case with a message saying what to do", ({ env, files, message }) => {
    const attempt = () => locateEngine({ env, repoRoot, isExecutable: fakeFiles(...files) });
    expect(attempt).toThrow(EngineMissingError);
    expect(attempt).toThrow(message);
  });
});
