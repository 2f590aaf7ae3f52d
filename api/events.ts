/**
 * `stepwise-iac/events`: what a service and an operator use on the events path — publishing to
 * both clusters, checking the two clusters agree, translating consumer offsets.
 */
export {
  DualPublisher,
  type DualPublisherOptions,
  type OutgoingMessage,
} from "../tools/events/dual-publisher";
export {
  verifyTopic,
  VerifyError,
  type TopicVerification,
  type VerifyTopicOptions,
} from "../tools/events/verify/verify-topic";
export {
  migrateOffsets,
  OffsetMigrationError,
  type MigrateOffsetsOptions,
} from "../tools/events/offsets/offset-migration";
export {
  checkCompatibility,
  type CheckCompatibilityOptions,
} from "../tools/events/compat/check-compatibility";
