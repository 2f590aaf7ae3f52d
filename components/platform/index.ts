export * from "./compose-service";
export * from "./ComposePlatform";
export * from "./discovery";
export * from "./k3s-workload";
export * from "./K3sPlatform";
export * from "./platform-ref";
export * from "./traefik";
