// The event cluster and topic components and their args.
export type { BrokerClusterArgs } from "./broker-cluster-args";
export { KafkaCluster, type KafkaClusterArgs } from "./KafkaCluster";
export { RedpandaCluster, type RedpandaClusterArgs } from "./RedpandaCluster";
export { Topic, type TopicArgs } from "./Topic";
export { TopicSet, type TopicSetArgs, type TopicSetClusterArgs } from "./TopicSet";
export type { TopicDeclaration } from "./topic-set-plan";
