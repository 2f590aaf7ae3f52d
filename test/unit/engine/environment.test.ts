import { describe, expect, it } from "vitest";
import { engineEnvironment } from "../../../tools/engine/engine-environment";

describe("engineEnvironment", () => {
  it("points at a local backend, its own home, no network, and puts the engine first on PATH", () => {
    expect(
      engineEnvironment({
        backendDir: "/t/backend",
        pulumiHome: "/t/home",
        passphrase: "pass",
        binDirs: ["/e/bin", "/e/plugins"],
        path: "/node/bin::/usr/bin",
        extra: { STEPWISE_ENGINE_FIXTURE_STATE: "/t/state", PULUMI_HOME: "/ignored" },
      }),
    ).toEqual({
      STEPWISE_ENGINE_FIXTURE_STATE: "/t/state",
      PULUMI_BACKEND_URL: "file:///t/backend",
      PULUMI_HOME: "/t/home",
      PULUMI_CONFIG_PASSPHRASE: "pass",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      NO_COLOR: "1",
      PATH: "/e/bin:/e/plugins:/node/bin:/usr/bin",
    });
  });

  it("leaves backend, home and passphrase to the caller's environment when not given", () => {
    const env = engineEnvironment({ binDirs: ["/e/bin"], path: "/usr/bin" });
    expect(Object.keys(env).filter((key) => /BACKEND|HOME|PASSPHRASE/.test(key))).toEqual([]);
    expect(env.PATH).toBe("/e/bin:/usr/bin");
  });
});
