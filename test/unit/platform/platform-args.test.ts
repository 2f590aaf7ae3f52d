import { describe, expect, it } from "vitest";
import type { ServiceSpec } from "../../../components/spec";
import {
  PlatformArgsError,
  validateComposePlatformArgs,
  validateK3sPlatformArgs,
  validatePlatformServicesArgs,
} from "../../../components/platform/platform-args";
import { ServiceSpecError } from "../../../components/spec/validate";

const web: ServiceSpec = { name: "web", image: "nginx:1.27.3", ports: [{ port: 80 }] };
const services = [web];

/** The problems a validator reports, or [] when it accepts the args. */
function problemsOf(validate: () => void): readonly string[] {
  try {
    validate();
    return [];
  } catch (error) {
    if (error instanceof PlatformArgsError) return error.problems;
    throw error;
  }
}

describe("validateComposePlatformArgs", () => {
  it.each([
    [
      "networkName",
      { networkName: "my net" },
      `networkName = "my net": must be a Docker network name (letters, digits, '_', '.', '-', starting with a letter or digit), e.g. "shop"`,
    ],
    [
      "hostAddress",
      { hostAddress: "10.0.0.5:80" },
      `hostAddress = "10.0.0.5:80": must be a host name or IP address without a port, e.g. "host.docker.internal"`,
    ],
    [
      "restart",
      { restart: "sometimes" as never },
      `restart = "sometimes": must be one of "no", "on-failure", "always", "unless-stopped"`,
    ],
    [
      "remoteServices",
      { remoteServices: { db: "db.internal" } },
      `remoteServices.db = "db.internal": must be host:port, where the service is reached from this host, e.g. "10.0.0.5:30080"`,
    ],
  ])("%s: names the field, shows the value, says what to give", (_field, bad, problem) => {
    expect(problemsOf(() => validateComposePlatformArgs("shop", { services, ...bad }))).toEqual([
      problem,
    ]);
  });

  it("reports every problem at once, under the component's name", () => {
    expect(() =>
      validateComposePlatformArgs("shop", { services, networkName: "", hostAddress: "a b" }),
    ).toThrow(
      /^ComposePlatform shop: invalid args:\n {2}- networkName = "": .*\n {2}- hostAddress = "a b": /,
    );
  });

  it("accepts the defaults and well-formed settings", () => {
    expect(problemsOf(() => validateComposePlatformArgs("shop", { services }))).toEqual([]);
    const settings = {
      networkName: "shop_net-1",
      hostAddress: "host.docker.internal",
      restart: "always" as const,
      remoteServices: { db: "10.0.0.5:30432" },
    };
    expect(
      problemsOf(() => validateComposePlatformArgs("shop", { services, ...settings })),
    ).toEqual([]);
  });

  it("checks the service specs first, with their own error", () => {
    expect(() =>
      validateComposePlatformArgs("shop", { services: [{ ...web, image: "nginx" }] }),
    ).toThrow(ServiceSpecError);
  });
});

describe("validateK3sPlatformArgs", () => {
  it.each([
    [
      "namespace",
      { namespace: "Shop" },
      `namespace = "Shop": must be a Kubernetes namespace name (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit), e.g. "shop"`,
    ],
    [
      "externalAddress",
      { externalAddress: "http://10.0.0.5" },
      `externalAddress = "http://10.0.0.5": must be a node or load-balancer address without a port, e.g. "10.0.0.5"`,
    ],
    [
      "traefikApiVersion",
      { traefikApiVersion: "v1alpha1" },
      `traefikApiVersion = "v1alpha1": must be the API group and version of Traefik's CRDs, e.g. "traefik.io/v1alpha1"`,
    ],
    [
      "storageClass",
      { storageClass: "Local_Path" },
      `storageClass = "Local_Path": must be the name of a StorageClass of the cluster, e.g. "local-path"`,
    ],
    [
      "exposedServices",
      { exposedServices: ["billing"] },
      `exposedServices: "billing" is not a service here; expose one of ["web"]`,
    ],
    [
      "ingress",
      { ingress: [{ service: "billing", host: "billing.test" }] },
      `ingress service = "billing": no such service here; route to one of ["web"]`,
    ],
  ])("%s: names the field, shows the value, says what to give", (_field, bad, problem) => {
    expect(problemsOf(() => validateK3sPlatformArgs("k3s", { services, ...bad }))).toEqual([
      problem,
    ]);
  });

  it("accepts the defaults and well-formed settings", () => {
    expect(problemsOf(() => validateK3sPlatformArgs("k3s", { services }))).toEqual([]);
    const settings = {
      namespace: "shop",
      externalAddress: "10.0.0.5",
      traefikApiVersion: "traefik.containo.us/v1alpha1",
      storageClass: "local-path",
      exposedServices: ["web"],
    };
    expect(problemsOf(() => validateK3sPlatformArgs("k3s", { services, ...settings }))).toEqual([]);
  });
});

describe("validatePlatformServicesArgs", () => {
  it.each([
    [
      "placement",
      { placement: { billing: "k3s" as const } },
      `placement.billing = "k3s": no such service; known services are ["web"]`,
    ],
    [
      "monitoringOn",
      { monitoringOn: "nomad" as never },
      `monitoringOn = "nomad": must be "compose" or "k3s", the platform Prometheus runs on; leave it out for no Prometheus`,
    ],
    [
      "compose settings",
      { compose: { restart: "never" as never } },
      `compose.restart = "never": must be one of "no", "on-failure", "always", "unless-stopped"`,
    ],
    [
      "k3s settings",
      { k3s: { namespace: "-shop" } },
      `k3s.namespace = "-shop": must be a Kubernetes namespace name (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit), e.g. "shop"`,
    ],
  ])("%s: names the field, shows the value, says what to give", (_field, bad, problem) => {
    expect(problemsOf(() => validatePlatformServicesArgs("fleet", { services, ...bad }))).toEqual([
      problem,
    ]);
  });

  it("accepts a placement of known services on either platform", () => {
    expect(
      problemsOf(() =>
        validatePlatformServicesArgs("fleet", {
          services,
          placement: { web: "k3s" },
          monitoringOn: "compose",
        }),
      ),
    ).toEqual([]);
  });
});
