export * from "./ComposeRouter";
export * from "./K3sRouter";
export * from "./route";
export * from "./traefik-crds";
export * from "./traefik-file";
