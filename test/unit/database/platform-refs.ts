import type { ComposePlatformRef, K3sPlatformRef } from "../../../components/platform/platform-ref";

/** Platform refs as ComposePlatform/K3sPlatform expose them, built directly for tests. */
export const composeRef: ComposePlatformRef = {
  kind: "compose",
  name: "compose",
  networkName: "compose-net",
  hostAddress: "host.docker.internal",
  resourceOptions: {},
};

export const k3sRef: K3sPlatformRef = {
  kind: "k3s",
  name: "k3s",
  namespace: "shop",
  externalAddress: "10.0.0.5",
  resourceOptions: {},
};
